import "server-only";
import { generateApiToken } from "@/lib/api-tokens/format";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { CHECK_FIELDS, CommandError, type FieldErrors } from "@/lib/errors";
import type { AdminRole } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/ids";
import { apiTokenInputSchema, latestApiTokenExpiry, type ApiTokenInput } from "@/lib/validations/api-token";

/**
 * Creating, listing and revoking API tokens (Settings → API tokens). Authorization is the caller's (the
 * commands in lib/commands/api-tokens.ts allow administrators only). Refusals are thrown as CommandErrors
 * (duplicate name, expiry out of bounds, unknown or already revoked token). The token itself leaves this module once, as the result of
 * createApiToken; only its SHA-256 and its 12-character display prefix are stored, so a database copy
 * cannot be replayed against the API. Revoked tokens stay in the table for the audit trail.
 */

export type ApiTokenContext = { actor: AuditActor; requestId?: string; now?: Date };

export type ApiTokenStatus = "ACTIVE" | "EXPIRED" | "REVOKED";

export type ApiTokenListItem = {
  id: string;
  name: string;
  prefix: string;
  role: AdminRole;
  status: ApiTokenStatus;
  createdAt: Date;
  createdBy: string;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
  lastUsedFrom: string | null;
};

const invalid = (fieldErrors: FieldErrors) => new CommandError("validation", CHECK_FIELDS, { fieldErrors });

function tokenStatus(t: { revokedAt: Date | null; expiresAt: Date }, now: Date): ApiTokenStatus {
  if (t.revokedAt) return "REVOKED";
  return t.expiresAt.getTime() <= now.getTime() ? "EXPIRED" : "ACTIVE";
}

export async function createApiToken(input: ApiTokenInput, ctx: ApiTokenContext): Promise<{ id: string; token: string; prefix: string }> {
  const now = ctx.now ?? new Date();
  const parsed = apiTokenInputSchema.safeParse(input);
  if (!parsed.success) {
    throw invalid(parsed.error.flatten().fieldErrors);
  }
  const { name, role, expiresAt } = parsed.data;
  if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now.getTime()) {
    throw invalid({ expiresAt: ["The expiry must be in the future."] });
  }
  if (expiresAt.getTime() > latestApiTokenExpiry(now).getTime()) {
    throw invalid({ expiresAt: ["A token may live at most two years."] });
  }

  const { token, hash, prefix } = generateApiToken();
  const id = newId();
  // The name tells tokens apart in the list, the audit log and the API's audit actor, so two active tokens
  // may not share it (ignoring case). A revoked or expired token frees its name.
  await db.$transaction(async (tx) => {
    const active = await tx.apiToken.findMany({ where: { revokedAt: null, expiresAt: { gt: now } }, select: { name: true } });
    if (active.some((t) => t.name.toLowerCase() === name.toLowerCase())) {
      throw invalid({ name: [`An active token is already named ${name}. Choose another name or revoke that token first.`] });
    }
    await tx.apiToken.create({ data: { id, name, role, tokenHash: hash, prefix, createdAt: now, createdBy: ctx.actor.label, expiresAt } });
  });
  await recordAudit({
    action: "api_token.created",
    actor: ctx.actor,
    target: { type: "api_token", id },
    requestId: ctx.requestId,
    details: { tokenName: name, prefix, role, expiresAt: expiresAt.toISOString() },
  });
  return { id, token, prefix };
}

/** Every token, active ones first, newest first within each status. Never the hash. */
export async function listApiTokens(now: Date = new Date()): Promise<ApiTokenListItem[]> {
  const rows = await db.apiToken.findMany({
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      name: true,
      prefix: true,
      role: true,
      createdAt: true,
      createdBy: true,
      expiresAt: true,
      revokedAt: true,
      revokedBy: true,
      lastUsedAt: true,
      lastUsedFrom: true,
    },
  });
  const order: Record<ApiTokenStatus, number> = { ACTIVE: 0, EXPIRED: 1, REVOKED: 2 };
  return rows.map((r) => ({ ...r, status: tokenStatus(r, now) })).sort((a, b) => order[a.status] - order[b.status]);
}

export async function revokeApiToken(id: string, ctx: ApiTokenContext): Promise<{ name: string }> {
  const now = ctx.now ?? new Date();
  const row = await db.apiToken.findUnique({ where: { id }, select: { name: true, prefix: true, revokedAt: true } });
  if (!row) throw new CommandError("not-found", "This API token does not exist.");
  // The condition on revokedAt keeps the first revocation's time and author when two admins revoke at once.
  const { count } = await db.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now, revokedBy: ctx.actor.label } });
  if (count === 0) throw new CommandError("conflict", `${row.name} is already revoked.`);
  await recordAudit({
    action: "api_token.revoked",
    actor: ctx.actor,
    target: { type: "api_token", id },
    requestId: ctx.requestId,
    details: { tokenName: row.name, prefix: row.prefix },
  });
  return { name: row.name };
}
