import { createHash, timingSafeEqual } from "node:crypto";
import { AadRequestError } from "./aad-errors.js";
import { decodeJwt, verifyJwtSignature } from "./jwt.js";
import type { User } from "./scenario.js";
import { REFRESH_INACTIVITY_MS, type AppRuntime, type EmulatorState, type TenantRuntime } from "./state.js";
import {
  clientInfo,
  echoScope,
  isGraphResource,
  issueApiAppToken,
  issueAppToken,
  issueIdToken,
  issueUserAccessToken,
  newRefreshTokenValue,
  OIDC_SCOPES,
  parseScopes,
  type EmulatorUrls,
  type ParsedScopes,
} from "./tokens.js";

/**
 * POST /{tenant}/oauth2/v2.0/token and the v1 POST /{tenant}/oauth2/token.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth-ropc
 */

export const GENERIC_SEGMENTS = new Set(["common", "organizations", "consumers"]);
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface TokenRequestContext {
  state: EmulatorState;
  urls: EmulatorUrls;
  segment: string;
  version: "v1" | "v2";
  form: URLSearchParams;
  authorization: string | undefined;
}

export interface TokenOutcome {
  body: Record<string, unknown>;
  tenantId?: string;
  clientId?: string;
}

type Credential = "secret" | "certificate";

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (!value) throw new AadRequestError("invalidRequest", [name]);
  return value;
}

function basicCredentials(authorization: string | undefined): { clientId: string; secret: string } | undefined {
  if (!authorization?.toLowerCase().startsWith("basic ")) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
  const decode = (v: string) => decodeURIComponent(v.replace(/\+/g, " "));
  return { clientId: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

function sameText(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function authenticateWithSecret(state: EmulatorState, app: AppRuntime, secret: string): Credential {
  const now = state.clock.now();
  const matches = app.secrets.filter((s) => sameText(s.secretText, secret));
  if (matches.length === 0) throw new AadRequestError("invalidSecret", [app.clientId]);
  const live = matches.some((s) => Date.parse(s.endDateTime) > now && (!s.startDateTime || Date.parse(s.startDateTime) <= now + 300_000));
  if (!live) throw new AadRequestError("expiredSecret", [app.clientId]);
  // A secret added moments ago is not yet known to every replica: Entra answers as for a wrong secret.
  if (!matches.some((s) => state.secretAccepted(s.keyId))) throw new AadRequestError("invalidSecret", [app.clientId]);
  return "secret";
}

/** @see https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials */
function authenticateWithAssertion(ctx: TokenRequestContext, app: AppRuntime, tenant: TenantRuntime | undefined, assertion: string): Credential {
  const { state } = ctx;
  const decoded = decodeJwt(assertion);
  if (!decoded) throw new AadRequestError("badAssertion", ["The client assertion is not a well-formed JWT."]);
  const x5t = typeof decoded.header.x5t === "string" ? decoded.header.x5t : undefined;
  const x5tS256 = typeof decoded.header["x5t#S256"] === "string" ? (decoded.header["x5t#S256"] as string) : undefined;
  const cert = app.certificates.find(
    (c) =>
      (x5t !== undefined && Buffer.from(c.sha1, "hex").toString("base64url") === x5t.replace(/=+$/, "")) ||
      (x5tS256 !== undefined && Buffer.from(c.sha256, "hex").toString("base64url") === x5tS256.replace(/=+$/, "")),
  );
  if (!cert)
    throw new AadRequestError("badAssertion", [
      `The certificate with identifier used to sign the client assertion is not registered on application '${app.clientId}'.`,
    ]);
  const now = state.clock.now();
  if (cert.endMs <= now)
    throw new AadRequestError("badAssertion", [`The key used to sign the client assertion expired on ${new Date(cert.endMs).toISOString()}.`]);
  if (!verifyJwtSignature(decoded, cert.publicKey)) throw new AadRequestError("badAssertion", ["The signature of the client assertion is invalid."]);
  const { iss, sub, aud, exp, nbf } = decoded.payload;
  if (iss !== app.clientId || sub !== app.clientId) throw new AadRequestError("badAssertion", ["The assertion's iss and sub must be the client id."]);
  if (!audienceAccepted(ctx, tenant, aud)) throw new AadRequestError("assertionAudience", [String(aud)]);
  const nowS = now / 1000;
  if (typeof exp !== "number" || exp < nowS - 300)
    throw new AadRequestError("assertionTime", [`Current time: ${new Date(now).toISOString()}, expiry time of assertion ${String(exp)}.`]);
  if (typeof nbf === "number" && nbf > nowS + 300)
    throw new AadRequestError("assertionTime", [`Current time: ${new Date(now).toISOString()}, assertion valid from ${nbf}.`]);
  return "certificate";
}

function audienceAccepted(ctx: TokenRequestContext, tenant: TenantRuntime | undefined, aud: unknown): boolean {
  const audiences = Array.isArray(aud) ? aud : [aud];
  return audiences.some((a) => {
    if (typeof a !== "string" || !a.toLowerCase().startsWith(ctx.urls.loginUrl.toLowerCase())) return false;
    const match = /^\/([^/]+)\/oauth2\/(v2\.0\/)?token\/?$/i.exec(a.slice(ctx.urls.loginUrl.length));
    if (!match) return false;
    const seg = match[1]!;
    if (seg.toLowerCase() === ctx.segment.toLowerCase()) return true;
    return tenant !== undefined && ctx.state.resolveTenant(seg) === tenant;
  });
}

function authenticateClient(ctx: TokenRequestContext, app: AppRuntime, tenant: TenantRuntime | undefined, basicSecret: string | undefined): Credential {
  const { form } = ctx;
  const secret = form.get("client_secret") ?? basicSecret;
  if (secret) return authenticateWithSecret(ctx.state, app, secret);
  const assertion = form.get("client_assertion");
  if (assertion) {
    if (form.get("client_assertion_type") !== ASSERTION_TYPE) throw new AadRequestError("invalidRequest", ["client_assertion_type"]);
    return authenticateWithAssertion(ctx, app, tenant, assertion);
  }
  throw new AadRequestError("missingCredential");
}

function checkTenantUsable(tenant: TenantRuntime): void {
  if (tenant.tenant.disabled) throw new AadRequestError("tenantUnavailable", [tenant.tenant.id]);
}

function checkUserUsable(user: User): void {
  if (user.disabled) throw new AadRequestError("userDisabled");
  if (user.conditionalAccessBlock) throw new AadRequestError("caBlocked");
}

/** The delegated permissions a user token may carry: requested ∩ consented, or all consented for /.default. */
export function grantDelegated(
  state: EmulatorState,
  tenant: TenantRuntime,
  app: AppRuntime,
  parsed: Pick<ParsedScopes, "permissions" | "isDefault">,
): string[] {
  const consent = state.consentFor(tenant, app);
  if (!consent) throw new AadRequestError("consentMissing", [app.clientId, app.displayName]);
  const consented = consent.delegatedPermissions.filter((p) => !OIDC_SCOPES.has(p.toLowerCase()));
  if (parsed.isDefault) return consented;
  const lower = new Set(consented.map((p) => p.toLowerCase()));
  for (const permission of parsed.permissions) {
    if (!lower.has(permission.toLowerCase())) throw new AadRequestError("consentMissing", [app.clientId, app.displayName]);
  }
  return parsed.permissions;
}

/** v1 requests name a resource, not scopes: the token carries every consented delegated permission. */
function v1Scopes(ctx: TokenRequestContext, fallbackResource?: string): ParsedScopes {
  const resource = (ctx.form.get("resource") ?? fallbackResource)?.replace(/\/+$/, "");
  if (!resource) throw new AadRequestError("invalidRequest", ["resource"]);
  if (!isGraphResource(resource, ctx.urls)) throw new AadRequestError("resourceNotFound", [resource, ctx.segment]);
  return { resource, permissions: [".default"], oidc: new Set(["openid"]), isDefault: true, qualified: true };
}

function v1Envelope(body: Record<string, unknown>, resource: string, nowS: number, expiresIn: number): Record<string, unknown> {
  // The v1 endpoint sends numbers as strings.
  return {
    ...body,
    expires_in: String(expiresIn),
    ext_expires_in: String(expiresIn),
    expires_on: String(nowS + expiresIn),
    not_before: String(nowS),
    resource,
  };
}

export function handleTokenRequest(ctx: TokenRequestContext): TokenOutcome {
  const { state, form, segment } = ctx;
  const grantType = required(form, "grant_type");
  const basic = basicCredentials(ctx.authorization);
  const clientId = form.get("client_id") ?? basic?.clientId;
  if (!clientId) throw new AadRequestError("invalidRequest", ["client_id"]);

  const generic = GENERIC_SEGMENTS.has(segment.toLowerCase());
  let tenant: TenantRuntime | undefined;
  if (!generic) {
    tenant = state.resolveTenant(segment);
    if (!tenant) throw new AadRequestError("tenantNotFound", [segment]);
    checkTenantUsable(tenant);
  }
  const app = state.findApp(clientId);
  if (!app) throw new AadRequestError("appNotInTenant", [clientId, tenant?.tenant.id ?? segment]);

  switch (grantType) {
    case "client_credentials":
      return clientCredentials(ctx, app, tenant, basic?.secret);
    case "authorization_code":
      return authorizationCode(ctx, app, tenant, basic?.secret);
    case "refresh_token":
      return refreshToken(ctx, app, tenant, basic?.secret);
    case "password":
      return password(ctx, app, tenant, basic?.secret);
    default:
      throw new AadRequestError("unsupportedGrant", [grantType]);
  }
}

function clientCredentials(ctx: TokenRequestContext, app: AppRuntime, tenant: TenantRuntime | undefined, basicSecret: string | undefined): TokenOutcome {
  const { state, urls } = ctx;
  if (!tenant) throw new AadRequestError("tenantRequired", [ctx.segment]);
  const consent = state.consentFor(tenant, app);
  const home = app.homeTenantId.toLowerCase() === tenant.tenant.id.toLowerCase();
  if (!state.appInTenant(app, tenant)) throw new AadRequestError("appNotInTenant", [app.clientId, tenant.tenant.id]);
  // Right after consent the service principal has not replicated yet (observed; see entra.md A2.5).
  const propagationSeconds = state.consentPropagationSeconds(tenant, app);
  if (!home && consent && propagationSeconds > 0 && state.clock.now() < consent.grantedAtMs + propagationSeconds * 1000) {
    throw new AadRequestError("appNotInTenant", [app.clientId, tenant.tenant.id]);
  }
  const credential = authenticateClient(ctx, app, tenant, basicSecret);

  const resource = clientCredentialsResource(ctx);
  let issued: { token: string; expiresIn: number; nowS: number };
  if (isGraphResource(resource, urls)) {
    issued = issueAppToken(state, urls, tenant, app, resource, consent?.applicationPermissions ?? [], credential);
  } else {
    // An organisation's own API: its service principal must live in the tenant the token is requested from.
    const api = state.findApiResource(tenant, resource);
    if (!api) throw new AadRequestError("resourceNotFound", [resource, tenant.tenant.id]);
    issued = issueApiAppToken(state, urls, tenant, app, api, credential);
  }
  const body: Record<string, unknown> = { token_type: "Bearer", expires_in: issued.expiresIn, ext_expires_in: issued.expiresIn, access_token: issued.token };
  return { body: ctx.version === "v1" ? v1Envelope(body, resource, issued.nowS, issued.expiresIn) : body, tenantId: tenant.tenant.id, clientId: app.clientId };
}

/**
 * The resource of a client-credentials request, as named (no trailing slash): v2 takes exactly one
 * `<resource>/.default` scope (AADSTS1002012 otherwise), v1 a `resource` parameter.
 */
function clientCredentialsResource(ctx: TokenRequestContext): string {
  if (ctx.version === "v1") {
    const resource = ctx.form.get("resource")?.replace(/\/+$/, "");
    if (!resource) throw new AadRequestError("invalidRequest", ["resource"]);
    return resource;
  }
  const scope = ctx.form.get("scope");
  if (!scope) throw new AadRequestError("invalidRequest", ["scope"]);
  const parts = scope.split(/\s+/).filter(Boolean);
  if (parts.length !== 1 || !parts[0]!.endsWith("/.default")) throw new AadRequestError("clientCredentialsScope", [scope]);
  return parts[0]!.slice(0, -"/.default".length).replace(/\/+$/, "");
}

interface UserGrantInput {
  tenant: TenantRuntime;
  user: User;
  parsed: ParsedScopes;
  credential: Credential;
  mfa: boolean;
  nonce?: string;
  authTimeS?: number;
  includeRefresh: boolean;
  includeIdToken: boolean;
}

function issueUserTokens(ctx: TokenRequestContext, app: AppRuntime, input: UserGrantInput): TokenOutcome {
  const { state, urls } = ctx;
  const scp = grantDelegated(state, input.tenant, app, input.parsed);
  const access = issueUserAccessToken(state, urls, input.tenant, app, input.user, input.parsed.resource, scp, { mfa: input.mfa, credential: input.credential });
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    scope: ctx.version === "v1" ? scp.join(" ") : echoScope(input.parsed, scp, input.parsed.oidc),
    expires_in: access.expiresIn,
    ext_expires_in: access.expiresIn,
    access_token: access.token,
  };
  if (input.includeRefresh) {
    const now = state.clock.now();
    const token = newRefreshTokenValue();
    state.refreshTokens.set(token, {
      token,
      tenantId: input.tenant.tenant.id,
      userId: input.user.id,
      clientId: app.clientId,
      scopes: scp,
      resource: input.parsed.resource,
      mfa: input.mfa,
      issuedAtMs: now,
      lastUsedAtMs: now,
    });
    body.refresh_token = token;
  }
  if (input.includeIdToken) {
    body.id_token = issueIdToken(state, urls, input.tenant, app, input.user, {
      nonce: input.nonce,
      authTimeS: input.authTimeS,
      version: ctx.version === "v1" ? "1.0" : "2.0",
    });
  }
  if (ctx.form.get("client_info") === "1") body.client_info = clientInfo(input.user.id, input.tenant.tenant.id);
  return {
    body: ctx.version === "v1" ? v1Envelope(body, input.parsed.resource, access.nowS, access.expiresIn) : body,
    tenantId: input.tenant.tenant.id,
    clientId: app.clientId,
  };
}

function requestedScopes(ctx: TokenRequestContext, fallbackScope: string | undefined): ParsedScopes {
  if (ctx.version === "v1") return v1Scopes(ctx);
  const scope = ctx.form.get("scope") ?? fallbackScope;
  if (!scope) throw new AadRequestError("invalidRequest", ["scope"]);
  return parseScopes(scope, ctx.urls);
}

function authorizationCode(ctx: TokenRequestContext, app: AppRuntime, tenant: TenantRuntime | undefined, basicSecret: string | undefined): TokenOutcome {
  const { state, form } = ctx;
  const code = required(form, "code");
  const credential = authenticateClient(ctx, app, tenant, basicSecret);
  const record = state.authCodes.get(code);
  if (!record) throw new AadRequestError("codeInvalid");
  if (record.clientId !== app.clientId || (tenant && tenant.tenant.id !== record.tenantId)) throw new AadRequestError("codeWrongClient");
  if (record.redeemed) throw new AadRequestError("codeRedeemed");
  if (state.clock.now() > record.expiresAtMs) throw new AadRequestError("codeExpired");
  const redirectUri = form.get("redirect_uri");
  if (redirectUri !== record.redirectUri) throw new AadRequestError("redirectMismatch", [redirectUri ?? "", app.clientId]);
  if (record.codeChallenge) {
    const verifier = form.get("code_verifier");
    if (!verifier) throw new AadRequestError("pkceMissing");
    const computed = record.codeChallengeMethod === "plain" ? verifier : createHash("sha256").update(verifier).digest("base64url");
    if (computed !== record.codeChallenge) throw new AadRequestError("pkceMismatch");
  }
  record.redeemed = true;
  const userTenant = state.tenantsById.get(record.tenantId.toLowerCase());
  const user = userTenant?.usersById.get(record.userId);
  if (!userTenant || !user) throw new AadRequestError("codeInvalid");
  checkTenantUsable(userTenant);
  const parsed = requestedScopes(ctx, record.scope);
  checkUserUsable(user);
  const authorizeScopes = new Set(record.scope.toLowerCase().split(/\s+/));
  return issueUserTokens(ctx, app, {
    tenant: userTenant,
    user,
    parsed,
    credential,
    mfa: record.mfa,
    nonce: record.nonce,
    authTimeS: record.authTimeS,
    includeRefresh: ctx.version === "v1" || authorizeScopes.has("offline_access"),
    includeIdToken: ctx.version === "v1" || authorizeScopes.has("openid"),
  });
}

function refreshToken(ctx: TokenRequestContext, app: AppRuntime, tenant: TenantRuntime | undefined, basicSecret: string | undefined): TokenOutcome {
  const { state, form } = ctx;
  const value = required(form, "refresh_token");
  const credential = authenticateClient(ctx, app, tenant, basicSecret);
  const record = state.refreshTokens.get(value);
  if (!record) throw new AadRequestError("refreshMalformed");
  if (record.clientId.toLowerCase() !== app.clientId.toLowerCase() || (tenant && tenant.tenant.id.toLowerCase() !== record.tenantId.toLowerCase())) {
    throw new AadRequestError("codeWrongClient");
  }
  const now = state.clock.now();
  if (now - record.lastUsedAtMs > REFRESH_INACTIVITY_MS) throw new AadRequestError("refreshInactive", [new Date(record.issuedAtMs).toISOString()], "bad_token");
  const userTenant = state.tenantsById.get(record.tenantId.toLowerCase());
  const user = userTenant?.usersById.get(record.userId);
  if (!userTenant || !user) throw new AadRequestError("refreshMalformed");
  const validFrom = state.tokensValidFromMs.get(user.id);
  if (validFrom !== undefined && record.issuedAtMs <= validFrom) {
    throw new AadRequestError("refreshRevoked", [new Date(record.issuedAtMs).toISOString(), new Date(validFrom).toISOString()], "bad_token");
  }
  checkTenantUsable(userTenant);
  const parsed = ctx.version === "v1" ? v1Scopes(ctx, record.resource) : parseScopes(form.get("scope") ?? record.scopes.join(" "), ctx.urls);
  checkUserUsable(user);
  // Refresh tokens replace themselves on every use; the old one keeps working until it ages out.
  record.lastUsedAtMs = now;
  return issueUserTokens(ctx, app, {
    tenant: userTenant,
    user,
    parsed,
    credential,
    mfa: record.mfa,
    includeRefresh: true,
    includeIdToken: ctx.version === "v1" || parsed.oidc.has("openid"),
  });
}

function password(ctx: TokenRequestContext, app: AppRuntime, tenant: TenantRuntime | undefined, basicSecret: string | undefined): TokenOutcome {
  const { state, form, segment } = ctx;
  const lowerSegment = segment.toLowerCase();
  if (lowerSegment === "common" || lowerSegment === "consumers") throw new AadRequestError("tenantRequired", [segment]);
  const username = required(form, "username");
  const pw = required(form, "password");
  const credential = authenticateClient(ctx, app, tenant, basicSecret);
  const found = state.findUser(username);
  if (!found || (tenant && found.tenant !== tenant)) throw new AadRequestError("userNotFound", [username, tenant?.tenant.displayName ?? segment]);
  const { user, tenant: userTenant } = found;
  checkTenantUsable(userTenant);
  if (user.password !== pw) throw new AadRequestError("wrongPassword");
  if (user.disabled) throw new AadRequestError("userDisabled");
  if (user.passwordExpired) throw new AadRequestError("passwordExpired", [], "user_password_expired");
  const parsed = requestedScopes(ctx, undefined);
  if (user.conditionalAccessBlock) throw new AadRequestError("caBlocked");
  // ROPC cannot do MFA. @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth-ropc
  if (user.mfa) throw new AadRequestError("mfaRequired", [parsed.resource], "basic_action");
  return issueUserTokens(ctx, app, {
    tenant: userTenant,
    user,
    parsed,
    credential,
    mfa: false,
    includeRefresh: ctx.version === "v1" || parsed.oidc.has("offline_access"),
    includeIdToken: ctx.version === "v1" || parsed.oidc.has("openid"),
  });
}
