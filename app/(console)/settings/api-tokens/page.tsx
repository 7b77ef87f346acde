import type { Metadata } from "next";
import { listApiTokens } from "@/lib/api-tokens/manage";
import { requireAdmin } from "@/lib/auth/session";
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
  return <ApiTokensView tokens={tokens} renderedAt={now.getTime()} />;
}
