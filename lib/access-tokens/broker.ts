import "server-only";
import { db } from "@/lib/db";
import { classifyFailure, type EntraFailure } from "@/lib/entra/classify";
import { callPolicy } from "@/lib/entra/http";
import { serveAppToken } from "@/lib/entra/msal-clients";
import { reasons } from "@/lib/entra/reasons";
import { refuse } from "@/lib/errors";
import type { MethodId } from "@/lib/methods";
import type { AccessTokenRequest } from "@/lib/validations/access-tokens";
import { tokenSetup } from "@/lib/verification/check";
import { choiceFor, loadRegistrations, loadTenant } from "@/lib/verification/store";
import { serveDelegated } from "./delegated";
import { grantFor, refusalOf, type Grant, type GrantSubject } from "./grants";

/**
 * The access-token broker: short-lived access tokens for the MSP's own automation, minted from a tenant's
 * stored credential with the same app, hosts and token client verification uses (`tokenSetup` in
 * lib/verification/check.ts): client credentials for application registration tenants, the refresh
 * token for auth-token tenants (./delegated.ts), never for the legacy username + password. Tokens are
 * served from msal-node's cache while valid. The refresh token, secret or certificate never leave here.
 */

export type IssuedToken = {
  accessToken: string;
  expiresOn: Date;
  scopes: string[];
  resource: string;
  method: MethodId;
  fromCache: boolean;
};

export type Caller = { subject: GrantSubject; appRoles?: string[] };

/** A refusal with the reason, for the caller and the audit row. */
export type BrokerRefusal = { ok: false; code: "forbidden" | "not-found" | "conflict" | "validation"; reason: string; field?: string };

/** Whether the caller may get a token of the tenant for the scopes: the kill switch, then the grant. */
export async function authorizeIssue(subject: GrantSubject, tenantId: string, scopes: string[]): Promise<{ ok: true; grant: Grant } | BrokerRefusal> {
  const [tenant, block, grant] = await Promise.all([
    db.tenant.findUnique({ where: { id: tenantId }, select: { id: true, tags: { select: { tagId: true } } } }),
    db.tenantAccessTokenBlock.findUnique({ where: { tenantId }, select: { blockedAt: true } }),
    grantFor(subject),
  ]);
  if (!tenant) return { ok: false, code: "not-found", reason: "The tenant no longer exists." };
  if (!grant) {
    return { ok: false, code: "forbidden", reason: "This caller has no access-token grant: an Administrator allows it on Settings → API tokens." };
  }
  if (block) return { ok: false, code: "forbidden", reason: "Access tokens are switched off for this tenant (its kill switch on the tenant page)." };
  const refusal = refusalOf(grant, { id: tenant.id, tagIds: tenant.tags.map((t) => t.tagId) }, scopes);
  return refusal ? { ok: false, code: "forbidden", reason: refusal } : { ok: true, grant };
}

function microsoftRefused(f: EntraFailure): BrokerRefusal {
  const reason = reasons[classifyFailure(f)];
  return { ok: false, code: "conflict", reason: `Microsoft did not issue the token: ${reason.title}. ${reason.explanation}` };
}

/** Mints (or serves from the cache) an access token of the tenant for the request's scopes. */
export async function mintAccessToken(
  tenantId: string,
  request: AccessTokenRequest,
  signal?: AbortSignal,
): Promise<{ ok: true; data: IssuedToken } | BrokerRefusal> {
  const loaded = await loadTenant(tenantId);
  if (!loaded) return { ok: false, code: "not-found", reason: "The tenant no longer exists." };
  const { tenant, credentials } = loaded;
  if (tenant.authMethod === "PASSWORD") {
    return {
      ok: false,
      code: "conflict",
      reason: "Access tokens are never issued for the legacy username + password method: switch the tenant to an app registration or an auth token.",
    };
  }
  const setup = tokenSetup(tenant, credentials, choiceFor(tenant, await loadRegistrations()));
  if (!setup.ok) return { ok: false, code: "conflict", reason: `The tenant's credential cannot mint tokens: ${setup.message}` };
  if (setup.setup.protocol.version === "v1") {
    return { ok: false, code: "conflict", reason: "The tenant's app registration uses the v1.0 token endpoint, which the broker does not serve." };
  }
  const { endpoints, app, authority } = setup.setup;
  const expiresOnOf = (d: Date | null) => d ?? new Date(Date.now() + 5 * 60_000);

  if (tenant.authMethod === "APP_REGISTRATION") {
    // Application permissions come as one token per resource: client credentials take `<resource>/.default` only.
    if (request.scopes.length !== 1 || !request.scopes[0]!.endsWith("/.default")) {
      return {
        ok: false,
        code: "validation",
        field: "scopes",
        reason: `An application registration tenant gets the app's application permissions: ask for the resource, or the one scope ${request.resource}/.default.`,
      };
    }
    const r = await serveAppToken({
      endpoints,
      clientId: app.clientId,
      credential: app.credential,
      tenant: authority,
      policy: callPolicy("sign_in"),
      signal,
      scope: request.scopes[0]!,
    });
    if (!r.ok) return microsoftRefused(r.failure);
    return {
      ok: true,
      data: {
        accessToken: r.accessToken,
        expiresOn: expiresOnOf(r.expiresOn),
        scopes: r.scopes,
        resource: request.resource,
        method: tenant.authMethod,
        fromCache: r.fromCache,
      },
    };
  }

  const cred = credentials.find((c) => c.kind === "MSAL_CACHE");
  if (!cred) return { ok: false, code: "conflict", reason: "The tenant has no stored delegated token: its admin must authorize the console first." };
  const r = await serveDelegated(cred.id, setup.setup, request.scopes, signal);
  if (!r.ok) return microsoftRefused(r.failure);
  return {
    ok: true,
    data: {
      accessToken: r.accessToken,
      expiresOn: expiresOnOf(r.expiresOn),
      scopes: r.scopes,
      resource: request.resource,
      method: tenant.authMethod,
      fromCache: r.fromCache,
    },
  };
}

export function refusalResult(r: BrokerRefusal) {
  return r.code === "validation" ? refuse("validation", "The request body is invalid.", { [r.field ?? "scopes"]: [r.reason] }) : refuse(r.code, r.reason);
}
