import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";
import { invalidField, refuse, type Result } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { tagColorOf, type TagColor } from "@/lib/tags/palette";
import { normalizeResource, parseScope, type AccessTokenGrantInput, type ParsedScope, type TenantScope } from "@/lib/validations/access-tokens";

/**
 * Grants of the access-token broker: which API token (or Entra client app) may ask for access tokens of
 * which tenants (all, a list, or those with any of some tags), for which resources and scopes, how often.
 * Off by default: a caller without a grant row is refused. Authorization is the caller's (lib/commands).
 */

export type GrantContext = { actor: AuditActor; requestId?: string };

/** The caller as a grant names it. */
export type GrantSubject = { kind: "api_token"; tokenId: string } | { kind: "entra_client"; appId: string };

export type Grant = {
  id: string;
  apiTokenId: string | null;
  entraAppId: string | null;
  tenantScope: TenantScope;
  tenantIds: string[];
  tagIds: string[];
  resources: string[];
  scopes: string[];
  ratePerMinute: number;
};

export type GrantView = Grant & {
  tenants: { id: string; customerId: string; displayName: string }[];
  tags: { id: string; name: string; color: TagColor }[];
  updatedAt: string;
  updatedBy: string;
};

/** A stored JSON list of strings; anything else reads as empty (a grant then allows less, never more). */
function strings(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
  } catch {
    return [];
  }
}

type GrantRow = Awaited<ReturnType<typeof db.accessTokenGrant.findFirstOrThrow>>;

function grantOf(row: GrantRow): Grant {
  return {
    id: row.id,
    apiTokenId: row.apiTokenId,
    entraAppId: row.entraAppId,
    tenantScope: (["ALL", "LIST", "TAGS"].includes(row.tenantScope) ? row.tenantScope : "LIST") as TenantScope,
    tenantIds: strings(row.tenantIds),
    tagIds: strings(row.tagIds),
    resources: strings(row.resources),
    scopes: strings(row.scopes),
    ratePerMinute: row.ratePerMinute,
  };
}

export async function grantFor(subject: GrantSubject): Promise<Grant | null> {
  const row = await db.accessTokenGrant.findUnique({
    where: subject.kind === "api_token" ? { apiTokenId: subject.tokenId } : { entraAppId: subject.appId.toLowerCase() },
  });
  return row ? grantOf(row) : null;
}

/**
 * Why the grant does not cover the request, or null when it does (pure). A resource in the grant allows
 * every scope of it; a scope in the grant allows that scope only.
 */
export function refusalOf(grant: Grant, tenant: { id: string; tagIds: string[] }, scopes: string[]): string | null {
  if (grant.tenantScope === "LIST" && !grant.tenantIds.includes(tenant.id)) return "The grant does not include this tenant.";
  if (grant.tenantScope === "TAGS" && !tenant.tagIds.some((t) => grant.tagIds.includes(t))) {
    return "The grant covers tenants by tag, and this tenant has none of its tags.";
  }
  const resources = new Set(grant.resources.map(normalizeResource));
  const allowed = new Set(grant.scopes.map((s) => s.trim().toLowerCase()));
  for (const scope of scopes) {
    const parsed = parseScope(scope) as ParsedScope;
    if (resources.has(normalizeResource(parsed.resource))) continue;
    if (allowed.has(scope.toLowerCase())) continue;
    return `The grant does not allow the scope ${scope}.`;
  }
  return null;
}

/** Every grant, with the names of its tenants and tags, for Settings → API tokens. */
export async function listGrants(): Promise<GrantView[]> {
  const rows = await db.accessTokenGrant.findMany({ orderBy: { createdAt: "asc" } });
  const grants = rows.map((r) => ({ grant: grantOf(r), row: r }));
  const tenantIds = [...new Set(grants.flatMap((g) => g.grant.tenantIds))];
  const tagIds = [...new Set(grants.flatMap((g) => g.grant.tagIds))];
  const [tenants, tags] = await Promise.all([
    tenantIds.length ? db.tenant.findMany({ where: { id: { in: tenantIds } }, select: { id: true, customerId: true, displayName: true } }) : [],
    tagIds.length ? db.tag.findMany({ where: { id: { in: tagIds } }, select: { id: true, name: true, color: true } }) : [],
  ]);
  const tenantById = new Map(tenants.map((t) => [t.id, t]));
  const tagById = new Map(tags.map((t) => [t.id, { id: t.id, name: t.name, color: tagColorOf(t.color) }]));
  return grants.map(({ grant, row }) => ({
    ...grant,
    tenants: grant.tenantIds.flatMap((id) => tenantById.get(id) ?? []),
    tags: grant.tagIds.flatMap((id) => tagById.get(id) ?? []),
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  }));
}

/** Creates or replaces the grant of an API token or an Entra client. */
export async function saveGrant(input: AccessTokenGrantInput, ctx: GrantContext): Promise<Result<{ id: string }>> {
  if (input.apiTokenId) {
    const token = await db.apiToken.findUnique({ where: { id: input.apiTokenId }, select: { revokedAt: true, expiresAt: true } });
    if (!token) return refuse("not-found", "This API token does not exist.");
    if (token.revokedAt || token.expiresAt <= new Date()) return refuse("conflict", "This API token is revoked or expired: it cannot be given a grant.");
  }
  let tenantIds: string[] = [];
  if (input.tenantScope === "LIST") {
    const found = await db.tenant.findMany({ where: { customerId: { in: input.customerIds } }, select: { id: true, customerId: true } });
    const known = new Set(found.map((t: { customerId: string }) => t.customerId));
    const unknown = input.customerIds.filter((c: string) => !known.has(c));
    if (unknown.length) return invalidField("customerIds", `No tenant has the customer ID ${unknown.slice(0, 5).join(", ")}.`);
    tenantIds = found.map((t) => t.id);
  }
  let tagIds: string[] = [];
  if (input.tenantScope === "TAGS") {
    const found = await db.tag.findMany({ where: { id: { in: input.tagIds } }, select: { id: true } });
    if (found.length !== input.tagIds.length) return invalidField("tagIds", "A chosen tag no longer exists.");
    tagIds = input.tagIds;
  }
  const label = ctx.actor.label;
  const data = {
    tenantScope: input.tenantScope,
    tenantIds: JSON.stringify(tenantIds),
    tagIds: JSON.stringify(tagIds),
    resources: JSON.stringify(input.resources),
    scopes: JSON.stringify(input.scopes),
    ratePerMinute: input.ratePerMinute,
    updatedBy: label,
  };
  const where = input.apiTokenId ? { apiTokenId: input.apiTokenId } : { entraAppId: input.entraAppId! };
  let id: string;
  try {
    const row = await db.accessTokenGrant.upsert({
      where,
      create: { id: newId(), ...where, ...data, createdBy: label },
      update: data,
      select: { id: true },
    });
    id = row.id;
  } catch (e) {
    if (isUniqueViolation(e)) return refuse("conflict", "The grant was changed at the same moment by someone else; try again.");
    throw e;
  }
  await recordAudit({
    action: "access_grant.saved",
    actor: ctx.actor,
    requestId: ctx.requestId,
    target: input.apiTokenId ? { type: "api_token", id: input.apiTokenId } : { type: "entra_client", id: input.entraAppId! },
    details: {
      tenantScope: input.tenantScope,
      tenants: tenantIds.length,
      tags: tagIds,
      resources: input.resources,
      scopes: input.scopes,
      ratePerMinute: input.ratePerMinute,
    },
  });
  return { ok: true, data: { id } };
}

export async function removeGrant(id: string, ctx: GrantContext): Promise<Result<null>> {
  const row = await db.accessTokenGrant.findUnique({ where: { id }, select: { apiTokenId: true, entraAppId: true } });
  if (!row) return refuse("not-found", "This grant no longer exists.");
  await db.accessTokenGrant.deleteMany({ where: { id } });
  await recordAudit({
    action: "access_grant.removed",
    actor: ctx.actor,
    requestId: ctx.requestId,
    target: row.apiTokenId ? { type: "api_token", id: row.apiTokenId } : { type: "entra_client", id: row.entraAppId ?? id },
  });
  return { ok: true, data: null };
}

/** The tenant's kill switch: while blocked, no access token is issued for it, whatever the grants say. */
export async function setAccessTokensBlocked(tenantId: string, blocked: boolean, ctx: GrantContext): Promise<Result<{ blocked: boolean }>> {
  const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { id: true } });
  if (!tenant) return refuse("not-found", "The tenant no longer exists.");
  if (blocked) {
    try {
      await db.tenantAccessTokenBlock.create({ data: { tenantId, blockedBy: ctx.actor.label } });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return { ok: true, data: { blocked: true } };
    }
  } else {
    const { count } = await db.tenantAccessTokenBlock.deleteMany({ where: { tenantId } });
    if (count === 0) return { ok: true, data: { blocked: false } };
  }
  await recordAudit({
    action: blocked ? "tenant.access_tokens_blocked" : "tenant.access_tokens_allowed",
    actor: ctx.actor,
    requestId: ctx.requestId,
    target: { type: "tenant", id: tenantId },
  });
  return { ok: true, data: { blocked } };
}
