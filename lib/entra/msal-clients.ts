import "server-only";
import { createHash, randomUUID } from "node:crypto";
import {
  AuthError,
  ConfidentialClientApplication,
  InteractionRequiredAuthError,
  LogLevel,
  ServerError,
  type AccountInfo,
  type AuthenticationResult,
  type Configuration,
} from "@azure/msal-node";
import { authorityMetadata } from "./authority";
import type { CloudEndpoints } from "./clouds";
import type { EntraFailure, Flow } from "./classify";
import { failureFromTokenResponse } from "./classify";
import {
  CacheMissError,
  CallCancelledError,
  EntraCallError,
  msalNetworkModule,
  withMsalContext,
  type CallTrace,
  type MsalCallContext,
  type RetryPolicy,
} from "./http";

/**
 * Every v2.0 token comes from msal-node (v1.0 ones from ./v1-client.ts; callers choose with ./token-client.ts), and every ConfidentialClientApplication is built
 * here (buildConfig): authority metadata from lib/entra/authority.ts, the network module of
 * lib/entra/http.ts (guarded transport, timeouts, Retry-After, retries) with msal-node's own retries off,
 * and each call's failure turned into an EntraFailure for lib/entra/classify.ts. Callers say who waits
 * with `policy` (callPolicy in http.ts). App-only clients are pooled per (cloud host, client id,
 * credential) and reused across tenants with the authority set per request, so one client serves
 * thousands of tenants; delegated flows get a short-lived client holding one tenant's token cache.
 * @see https://learn.microsoft.com/en-us/entra/msal/javascript/node/caching#multi-tenant-confidential-client-applications
 */

export type AppCredential =
  | { kind: "secret"; secret: string }
  | { kind: "certificate"; privateKeyPem: string; certificatePem?: string; thumbprintSha256?: string; thumbprintSha1?: string };

export type TokenCallOptions = {
  endpoints: CloudEndpoints;
  clientId: string;
  credential: AppCredential;
  /** Tenant GUID or domain: the request authority is `${loginBase}/${tenant}`. */
  tenant: string;
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: MsalCallContext["onRetry"];
};

export type TokenSuccess = {
  ok: true;
  accessToken: string;
  expiresOn: Date | null;
  account: AccountInfo | null;
  idTokenClaims: Record<string, unknown>;
  correlationId: string;
  ms: number;
  attempts: number;
};
export type TokenFailure = { ok: false; failure: EntraFailure; ms: number };
export type TokenResult = TokenSuccess | TokenFailure;

const POOL_LIMIT = 256;
const pool = new Map<string, Promise<ConfidentialClientApplication>>();
let clientsCreated = 0;

/** How many app-only clients were built; the benchmark shows it stays at one per app and cloud. */
export function msalClientStats() {
  return { pooled: pool.size, created: clientsCreated };
}

/** A digest naming an app credential (never the credential itself): pool keys, the credential gate. */
export function credentialFingerprint(c: AppCredential): string {
  const material = c.kind === "secret" ? `s:${c.secret}` : `c:${c.thumbprintSha256 ?? c.thumbprintSha1 ?? ""}:${c.privateKeyPem}`;
  return createHash("sha256").update(material).digest("base64url");
}

async function buildConfig(
  endpoints: CloudEndpoints,
  clientId: string,
  credential: AppCredential,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<Configuration> {
  const metadata = await authorityMetadata(endpoints, policy, signal);
  return {
    auth: {
      clientId,
      authority: `${endpoints.loginBase}/organizations`,
      knownAuthorities: endpoints.knownAuthorities,
      authorityMetadata: metadata,
      ...(credential.kind === "secret"
        ? { clientSecret: credential.secret }
        : {
            clientCertificate: {
              privateKey: credential.privateKeyPem,
              ...(credential.thumbprintSha256 ? { thumbprintSha256: credential.thumbprintSha256 } : { thumbprint: credential.thumbprintSha1 }),
            },
          }),
    },
    system: {
      networkClient: msalNetworkModule,
      // Retries are ours (http.ts): msal-node's would not honour fractional Retry-After.
      disableInternalRetries: true,
      loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => {} },
    },
  };
}

/**
 * The pool holds promises so that concurrent first requests share one client. Verification's client drops
 * its tokens after every call (acquireAppToken); the access-token broker's (`cache: "serve"`) keeps them,
 * so it is a separate client of the same app.
 */
function pooledClient(o: TokenCallOptions, cache: "drop" | "serve" = "drop"): Promise<ConfidentialClientApplication> {
  const key = `${o.endpoints.loginHost}|${o.clientId}|${credentialFingerprint(o.credential)}|${cache}`;
  const existing = pool.get(key);
  if (existing) {
    pool.delete(key);
    pool.set(key, existing);
    return existing;
  }
  const created = buildConfig(o.endpoints, o.clientId, o.credential, o.policy, o.signal).then((config) => {
    clientsCreated++;
    return new ConfidentialClientApplication(config);
  });
  created.catch(() => pool.delete(key));
  pool.set(key, created);
  if (pool.size > POOL_LIMIT) pool.delete(pool.keys().next().value!);
  return created;
}

/** Builds a short-lived client for one tenant's own token cache (delegated flows); no discovery happens. */
async function transientClient(o: TokenCallOptions): Promise<ConfidentialClientApplication> {
  return new ConfidentialClientApplication(await buildConfig(o.endpoints, o.clientId, o.credential, o.policy, o.signal));
}

const singleFlight = new Map<string, Promise<TokenResult>>();

/**
 * A fresh client-credentials token (skipCache): a secret revoked a second ago must show as failed.
 * Concurrent requests for the same (app, credential, tenant) share one call.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 */
export function acquireAppToken(o: TokenCallOptions): Promise<TokenResult> {
  const key = `cc|${o.endpoints.loginHost}|${o.clientId}|${credentialFingerprint(o.credential)}|${o.tenant.toLowerCase()}`;
  const existing = singleFlight.get(key);
  if (existing) return existing;
  const p = runTokenCall("client_credentials", o, async (correlationId) => {
    const cca = await pooledClient(o);
    try {
      return await cca.acquireTokenByClientCredential({
        scopes: [o.endpoints.graphDefaultScope],
        authority: `${o.endpoints.loginBase}/${o.tenant}`,
        skipCache: true,
        correlationId,
      });
    } finally {
      // skipCache still stores every token, and msal-node scans all stored tokens on each store: over
      // thousands of tenants that is quadratic. Nothing reads them back, so drop them (authority metadata stays).
      cca.clearCache();
    }
  }).finally(() => singleFlight.delete(key));
  singleFlight.set(key, p);
  return p;
}

/** A served token: `fromCache` when msal-node's cache answered without a call to Microsoft. */
export type ServedToken = (TokenSuccess & { fromCache: boolean; scopes: string[] }) | TokenFailure;

/**
 * A client-credentials token for the access-token broker, from msal-node's cache while it is valid (msal
 * renews it 5 minutes before expiry). Concurrent requests for the same (app, credential, tenant, scope)
 * share one call, so a burst makes at most one request to Microsoft per token lifetime and process.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * @see https://learn.microsoft.com/en-us/entra/msal/javascript/node/caching
 */
export function serveAppToken(o: TokenCallOptions & { scope: string }): Promise<ServedToken> {
  const key = `serve|${o.endpoints.loginHost}|${o.clientId}|${credentialFingerprint(o.credential)}|${o.tenant.toLowerCase()}|${o.scope.toLowerCase()}`;
  const existing = servedFlight.get(key);
  if (existing) return existing;
  let fromCache = true;
  const p = runTokenCall("client_credentials", o, async (correlationId) => {
    const cca = await pooledClient(o, "serve");
    const result = await cca.acquireTokenByClientCredential({ scopes: [o.scope], authority: `${o.endpoints.loginBase}/${o.tenant}`, correlationId });
    fromCache = result?.fromCache ?? false;
    return result;
  })
    .then((r): ServedToken => (r.ok ? { ...r, fromCache, scopes: [o.scope] } : r))
    .finally(() => servedFlight.delete(key));
  servedFlight.set(key, p);
  return p;
}

const servedFlight = new Map<string, Promise<ServedToken>>();

/**
 * A delegated token for the access-token broker from a tenant's stored MSAL cache: the cached access
 * token while it is valid, else (unless `cacheOnly`) redeemed with the refresh token, which rotates; the
 * caller stores the returned cache. `cacheOnly` answers `cacheMiss` instead of calling Microsoft.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens
 */
export async function serveDelegatedToken(
  o: TokenCallOptions & { cacheJson: string; homeAccountId?: string | null; scopes: string[]; cacheOnly: boolean },
): Promise<(TokenSuccess & { fromCache: boolean; scopes: string[]; cacheJson: string }) | TokenFailure | { ok: false; cacheMiss: true }> {
  let cca: ConfidentialClientApplication;
  try {
    cca = await transientClient(o);
  } catch (e) {
    return { ok: false, failure: failureFromThrown("refresh_token", e, undefined, randomUUID()), ms: 0 };
  }
  const cache = cca.getTokenCache();
  try {
    cache.deserialize(o.cacheJson);
  } catch {
    return { ok: false, failure: { flow: "refresh_token", kind: "server", error: "invalid_cache", libraryCode: "cache_unreadable" }, ms: 0 };
  }
  const accounts = await cache.getAllAccounts();
  const account = (o.homeAccountId ? accounts.find((a) => a.homeAccountId === o.homeAccountId) : undefined) ?? accounts[0];
  if (!account) {
    return { ok: false, failure: { flow: "refresh_token", kind: "server", error: "no_account", libraryCode: "no_account_in_cache" }, ms: 0 };
  }
  let fromCache = true;
  let missed = false;
  const lookup = o.cacheOnly ? (cachedDefaultScopes(o.cacheJson, account.homeAccountId, o.clientId, o.scopes, o.endpoints) ?? o.scopes) : o.scopes;
  const result = await runTokenCall(
    "refresh_token",
    o,
    async (correlationId) => {
      const r = await cca.acquireTokenSilent({ account, scopes: lookup, authority: `${o.endpoints.loginBase}/${o.tenant}`, correlationId });
      fromCache = r?.fromCache ?? false;
      return r;
    },
    (ctx) => {
      missed = Boolean(ctx.cacheMiss);
    },
    o.cacheOnly,
  );
  if (missed) return { ok: false, cacheMiss: true };
  if (!result.ok) return result;
  return { ...result, fromCache, scopes: o.scopes, cacheJson: cache.serialize() };
}

const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

/**
 * For a delegated `<resource>/.default` request, the scopes of the newest cached access token of that
 * resource. Entra answers `.default` with the granted scopes and msal-node caches the token under those,
 * so a second `.default` lookup would miss and redeem the refresh token on every request. Entra names
 * Microsoft Graph's scopes without the resource, other resources' with it. Reads msal-node's documented
 * cache schema, as `refreshTokenExpiry` (lib/methods/auth-token.ts) does.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#the-default-scope
 */
function cachedDefaultScopes(cacheJson: string, homeAccountId: string, clientId: string, scopes: string[], endpoints: CloudEndpoints): string[] | null {
  if (scopes.length !== 1 || !scopes[0]!.toLowerCase().endsWith("/.default")) return null;
  const resource = scopes[0]!.slice(0, -"/.default".length).replace(/\/+$/, "").toLowerCase();
  const isGraph = resource === endpoints.graphResource.replace(/\/+$/, "").toLowerCase();
  try {
    const cache = JSON.parse(cacheJson) as {
      AccessToken?: Record<string, { home_account_id?: string; client_id?: string; target?: string; cached_at?: string }>;
    };
    let best: { scopes: string[]; at: number } | null = null;
    for (const entry of Object.values(cache.AccessToken ?? {})) {
      if (entry.home_account_id !== homeAccountId || entry.client_id?.toLowerCase() !== clientId.toLowerCase() || !entry.target) continue;
      const target = entry.target.split(" ").filter((t) => t && !OIDC_SCOPES.has(t.toLowerCase()));
      const ofResource = (t: string) => t.toLowerCase().startsWith(`${resource}/`) || (isGraph && !t.includes("://"));
      if (target.length === 0 || !target.every(ofResource)) continue;
      const at = Number(entry.cached_at) || 0;
      if (!best || at > best.at) best = { scopes: target, at };
    }
    return best?.scopes ?? null;
  } catch {
    return null;
  }
}

export type DelegatedResult = (TokenSuccess & { cacheJson: string }) | TokenFailure;

/**
 * Redeems the refresh token in a tenant's stored MSAL cache (forceRefresh), which proves it is alive and
 * rotates it; the caller stores the returned cache.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens
 */
export async function refreshDelegatedToken(o: TokenCallOptions & { cacheJson: string; homeAccountId?: string | null }): Promise<DelegatedResult> {
  let cca: ConfidentialClientApplication;
  try {
    cca = await transientClient(o);
  } catch (e) {
    return { ok: false, failure: failureFromThrown("refresh_token", e, undefined, randomUUID()), ms: 0 };
  }
  const cache = cca.getTokenCache();
  try {
    cache.deserialize(o.cacheJson);
  } catch {
    return { ok: false, failure: { flow: "refresh_token", kind: "server", error: "invalid_cache", libraryCode: "cache_unreadable" }, ms: 0 };
  }
  const accounts = await cache.getAllAccounts();
  const account = (o.homeAccountId ? accounts.find((a) => a.homeAccountId === o.homeAccountId) : undefined) ?? accounts[0];
  if (!account) {
    return { ok: false, failure: { flow: "refresh_token", kind: "server", error: "no_account", libraryCode: "no_account_in_cache" }, ms: 0 };
  }
  const result = await runTokenCall("refresh_token", o, (correlationId) =>
    cca.acquireTokenSilent({
      account,
      scopes: [o.endpoints.graphDefaultScope],
      authority: `${o.endpoints.loginBase}/${o.tenant}`,
      forceRefresh: true,
      correlationId,
    }),
  );
  if (!result.ok) return result;
  return { ...result, cacheJson: cache.serialize() };
}

/**
 * Redeems the authorization code of the consent callback (PKCE, and the nonce, which msal-node compares
 * with the ID token's: a replayed or injected code fails as `config` with libraryCode `nonce_mismatch`).
 * Returns the new token cache for the caller to store.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
 */
export async function redeemAuthCode(
  o: TokenCallOptions & { code: string; codeVerifier: string; redirectUri: string; scopes: string[]; nonce: string },
): Promise<DelegatedResult> {
  let cca: ConfidentialClientApplication;
  try {
    cca = await transientClient(o);
  } catch (e) {
    return { ok: false, failure: failureFromThrown("authorization_code", e, undefined, randomUUID()), ms: 0 };
  }
  const result = await runTokenCall("authorization_code", o, (correlationId) =>
    cca.acquireTokenByCode({
      code: o.code,
      codeVerifier: o.codeVerifier,
      redirectUri: o.redirectUri,
      scopes: o.scopes,
      authority: `${o.endpoints.loginBase}/${o.tenant}`,
      nonce: o.nonce,
      correlationId,
    }),
  );
  if (!result.ok) return result;
  return { ...result, cacheJson: cca.getTokenCache().serialize() };
}

/**
 * Resource-owner password credentials. Kept only for tenants still on the legacy method.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth-ropc
 */
export async function acquireTokenByPassword(o: TokenCallOptions & { username: string; password: string }): Promise<TokenResult> {
  let cca: ConfidentialClientApplication;
  try {
    // A user's tokens must not accumulate in the shared app-only client's cache.
    cca = await transientClient(o);
  } catch (e) {
    return { ok: false, failure: failureFromThrown("password", e, undefined, randomUUID()), ms: 0 };
  }
  return runTokenCall("password", o, (correlationId) =>
    cca.acquireTokenByUsernamePassword({
      username: o.username,
      password: o.password,
      scopes: [o.endpoints.graphDefaultScope],
      authority: `${o.endpoints.loginBase}/${o.tenant}`,
      correlationId,
    }),
  );
}

async function runTokenCall(
  flow: Flow,
  o: TokenCallOptions,
  call: (correlationId: string) => Promise<AuthenticationResult | null>,
  after?: (ctx: MsalCallContext) => void,
  cacheOnly = false,
): Promise<TokenResult> {
  const correlationId = randomUUID();
  const ctx: MsalCallContext = { flow, policy: o.policy, signal: o.signal, onRetry: o.onRetry, cacheOnly };
  const t0 = performance.now();
  try {
    const result = await withMsalContext(correlationId, ctx, () => call(correlationId)).finally(() => after?.(ctx));
    const ms = performance.now() - t0;
    if (!result?.accessToken) {
      return { ok: false, failure: { flow, kind: "server", correlationId, libraryCode: "empty_result" }, ms };
    }
    return {
      ok: true,
      accessToken: result.accessToken,
      expiresOn: result.expiresOn,
      account: result.account,
      idTokenClaims: (result.idTokenClaims ?? {}) as Record<string, unknown>,
      correlationId,
      ms,
      attempts: ctx.trace?.attempts.length ?? 1,
    };
  } catch (e) {
    if (e instanceof CallCancelledError || o.signal?.aborted) throw new CallCancelledError();
    if (e instanceof CacheMissError || ctx.cacheMiss) return { ok: false, failure: { flow, kind: "config", libraryCode: "cache_miss", correlationId }, ms: 0 };
    return { ok: false, failure: failureFromThrown(flow, e, ctx, correlationId), ms: performance.now() - t0 };
  }
}

/** Turns what msal-node threw into a failure, preferring the raw token-endpoint answer we recorded. */
function failureFromThrown(flow: Flow, e: unknown, ctx: MsalCallContext | undefined, correlationId: string): EntraFailure {
  if (e instanceof EntraCallError) return { ...e.failure, flow, correlationId: e.failure.correlationId || correlationId };
  if (ctx?.failure) return { ...ctx.failure, flow };
  const trace: CallTrace | undefined = ctx?.trace;
  // A 200 that msal-node then refused (nonce mismatch, unreadable response) is its own error, below.
  if (trace?.last && trace.last.status >= 400) {
    return failureFromTokenResponse({
      flow,
      endpoint: trace.endpoint,
      status: trace.last.status,
      headers: trace.last.headers,
      body: trace.last.body,
      attempts: trace.attempts.length,
    });
  }
  if (e instanceof InteractionRequiredAuthError || e instanceof ServerError) {
    const errorNo = Number(e.errorNo);
    return {
      flow,
      kind: "server",
      error: e.errorCode,
      errorCodes: Number.isFinite(errorNo) && errorNo > 0 ? [errorNo] : undefined,
      suberror: e.subError || undefined,
      correlationId: e.correlationId || correlationId,
      traceId: e instanceof InteractionRequiredAuthError ? e.traceId || undefined : undefined,
      timestamp: e instanceof InteractionRequiredAuthError ? e.timestamp || undefined : undefined,
      httpStatus: e instanceof ServerError ? e.status : undefined,
    };
  }
  if (e instanceof AuthError) {
    return { flow, kind: "config", libraryCode: e.errorCode, correlationId };
  }
  return { flow, kind: "config", libraryCode: e instanceof Error ? e.name : "unknown", correlationId };
}

/** Drops pooled clients, e.g. after the provider app's credential changes or in tests. */
export function clearMsalClients() {
  pool.clear();
}
