import "server-only";
import { z } from "zod";
import { authorizeIssue, mintAccessToken, refusalResult, type BrokerRefusal } from "@/lib/access-tokens/broker";
import { removeGrant, saveGrant, setAccessTokensBlocked, type GrantSubject } from "@/lib/access-tokens/grants";
import { consumeRateLimit } from "@/lib/api/rate-limit";
import { recordAudit } from "@/lib/audit";
import { CommandError, unwrap } from "@/lib/errors";
import { ACCESS_TOKEN_APP_ROLE, accessTokenGrantSchema, accessTokenRequestSchema } from "@/lib/validations/access-tokens";
import { defineCommand, issuesOf, type RunContext } from "./command";

/**
 * The access-token broker (lib/access-tokens): issuing a token is a REST caller's command, allowed by an
 * Administrator's grant; grants and the tenant's kill switch are Administrator commands.
 */

const idSchema = z.string().min(1, "This tenant does not exist.").max(64, "This tenant does not exist.");

async function refused(ctx: RunContext, tenantId: string, r: BrokerRefusal, scopes: string[]): Promise<never> {
  if (r.code === "forbidden") {
    await recordAudit({
      action: "tenant.access_token_refused",
      actor: ctx.actor,
      requestId: ctx.requestId,
      target: { type: "tenant", id: tenantId },
      details: { reason: r.reason, scopes },
    });
  }
  unwrap(refusalResult(r));
  throw new Error("unreachable");
}

/**
 * The only place an access token leaves the server: in this command's output. The audit row names the
 * caller, resource, scopes, expiry and request; never the token.
 */
export const issueAccessTokenCommand = defineCommand({
  name: "tenant.access_token",
  role: "OPERATOR",
  audit: "tenant.access_token_issued",
  denied: "Access tokens are issued to Operator or Administrator API callers with a grant.",
  input: z.object({ id: idSchema, body: z.unknown() }),
  run: async (ctx, input) => {
    const parsed = accessTokenRequestSchema.safeParse(input.body);
    if (!parsed.success) {
      const { fieldErrors, message } = issuesOf(parsed.error);
      throw new CommandError("validation", message ?? "The request body is invalid.", { fieldErrors });
    }
    const request = parsed.data;
    const grantee = ctx.grantee;
    if (!grantee) throw new CommandError("forbidden", "Access tokens are issued to API callers (an API token or an Entra client) only.");
    let subject: GrantSubject;
    if (grantee.kind === "api_token") subject = { kind: "api_token", tokenId: grantee.tokenId };
    else {
      if (!grantee.appId || !grantee.appRoles.includes(ACCESS_TOKEN_APP_ROLE)) {
        await refused(ctx, input.id, { ok: false, code: "forbidden", reason: `The Entra client needs the app role ${ACCESS_TOKEN_APP_ROLE}.` }, request.scopes);
      }
      subject = { kind: "entra_client", appId: grantee.appId };
    }
    const allowed = await authorizeIssue(subject, input.id, request.scopes);
    if (!allowed.ok) return refused(ctx, input.id, allowed, request.scopes);
    const rate = await consumeRateLimit({
      subject: `access-token:${allowed.grant.id}`,
      limit: allowed.grant.ratePerMinute,
      actor: ctx.actor,
      requestId: ctx.requestId,
    });
    if (!rate.allowed) {
      throw new CommandError("rate-limited", `The grant allows ${rate.limit} access tokens per minute. Try again in ${rate.resetSeconds} s.`, {
        retryAfterSeconds: rate.resetSeconds,
      });
    }
    const minted = await mintAccessToken(input.id, request, ctx.signal);
    if (!minted.ok) return refused(ctx, input.id, minted, request.scopes);
    const token = minted.data;
    await ctx.audit({
      target: { type: "tenant", id: input.id },
      details: {
        method: token.method,
        resource: token.resource,
        scopes: token.scopes,
        expiresOn: token.expiresOn.toISOString(),
        fromCache: token.fromCache,
        grant: allowed.grant.id,
      },
    });
    return token;
  },
});

export const saveAccessTokenGrantCommand = defineCommand({
  name: "access_grant.save",
  role: "ADMINISTRATOR",
  audit: "access_grant.saved",
  denied: "Only administrators can allow access tokens.",
  input: accessTokenGrantSchema,
  run: async (ctx, input) => unwrap(await saveGrant(input, ctx)),
});

export const removeAccessTokenGrantCommand = defineCommand({
  name: "access_grant.remove",
  role: "ADMINISTRATOR",
  audit: "access_grant.removed",
  denied: "Only administrators can change access-token grants.",
  input: z.object({ id: z.string().min(1).max(64) }),
  run: async (ctx, input) => unwrap(await removeGrant(input.id, ctx)),
});

export const setAccessTokensBlockedCommand = defineCommand({
  name: "tenant.access_tokens_block",
  role: "ADMINISTRATOR",
  audit: "tenant.access_tokens_blocked",
  denied: "Only administrators can switch access tokens off or on for a tenant.",
  input: z.object({ id: idSchema, blocked: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]) }),
  run: async (ctx, input) => unwrap(await setAccessTokensBlocked(input.id, input.blocked, ctx)),
});
