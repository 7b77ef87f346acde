import type { Metadata } from "next";
import { listGrants } from "@/lib/access-tokens/grants";
import { listApiTokens } from "@/lib/api-tokens/manage";
import { listTags } from "@/lib/data/tags";
import { requireAdmin } from "@/lib/auth/session";
import type { GrantRow } from "./access-grant-dialog";
import { ApiTokensView, type ApiTokenRow } from "./api-tokens-view";

export const metadata: Metadata = { title: "API tokens · Settings" };

/** Administrators only, like Settings → Admins: a token can carry the Administrator role. */
export default async function ApiTokensPage() {
  await requireAdmin("ADMINISTRATOR");
  const now = new Date();
  const tokens: ApiTokenRow[] = (await listApiTokens(now)).map((t) => ({
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    role: t.role,
    status: t.status,
    createdAt: t.createdAt.toISOString(),
    createdBy: t.createdBy,
    expiresAt: t.expiresAt.toISOString(),
    revokedAt: t.revokedAt?.toISOString() ?? null,
    revokedBy: t.revokedBy,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    lastUsedFrom: t.lastUsedFrom,
  }));
  const [grants, tags] = await Promise.all([listGrants(), listTags()]);
  const grantRows: GrantRow[] = grants.map((g) => ({
    id: g.id,
    apiTokenId: g.apiTokenId,
    entraAppId: g.entraAppId,
    tenantScope: g.tenantScope,
    customerIds: g.tenants.map((t) => t.customerId),
    tagIds: g.tagIds,
    tagNames: g.tags.map((t) => t.name),
    resources: g.resources,
    scopes: g.scopes,
    ratePerMinute: g.ratePerMinute,
  }));
  return <ApiTokensView tokens={tokens} renderedAt={now.getTime()} grants={grantRows} tags={tags.map((t) => ({ id: t.id, name: t.name }))} />;
}
