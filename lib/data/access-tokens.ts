import "server-only";
import { db } from "@/lib/db";
import { parseJsonObject } from "@/lib/json";

/** The tenant page's access-token panel: the kill switch and the latest issuances and refusals (audit rows; never a token). */

export type AccessTokenIssuance = {
  id: string;
  at: Date;
  issued: boolean;
  actorType: string;
  actorLabel: string;
  requestId: string | null;
  method: string | null;
  resource: string | null;
  scopes: string[];
  expiresOn: string | null;
  fromCache: boolean | null;
  reason: string | null;
};

export type TenantAccessTokens = { blocked: { at: Date; by: string } | null; issuances: AccessTokenIssuance[] };

const str = (v: unknown) => (typeof v === "string" ? v : null);

export async function tenantAccessTokens(tenantId: string, take = 20): Promise<TenantAccessTokens> {
  const [block, rows] = await Promise.all([
    db.tenantAccessTokenBlock.findUnique({ where: { tenantId }, select: { blockedAt: true, blockedBy: true } }),
    db.auditEvent.findMany({
      where: { targetType: "tenant", targetId: tenantId, action: { in: ["tenant.access_token_issued", "tenant.access_token_refused"] } },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take,
      select: { id: true, at: true, action: true, actorType: true, actorLabel: true, requestId: true, details: true },
    }),
  ]);
  return {
    blocked: block ? { at: block.blockedAt, by: block.blockedBy } : null,
    issuances: rows.map((r) => {
      const d = parseJsonObject(r.details);
      return {
        id: r.id,
        at: r.at,
        issued: r.action === "tenant.access_token_issued",
        actorType: r.actorType,
        actorLabel: r.actorLabel,
        requestId: r.requestId,
        method: str(d.method),
        resource: str(d.resource),
        scopes: Array.isArray(d.scopes) ? d.scopes.filter((s): s is string => typeof s === "string") : [],
        expiresOn: str(d.expiresOn),
        fromCache: typeof d.fromCache === "boolean" ? d.fromCache : null,
        reason: str(d.reason),
      };
    }),
  };
}
