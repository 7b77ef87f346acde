import "server-only";
import { createPrivateKey, randomUUID, sign } from "node:crypto";
import type { AccountInfo } from "@azure/msal-node";
import { failureFromTokenResponse, type EntraFailure, type Flow } from "./classify";
import { CallCancelledError, EntraCallError, sendWithRetry } from "./http";
import type { AppCredential, DelegatedResult, TokenCallOptions, TokenResult } from "./msal-clients";

/**
 * The Entra v1.0 token endpoint (source 000's "v1.0" with a Resource). msal-node speaks only v2.0, so
 * these few grants are sent here, on the same transport (sendWithRetry: guarded outbound, the caller's
 * policy, Retry-After, retries) and classified by the same lib/entra/classify.ts: v1 error bodies carry
 * `error`, `error_description` and `error_codes` like v2. v1 differs in the request (`resource=` instead
 * of `scope=`) and in the response: numbers as strings (`expires_in`, `ext_expires_in`, `expires_on`,
 * `not_before`) and the `resource` the token is for.
 * @see https://learn.microsoft.com/en-us/previous-versions/azure/active-directory/azuread-dev/v1-oauth2-client-creds-grant-flow
 * @see https://learn.microsoft.com/en-us/previous-versions/azure/active-directory/azuread-dev/v1-protocols-oauth-code
 */

export type V1TokenOptions = TokenCallOptions & {
  /** The v1 resource (the API's App ID URI, e.g. https://graph.microsoft.com). */
  resource: string;
};

/** A v1 token response, its string numbers read as numbers. */
export type V1TokenResponse = {
  accessToken: string;
  tokenType: string;
  resource: string | null;
  expiresIn: number | null;
  extExpiresIn: number | null;
  /** Absolute expiry (`expires_on`, seconds since the epoch), else now + expires_in. */
  expiresOn: Date | null;
  notBefore: Date | null;
  refreshToken: string | null;
  idToken: string | null;
  scope: string | null;
};

/** Reads a number the v1 endpoint sends as a string (or, from some proxies, as a number). */
function numeric(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}

const str = (v: unknown) => (typeof v === "string" && v ? v : null);

/** Parses a successful v1 token response; null when it has no access token. */
export function parseV1TokenResponse(body: unknown, nowMs = Date.now()): V1TokenResponse | null {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const accessToken = str(b.access_token);
  if (!accessToken) return null;
  const expiresIn = numeric(b.expires_in);
  const expiresOnS = numeric(b.expires_on);
  const notBeforeS = numeric(b.not_before);
  return {
    accessToken,
    tokenType: str(b.token_type) ?? "Bearer",
    resource: str(b.resource),
    expiresIn,
    extExpiresIn: numeric(b.ext_expires_in),
    expiresOn: expiresOnS !== null ? new Date(expiresOnS * 1000) : expiresIn !== null ? new Date(nowMs + expiresIn * 1000) : null,
    notBefore: notBeforeS !== null ? new Date(notBeforeS * 1000) : null,
    refreshToken: str(b.refresh_token),
    idToken: str(b.id_token),
    scope: str(b.scope),
  };
}

export function v1TokenEndpoint(o: Pick<TokenCallOptions, "endpoints" | "tenant">): string {
  return `${o.endpoints.loginBase}/${encodeURIComponent(o.tenant)}/oauth2/token`;
}

/**
 * A certificate credential as a client assertion: RS256 with the SHA-1 thumbprint (`x5t`), which the
 * v1 endpoint accepts; PS256 with `x5t#S256` when only the SHA-256 thumbprint is known.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials
 */
export function clientAssertion(clientId: string, audience: string, c: Extract<AppCredential, { kind: "certificate" }>, nowMs = Date.now()): string {
  const b64 = (v: string | Buffer) => Buffer.from(v).toString("base64url");
  const sha1 = c.thumbprintSha1?.replace(/:/g, "");
  const header = sha1
    ? { alg: "RS256", typ: "JWT", x5t: Buffer.from(sha1, "hex").toString("base64url") }
    : { alg: "PS256", typ: "JWT", "x5t#S256": Buffer.from((c.thumbprintSha256 ?? "").replace(/:/g, ""), "hex").toString("base64url") };
  const nowS = Math.floor(nowMs / 1000);
  const payload = { aud: audience, iss: clientId, sub: clientId, jti: randomUUID(), nbf: nowS, iat: nowS, exp: nowS + 600 };
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const key = createPrivateKey(c.privateKeyPem);
  const signature =
    header.alg === "RS256"
      ? sign("sha256", Buffer.from(input), key)
      : sign("sha256", Buffer.from(input), { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 });
  return `${input}.${signature.toString("base64url")}`;
}

function credentialFields(o: TokenCallOptions, endpoint: string): Record<string, string> {
  if (o.credential.kind === "secret") return { client_secret: o.credential.secret };
  return {
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: clientAssertion(o.clientId, endpoint, o.credential),
  };
}

type V1Call = { ok: true; token: V1TokenResponse; correlationId: string; ms: number; attempts: number } | { ok: false; failure: EntraFailure; ms: number };

async function postToken(flow: Flow, o: V1TokenOptions, grant: Record<string, string>): Promise<V1Call> {
  const endpoint = v1TokenEndpoint(o);
  const correlationId = randomUUID();
  const t0 = performance.now();
  let form: URLSearchParams;
  try {
    form = new URLSearchParams({ client_id: o.clientId, resource: o.resource, ...grant, ...credentialFields(o, endpoint) });
  } catch (e) {
    // An unreadable private key: a configuration problem, named without quoting the key.
    return { ok: false, failure: { flow, kind: "config", libraryCode: e instanceof Error ? e.name : "bad_certificate", correlationId }, ms: 0 };
  }
  try {
    const res = await sendWithRetry({
      kind: "token",
      flow,
      method: "POST",
      url: endpoint,
      headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8", "client-request-id": correlationId, "return-client-request-id": "true" },
      body: form.toString(),
      policy: o.policy,
      signal: o.signal,
      correlationId,
      onRetry: o.onRetry,
    });
    const ms = performance.now() - t0;
    const token = res.status === 200 ? parseV1TokenResponse(res.body) : null;
    if (!token) {
      const failure = failureFromTokenResponse({
        flow,
        endpoint: res.trace.endpoint,
        status: res.status,
        headers: res.headers,
        body: res.body,
        attempts: res.trace.attempts.length,
      });
      if (res.status === 200) failure.libraryCode = "empty_result";
      return { ok: false, failure: { ...failure, correlationId: failure.correlationId ?? correlationId }, ms };
    }
    return { ok: true, token, correlationId, ms, attempts: res.trace.attempts.length };
  } catch (e) {
    if (e instanceof CallCancelledError || o.signal?.aborted) throw new CallCancelledError();
    if (e instanceof EntraCallError) return { ok: false, failure: { ...e.failure, flow }, ms: performance.now() - t0 };
    throw e;
  }
}

function jwtPayload(token: string | null): Record<string, unknown> {
  const part = token?.split(".")[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The signed-in account, as msal-node names it (`<oid>.<tid>`), from the ID token or else the access token. */
function accountOf(o: V1TokenOptions, token: V1TokenResponse): { account: AccountInfo | null; idTokenClaims: Record<string, unknown> } {
  const idTokenClaims = jwtPayload(token.idToken);
  const claims = { ...jwtPayload(token.accessToken), ...idTokenClaims };
  const oid = typeof claims.oid === "string" ? claims.oid : null;
  const tid = typeof claims.tid === "string" ? claims.tid.toLowerCase() : null;
  if (!oid || !tid) return { account: null, idTokenClaims };
  const username = [claims.upn, claims.unique_name, claims.preferred_username].find((v): v is string => typeof v === "string") ?? "";
  return {
    account: {
      homeAccountId: `${oid}.${tid}`,
      environment: o.endpoints.loginHost,
      tenantId: tid,
      username,
      localAccountId: oid,
      name: typeof claims.name === "string" ? claims.name : undefined,
    },
    idTokenClaims,
  };
}

/**
 * The refresh token kept in msal-node's cache format (Account + RefreshToken entities), so a tenant's
 * stored credential reads the same whichever endpoint version its registration uses, and
 * refreshTokenExpiry (lib/methods/auth-token.ts) reads it unchanged.
 * @see https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/dev/lib/msal-common/docs/token-lifetimes.md
 */
export function cacheWithRefreshToken(clientId: string, account: AccountInfo, refreshToken: string): string {
  const env = account.environment;
  const home = account.homeAccountId;
  return JSON.stringify({
    Account: {
      [`${home}-${env}-${account.tenantId}`]: {
        home_account_id: home,
        environment: env,
        realm: account.tenantId,
        local_account_id: account.localAccountId,
        username: account.username,
        authority_type: "MSSTS",
        ...(account.name ? { name: account.name } : {}),
      },
    },
    RefreshToken: {
      [`${home}-${env}-refreshtoken-${clientId}--`]: {
        home_account_id: home,
        environment: env,
        credential_type: "RefreshToken",
        client_id: clientId,
        secret: refreshToken,
      },
    },
    AccessToken: {},
    IdToken: {},
    AppMetadata: {},
  });
}

/** The refresh token of `homeAccountId` (or the only one) in a stored cache, whichever version wrote it. */
export function refreshTokenFromCache(cacheJson: string, homeAccountId: string | null | undefined): { secret: string; homeAccountId: string | null } | null {
  const cache = JSON.parse(cacheJson) as { RefreshToken?: Record<string, { home_account_id?: string; secret?: string }> };
  const entries = Object.values(cache.RefreshToken ?? {}).filter((t) => typeof t.secret === "string" && t.secret);
  const match = (homeAccountId ? entries.find((t) => t.home_account_id === homeAccountId) : undefined) ?? entries[0];
  return match ? { secret: match.secret!, homeAccountId: match.home_account_id ?? null } : null;
}

/**
 * A fresh app-only token from the v1 endpoint (client credentials with `resource`). There is no token
 * cache here, so every call is fresh, as verification needs.
 */
export async function acquireAppTokenV1(o: V1TokenOptions): Promise<TokenResult> {
  const r = await postToken("client_credentials", o, { grant_type: "client_credentials" });
  if (!r.ok) return r;
  return {
    ok: true,
    accessToken: r.token.accessToken,
    expiresOn: r.token.expiresOn,
    account: null,
    idTokenClaims: {},
    correlationId: r.correlationId,
    ms: r.ms,
    attempts: r.attempts,
  };
}

/**
 * Resource-owner password credentials on the v1 endpoint, for tenants still on the legacy method.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth-ropc
 */
export async function acquireTokenByPasswordV1(o: V1TokenOptions & { username: string; password: string }): Promise<TokenResult> {
  const r = await postToken("password", o, { grant_type: "password", username: o.username, password: o.password, scope: "openid" });
  if (!r.ok) return r;
  const { account, idTokenClaims } = accountOf(o, r.token);
  return {
    ok: true,
    accessToken: r.token.accessToken,
    expiresOn: r.token.expiresOn,
    account,
    idTokenClaims,
    correlationId: r.correlationId,
    ms: r.ms,
    attempts: r.attempts,
  };
}

/** Redeems the stored refresh token on the v1 endpoint; the rotated one comes back in msal-node's cache format. */
export async function refreshDelegatedTokenV1(o: V1TokenOptions & { cacheJson: string; homeAccountId?: string | null }): Promise<DelegatedResult> {
  let stored: ReturnType<typeof refreshTokenFromCache>;
  try {
    stored = refreshTokenFromCache(o.cacheJson, o.homeAccountId);
  } catch {
    return { ok: false, failure: { flow: "refresh_token", kind: "server", error: "invalid_cache", libraryCode: "cache_unreadable" }, ms: 0 };
  }
  if (!stored) return { ok: false, failure: { flow: "refresh_token", kind: "server", error: "no_account", libraryCode: "no_account_in_cache" }, ms: 0 };
  const r = await postToken("refresh_token", o, { grant_type: "refresh_token", refresh_token: stored.secret });
  if (!r.ok) return r;
  const { account, idTokenClaims } = accountOf(o, r.token);
  const rotated = r.token.refreshToken ?? stored.secret;
  const home = account ?? (stored.homeAccountId ? accountFromHome(o, stored.homeAccountId) : null);
  if (!home)
    return { ok: false, failure: { flow: "refresh_token", kind: "server", correlationId: r.correlationId, libraryCode: "no_account_in_response" }, ms: r.ms };
  return {
    ok: true,
    accessToken: r.token.accessToken,
    expiresOn: r.token.expiresOn,
    account: home,
    idTokenClaims,
    correlationId: r.correlationId,
    ms: r.ms,
    attempts: r.attempts,
    cacheJson: cacheWithRefreshToken(o.clientId, home, rotated),
  };
}

function accountFromHome(o: V1TokenOptions, homeAccountId: string): AccountInfo {
  const [oid = "", tid = ""] = homeAccountId.split(".");
  return { homeAccountId, environment: o.endpoints.loginHost, tenantId: tid, username: "", localAccountId: oid };
}

/**
 * Redeems the consent callback's authorization code on the v1 endpoint (PKCE). The nonce is compared with
 * the ID token's as msal-node does for v2: a mismatch fails as `config` with libraryCode `nonce_mismatch`.
 */
export async function redeemAuthCodeV1(
  o: V1TokenOptions & { code: string; codeVerifier: string; redirectUri: string; nonce: string },
): Promise<DelegatedResult> {
  const r = await postToken("authorization_code", o, {
    grant_type: "authorization_code",
    code: o.code,
    redirect_uri: o.redirectUri,
    code_verifier: o.codeVerifier,
  });
  if (!r.ok) return r;
  const { account, idTokenClaims } = accountOf(o, r.token);
  if (idTokenClaims.nonce !== o.nonce) {
    return { ok: false, failure: { flow: "authorization_code", kind: "config", libraryCode: "nonce_mismatch", correlationId: r.correlationId }, ms: r.ms };
  }
  if (!account || !r.token.refreshToken) {
    return { ok: false, failure: { flow: "authorization_code", kind: "server", correlationId: r.correlationId, libraryCode: "no_refresh_token" }, ms: r.ms };
  }
  return {
    ok: true,
    accessToken: r.token.accessToken,
    expiresOn: r.token.expiresOn,
    account,
    idTokenClaims,
    correlationId: r.correlationId,
    ms: r.ms,
    attempts: r.attempts,
    cacheJson: cacheWithRefreshToken(o.clientId, account, r.token.refreshToken),
  };
}
