import { createHash, randomBytes, randomUUID } from "node:crypto";
import { AadRequestError } from "./aad-errors.js";
import { b64url, signJwt } from "./jwt.js";
import type { User } from "./scenario.js";
import {
  DEFAULT_USER_WID,
  GRAPH_APP_ID,
  GRAPH_PUBLIC_URL,
  ROLE_TEMPLATE_IDS,
  type ApiResource,
  type AppRuntime,
  type EmulatorState,
  type TenantRuntime,
} from "./state.js";

/**
 * Token minting. Graph tokens are v1.0-shaped (Graph's accessTokenAcceptedVersion is 1); ID tokens v2.0.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 */

export const ACCESS_TOKEN_LIFETIME_S = 3599;
/** Most group ids a JWT carries; beyond it Entra sends the overage indicator instead of `groups`. */
export const JWT_GROUPS_LIMIT = 200;
export const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

export interface EmulatorUrls {
  loginUrl: string;
  graphUrl: string;
  authorityHost: string;
  graphHost: string;
}

export interface ParsedScopes {
  /** The resource as requested (no trailing slash): becomes the access token's aud. */
  resource: string;
  /** Permission names without the resource prefix; ".default" for the static set. */
  permissions: string[];
  oidc: Set<string>;
  isDefault: boolean;
  /** Whether the resource was named by its full URL (affects how `scope` is echoed). */
  qualified: boolean;
}

export function isGraphResource(resource: string, urls: EmulatorUrls): boolean {
  const r = resource.replace(/\/+$/, "").toLowerCase();
  return r === urls.graphUrl.toLowerCase() || r === GRAPH_PUBLIC_URL || r === GRAPH_APP_ID || r === `https://${urls.graphHost}`.toLowerCase();
}

/**
 * Splits a v2 `scope` into one resource and its permissions. Every non-OIDC scope must name the same
 * resource; bare names ("User.Read") mean Microsoft Graph, as in Entra.
 */
export function parseScopes(scope: string, urls: EmulatorUrls): ParsedScopes {
  const parts = scope.split(/\s+/).filter(Boolean);
  const oidc = new Set<string>();
  const permissions: string[] = [];
  let resource: string | undefined;
  let qualified = false;
  for (const part of parts) {
    if (OIDC_SCOPES.has(part.toLowerCase())) {
      oidc.add(part.toLowerCase());
      continue;
    }
    const slash = part.lastIndexOf("/");
    let partResource: string;
    let permission: string;
    if (slash > 0) {
      partResource = part.slice(0, slash).replace(/\/+$/, "");
      permission = part.slice(slash + 1);
      qualified = true;
    } else {
      partResource = GRAPH_PUBLIC_URL;
      permission = part;
    }
    if (resource !== undefined && resource.toLowerCase() !== partResource.toLowerCase()) {
      throw new AadRequestError("invalidScope", [scope]);
    }
    resource = partResource;
    permissions.push(permission);
  }
  if (!resource) {
    // OIDC-only requests get a token for Graph's User.Read, like Entra.
    return { resource: GRAPH_PUBLIC_URL, permissions: ["User.Read"], oidc, isDefault: false, qualified: false };
  }
  if (!isGraphResource(resource, urls)) throw new AadRequestError("resourceNotFound", [resource, "the tenant"]);
  return { resource, permissions, oidc, isDefault: permissions.some((p) => p.toLowerCase() === ".default"), qualified };
}

export function echoScope(parsed: Pick<ParsedScopes, "resource" | "qualified">, granted: string[], oidc: Iterable<string>): string {
  const prefix = parsed.qualified && parsed.resource.toLowerCase() !== GRAPH_PUBLIC_URL ? `${parsed.resource}/` : "";
  return [...granted.map((p) => `${prefix}${p}`), ...[...oidc].filter((s) => s !== "offline_access")].join(" ");
}

function uti(): string {
  return randomBytes(16).toString("base64url").slice(0, 22);
}

/** The emulator's stand-in for Entra's v1 issuer `https://sts.windows.net/{tid}/` (also the v1 discovery `issuer`). */
export function v1Issuer(urls: EmulatorUrls, tenantId: string): string {
  return `${urls.loginUrl}/${tenantId}/`;
}

export function v2Issuer(urls: EmulatorUrls, tenantId: string): string {
  return `${urls.loginUrl}/${tenantId}/v2.0`;
}

/** Pairwise subject: stable per (user, app) and different across apps, as Entra's `sub`. */
export function pairwiseSub(userId: string, clientId: string): string {
  return createHash("sha256").update(`${userId}|${clientId}`).digest("base64url").slice(0, 43);
}

export function clientInfo(userId: string, tenantId: string): string {
  return b64url(JSON.stringify({ uid: userId, utid: tenantId }));
}

export function userWids(user: User): string[] {
  const wids = (user.roles ?? []).map((r) => ROLE_TEMPLATE_IDS[r]).filter((w): w is string => Boolean(w));
  return [...wids, DEFAULT_USER_WID];
}

export function issueAppToken(
  state: EmulatorState,
  urls: EmulatorUrls,
  tenant: TenantRuntime,
  app: AppRuntime,
  resource: string,
  roles: string[],
  credential: "secret" | "certificate",
): { token: string; expiresIn: number; nowS: number } {
  const nowS = state.clock.nowSeconds();
  const tid = tenant.tenant.id;
  const oid = state.servicePrincipalId(tid, app.clientId);
  const payload: Record<string, unknown> = {
    aud: resource,
    iss: v1Issuer(urls, tid),
    iat: nowS,
    nbf: nowS,
    exp: nowS + ACCESS_TOKEN_LIFETIME_S,
    aio: uti(),
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: credential === "certificate" ? "2" : "1",
    idp: v1Issuer(urls, tid),
    idtyp: "app",
    oid,
    rh: "0.emulator.",
    sub: oid,
    tenant_region_scope: "NA",
    tid,
    uti: uti(),
    ver: "1.0",
    wids: ["0997a1d0-0d1d-4acb-b408-d5ca73121e90"],
    xms_tcdt: 1600000000,
  };
  if (roles.length > 0) payload.roles = roles;
  return { token: signJwt(payload, state.activeAccessTokenKey, { x5t: state.activeAccessTokenKey.kid }), expiresIn: ACCESS_TOKEN_LIFETIME_S, nowS };
}

/**
 * `groups` when there are any; past 200 Entra's overage indicator instead, pointing at the Graph call that
 * lists the memberships (the emulator's Graph does not serve it).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference#groups-overage-claim
 */
function putGroups(payload: Record<string, unknown>, groups: string[], overageEndpoint: string): void {
  if (groups.length > JWT_GROUPS_LIMIT) {
    payload._claim_names = { groups: "src1" };
    payload._claim_sources = { src1: { endpoint: overageEndpoint } };
  } else if (groups.length > 0) {
    payload.groups = groups;
  }
}

/**
 * An app-only access token for an organisation's own API (a tenant app registration), signed with the
 * published key so the API can validate it against the tenant's JWKS. The token version follows the
 * API's accessTokenAcceptedVersion, not the endpoint: v1.0 has `aud` = the identifier URI or client id the
 * client named (in its registered spelling, so a verifier can configure it), the v1 issuer, `appid`/`appidacr` and header `x5t`; v2.0 has `aud` = the API's client id,
 * the v2 issuer and `azp`/`azpacr`. `roles` is omitted when the client holds no app role of the API;
 * `groups` (object ids of the client's service principal's groups) only when the API's groupMembershipClaims
 * asks for them and there are any, replaced by the overage indicator (`_claim_names`/`_claim_sources`) past 200.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-app-manifest#accesstokenacceptedversion-attribute
 */
export function issueApiAppToken(
  state: EmulatorState,
  urls: EmulatorUrls,
  tenant: TenantRuntime,
  client: AppRuntime,
  api: ApiResource,
  credential: "secret" | "certificate",
): { token: string; expiresIn: number; nowS: number } {
  const nowS = state.clock.nowSeconds();
  const tid = tenant.tenant.id;
  const oid = state.servicePrincipalId(tid, client.clientId);
  const acr = credential === "certificate" ? "2" : "1";
  const v2 = api.registration.accessTokenAcceptedVersion === 2;
  const common = { iat: nowS, nbf: nowS, exp: nowS + ACCESS_TOKEN_LIFETIME_S, aio: uti() };
  const payload: Record<string, unknown> = v2
    ? {
        aud: api.app.clientId,
        iss: v2Issuer(urls, tid),
        ...common,
        azp: client.clientId,
        azpacr: acr,
        idtyp: "app",
        oid,
        rh: "0.emulator.",
        sub: oid,
        tid,
        uti: uti(),
        ver: "2.0",
      }
    : {
        aud: api.matched,
        iss: v1Issuer(urls, tid),
        ...common,
        appid: client.clientId,
        appidacr: acr,
        idp: v1Issuer(urls, tid),
        idtyp: "app",
        oid,
        rh: "0.emulator.",
        sub: oid,
        tid,
        uti: uti(),
        ver: "1.0",
      };
  const roles = state.appRolesFor(api.registration, client.clientId);
  if (roles.length > 0) payload.roles = roles;
  putGroups(payload, state.groupsClaimFor(tenant, api.registration, client.clientId), `${urls.graphUrl}/v1.0/servicePrincipals/${oid}/getMemberObjects`);
  const key = state.activeSigningKey;
  // x5t is a legacy header that only v1.0 access tokens carry.
  return { token: signJwt(payload, key, v2 ? {} : { x5t: key.kid }), expiresIn: ACCESS_TOKEN_LIFETIME_S, nowS };
}

export function issueUserAccessToken(
  state: EmulatorState,
  urls: EmulatorUrls,
  tenant: TenantRuntime,
  app: AppRuntime,
  user: User,
  resource: string,
  scp: string[],
  options: { mfa: boolean; credential: "secret" | "certificate" },
): { token: string; expiresIn: number; nowS: number } {
  const nowS = state.clock.nowSeconds();
  const tid = tenant.tenant.id;
  const payload: Record<string, unknown> = {
    aud: resource,
    iss: v1Issuer(urls, tid),
    iat: nowS,
    nbf: nowS,
    exp: nowS + ACCESS_TOKEN_LIFETIME_S,
    acct: 0,
    acr: "1",
    aio: uti(),
    amr: options.mfa ? ["pwd", "mfa"] : ["pwd"],
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: options.credential === "certificate" ? "2" : "1",
    family_name: user.surname ?? "",
    given_name: user.givenName ?? user.displayName,
    idtyp: "user",
    ipaddr: "127.0.0.1",
    name: user.displayName,
    oid: user.id,
    rh: "0.emulator.",
    scp: scp.join(" "),
    sub: pairwiseSub(user.id, app.clientId),
    tenant_region_scope: "NA",
    tid,
    unique_name: user.userPrincipalName,
    upn: user.userPrincipalName,
    uti: uti(),
    ver: "1.0",
    wids: userWids(user),
  };
  return { token: signJwt(payload, state.activeAccessTokenKey, { x5t: state.activeAccessTokenKey.kid }), expiresIn: ACCESS_TOKEN_LIFETIME_S, nowS };
}

/**
 * An ID token as Entra's: proof of the sign-in for the client app (`aud`), never an access token, so no
 * `azp`/`appid` and no `scp`. When the client is a registration of the user's tenant (the emulator keeps
 * manifests only for those), `roles` holds the app roles assigned to the user for it (directly or through
 * a group) and `groups` the user's groups as its groupMembershipClaims asks, each omitted when empty, with
 * the overage indicator past 200 groups.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 */
export function issueIdToken(
  state: EmulatorState,
  urls: EmulatorUrls,
  tenant: TenantRuntime,
  app: AppRuntime,
  user: User,
  options: { nonce?: string; authTimeS?: number; version: "1.0" | "2.0" },
): string {
  const nowS = state.clock.nowSeconds();
  const tid = tenant.tenant.id;
  const payload: Record<string, unknown> =
    options.version === "2.0"
      ? {
          aud: app.clientId,
          iss: v2Issuer(urls, tid),
          iat: nowS,
          nbf: nowS,
          exp: nowS + 3600,
          name: user.displayName,
          oid: user.id,
          preferred_username: user.userPrincipalName,
          email: user.mail ?? user.userPrincipalName,
          rh: "0.emulator.",
          sub: pairwiseSub(user.id, app.clientId),
          tid,
          uti: uti(),
          ver: "2.0",
          aio: uti(),
        }
      : {
          aud: app.clientId,
          iss: v1Issuer(urls, tid),
          iat: nowS,
          nbf: nowS,
          exp: nowS + 3600,
          amr: ["pwd"],
          family_name: user.surname ?? "",
          given_name: user.givenName ?? user.displayName,
          ipaddr: "127.0.0.1",
          name: user.displayName,
          oid: user.id,
          rh: "0.emulator.",
          sub: pairwiseSub(user.id, app.clientId),
          tid,
          unique_name: user.userPrincipalName,
          upn: user.userPrincipalName,
          ver: "1.0",
        };
  if (options.nonce) payload.nonce = options.nonce;
  if (options.authTimeS) payload.auth_time = options.authTimeS;
  const registration = app.kind === "tenant" && app.homeTenantId.toLowerCase() === tid.toLowerCase() ? app.registration : undefined;
  if (registration) {
    const roles = state.userAppRolesFor(registration, user);
    if (roles.length > 0) payload.roles = roles;
    putGroups(payload, state.userGroupsClaimFor(tenant, registration, user), `${urls.graphUrl}/v1.0/users/${user.id}/getMemberObjects`);
  }
  return signJwt(payload, state.activeSigningKey);
}

/** Opaque, like Entra's: clients must not parse refresh tokens. */
export function newRefreshTokenValue(): string {
  return `1.AEMU${randomBytes(48).toString("base64url")}`;
}

export function newAuthCode(): string {
  return `1.AEMU.${randomUUID()}.${randomBytes(24).toString("base64url")}`;
}
