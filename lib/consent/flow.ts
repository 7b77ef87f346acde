import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { recordAudit } from "@/lib/audit";
import { DecryptionError, encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { recordInvitationAtMicrosoft } from "@/lib/campaigns/invitations";
import type { CloudId } from "@/lib/entra/clouds";
import { appForTenant } from "@/lib/provider/registrations";
import type { ProviderApp } from "@/lib/provider/settings";
import { findActiveConsentLink, hashToken, usableLink } from "./links";
import { APPLICATION_CONSENT_ROLES, DELEGATED_CONSENT_ROLES, describePermission } from "./permissions";

export const STATE_TTL_MS = 10 * 60 * 1000;

/** Delegated scopes as full resource URIs for the provider's cloud (bare names mean global Graph). */
export function delegatedScopes(app: ProviderApp): string[] {
  const oidc = new Set(["openid", "profile", "email", "offline_access"]);
  const resource = app.tokenVersion === "v1" && app.resource ? app.resource.replace(/\/+$/, "") : app.endpoints.graphBase;
  const api = app.scopes.filter((s) => !oidc.has(s)).map((s) => (s.includes("://") ? s : `${resource}/${s}`));
  return [...api];
}

/** The v1.0 Resource of a registration (Apply refuses v1.0 without one; the cloud's Graph otherwise). */
export function v1Resource(app: ProviderApp): string {
  return (app.resource ?? app.endpoints.graphResource).replace(/\/+$/, "");
}

export function permissionsRequested(app: ProviderApp, flow: "ADMIN_CONSENT" | "AUTH_CODE"): string[] {
  return flow === "ADMIN_CONSENT" ? app.requiredAppPermissions : app.scopes.filter((s) => !["openid", "profile", "email"].includes(s));
}

/** What the customer's administrator is told when the provider's stored secret cannot be decrypted. */
export const UNREADABLE_FOR_CUSTOMER =
  "Your service provider's app cannot be used right now: its stored secret cannot be decrypted (was ENCRYPTION_KEY changed?). Please contact them.";

/**
 * The registration's extra login parameters (prompt, domain_hint, …) on the sign-in request; `only`
 * limits them to those an endpoint knows. The parameters the console sets itself were refused at Apply.
 */
function setLoginParameters(url: URL, app: ProviderApp, only?: string[]) {
  for (const [name, value] of Object.entries(app.loginParameters)) if (!only || only.includes(name)) url.searchParams.set(name, value);
}

export type StartResult = { ok: true; redirectTo: string } | { ok: false; error: string };

const LINK_NOT_USABLE = "This consent link is invalid, expired or already used. Ask your service provider for a new one.";

/**
 * Creates a fresh single-use state for one click on "Continue to Microsoft" and returns Microsoft's URL.
 * The state is 256 bits of randomness, stored only as its SHA-256, bound to the tenant, the flow and the
 * browser (`browserKey`, the value of its consent cookie, see browser-binding.ts; stored as its SHA-256).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 */
export async function startConsent(token: string, browserKey: string): Promise<StartResult> {
  const link = await findActiveConsentLink(token);
  if (!link) return { ok: false, error: LINK_NOT_USABLE };
  let app: ProviderApp;
  try {
    app = await appForTenant({ cloud: link.tenant.cloud as CloudId, appRegistrationId: link.tenant.appRegistrationId });
  } catch (e) {
    if (e instanceof DecryptionError) return { ok: false, error: UNREADABLE_FOR_CUSTOMER };
    return { ok: false, error: "Your service provider has not finished configuring its app. Please contact them." };
  }
  const tenantSegment = link.tenant.entraTenantId ?? link.tenant.primaryDomain;
  if (!tenantSegment) return { ok: false, error: "Your service provider has not recorded which tenant this link is for. Please contact them." };

  const state = randomBytes(32).toString("base64url");
  const stateId = newId();
  let url: URL;
  let codeVerifier: string | null = null;
  let nonce: string | null = null;
  if (link.flow === "ADMIN_CONSENT") {
    url =
      app.tokenVersion === "v1"
        ? new URL(`${app.endpoints.loginBase}/${encodeURIComponent(tenantSegment)}/adminconsent`)
        : new URL(`${app.endpoints.loginBase}/${encodeURIComponent(tenantSegment)}/v2.0/adminconsent`);
    url.searchParams.set("client_id", app.clientId);
    if (app.tokenVersion === "v2") url.searchParams.set("scope", `${app.endpoints.graphBase}/.default`);
    url.searchParams.set("redirect_uri", app.redirectUrl);
    url.searchParams.set("state", state);
    setLoginParameters(url, app, ["prompt", "domain_hint", "login_hint"]);
  } else {
    codeVerifier = randomBytes(32).toString("base64url");
    nonce = randomBytes(16).toString("base64url");
    const challenge = createHash("sha256").update(codeVerifier).digest("base64url");
    if (app.tokenVersion === "v1") {
      // v1.0: the token is for one `resource` with the permissions configured on the registration; a refresh
      // token always comes back, and `scope=openid` adds the ID token that carries the nonce.
      // @see https://learn.microsoft.com/en-us/previous-versions/azure/active-directory/azuread-dev/v1-protocols-oauth-code
      url = new URL(`${app.endpoints.loginBase}/${encodeURIComponent(tenantSegment)}/oauth2/authorize`);
      url.searchParams.set("client_id", app.clientId);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("redirect_uri", app.redirectUrl);
      url.searchParams.set("response_mode", "query");
      url.searchParams.set("resource", v1Resource(app));
      url.searchParams.set("scope", "openid");
    } else {
      const scopes = ["openid", "profile", ...(app.requestOfflineAccess ? ["offline_access"] : []), ...delegatedScopes(app)];
      url = new URL(`${app.endpoints.loginBase}/${encodeURIComponent(tenantSegment)}/oauth2/v2.0/authorize`);
      url.searchParams.set("client_id", app.clientId);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("redirect_uri", app.redirectUrl);
      url.searchParams.set("response_mode", "query");
      url.searchParams.set("scope", scopes.join(" "));
    }
    url.searchParams.set("state", state);
    url.searchParams.set("nonce", nonce);
    url.searchParams.set("code_challenge", challenge);
    url.searchParams.set("code_challenge_method", "S256");
    url.searchParams.set("prompt", "select_account");
    url.searchParams.set("login_hint", link.tenant.adminEmail);
    setLoginParameters(url, app);
  }
  await db.oAuthState.create({
    data: {
      id: stateId,
      stateHash: hashToken(state),
      tenantId: link.tenant.id,
      consentLinkId: link.id,
      flow: link.flow,
      codeVerifier: codeVerifier ? encryptSecret(codeVerifier, { table: "OAuthState", rowId: stateId, field: "codeVerifier" }) : null,
      nonce,
      redirectUri: app.redirectUrl,
      browserBinding: hashToken(browserKey),
      expiresAt: new Date(Date.now() + STATE_TTL_MS),
    },
  });
  // Checked again after the state exists: revokeConsentLinks revokes the link first, then cancels its
  // states, so a state created after that cancel finds the link revoked here.
  const { count } = await db.consentLink.updateMany({ where: { id: link.id, ...usableLink() }, data: { lastUsedAt: new Date() } });
  if (count === 0) {
    await db.oAuthState.updateMany({ where: { id: stateId }, data: { cancelledAt: new Date() } });
    return { ok: false, error: LINK_NOT_USABLE };
  }
  await recordInvitationAtMicrosoft(link.id);
  await recordAudit({
    action: "consent.started",
    actor: { type: "anonymous", label: `customer admin of ${link.tenant.customerId}` },
    target: { type: "tenant", id: link.tenant.id },
    details: { customerId: link.tenant.customerId, flow: link.flow, linkId: link.id },
  });
  return { ok: true, redirectTo: url.toString() };
}

/**
 * What Microsoft's consent screen will list: for admin consent (`/.default`) the registration's
 * application permissions; for the auth-code flow the scopes the authorize request names (openid and
 * profile, offline_access when asked for, then the API's), or on v1.0 the registration's permissions.
 */
export function consentScreenPermissions(app: ProviderApp, flow: "ADMIN_CONSENT" | "AUTH_CODE"): { application: string[]; delegated: string[] } {
  if (flow === "ADMIN_CONSENT") return { application: [...app.requiredAppPermissions], delegated: [] };
  const oidc = new Set(["openid", "profile", "email", "offline_access"]);
  const api = app.scopes.filter((s) => !oidc.has(s)).map((s) => (s.includes("://") ? s.slice(s.lastIndexOf("/") + 1) : s));
  const signIn = app.tokenVersion === "v1" ? ["openid"] : ["openid", "profile", ...(app.requestOfflineAccess ? ["offline_access"] : [])];
  return { application: [], delegated: [...new Set([...signIn, ...api])] };
}

/** What the landing page shows the customer's administrator. */
export async function describeConsentLink(token: string) {
  const link = await findActiveConsentLink(token);
  if (!link) return null;
  let app: ProviderApp | null = null;
  try {
    app = await appForTenant({ cloud: link.tenant.cloud as CloudId, appRegistrationId: link.tenant.appRegistrationId });
  } catch {
    app = null;
  }
  const screen = app ? consentScreenPermissions(app, link.flow) : { application: [], delegated: [] };
  return {
    customerName: link.tenant.displayName,
    tenant: link.tenant.primaryDomain ?? link.tenant.entraTenantId,
    flow: link.flow,
    expiresAt: link.expiresAt,
    clientId: app?.clientId ?? null,
    permissions: app ? permissionsRequested(app, link.flow) : [],
    applicationPermissions: screen.application.map((p) => describePermission(p, "application")),
    delegatedPermissions: screen.delegated.map((p) => describePermission(p, "delegated")),
    /** Who may grant it: Graph application permissions need one of the two highest roles. */
    rolesNeeded: [...(screen.application.length > 0 || link.flow === "ADMIN_CONSENT" ? APPLICATION_CONSENT_ROLES : DELEGATED_CONSENT_ROLES)],
    offlineAccess: app?.requestOfflineAccess ?? false,
  };
}
