import { randomBytes } from "node:crypto";
import { aadError, AADSTS, AadRequestError, type AadstsKey } from "./aad-errors.js";
import { consentPage, errorPage, formPostPage, mfaPage, signInPage } from "./pages.js";
import type { User } from "./scenario.js";
import {
  ADMIN_ROLES,
  CODE_LIFETIME_MS,
  GRAPH_APP_CONSENT_ROLES,
  type AppRuntime,
  type ArmedInteraction,
  type EmulatorState,
  type TenantRuntime,
} from "./state.js";
import { GENERIC_SEGMENTS } from "./token-endpoint.js";
import { isGraphResource, newAuthCode, OIDC_SCOPES, parseScopes, type EmulatorUrls } from "./tokens.js";

/**
 * The browser flows: /oauth2/v2.0/authorize and the v2 and v1 admin consent endpoints, with sign-in,
 * MFA and consent steps kept server-side per session cookie.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent
 */

export const SESSION_COOKIE = "emu_session";
const FLOW_LIFETIME_MS = 30 * 60 * 1000;
/** Scripts open many cookie-less sessions; the oldest are dropped past this many. */
const MAX_SESSIONS = 10_000;

export type FlowKind = "authorize" | "adminconsent-v2" | "adminconsent-v1";

export type InteractiveResult = { kind: "redirect"; location: string } | { kind: "page"; status: number; html: string };

interface Session {
  id: string;
  signedIn?: { userId: string; tenantId: string; mfa: boolean; authTimeS: number };
}

interface Flow {
  id: string;
  sessionId: string;
  kind: FlowKind;
  segment: string;
  tenant?: TenantRuntime;
  app: AppRuntime;
  params: URLSearchParams;
  redirectUri: string;
  responseMode: string;
  user?: User;
  userTenant?: TenantRuntime;
  mfa: boolean;
  authTimeS?: number;
  expiresAtMs: number;
  /** The authorize endpoint's version: v1 (/oauth2/authorize) names a `resource` instead of scopes. */
  version: "v1" | "v2";
}

/** Where an answer goes: a whole flow, or the validated request before a flow exists. */
type RedirectTarget = Pick<Flow, "kind" | "redirectUri" | "params"> & { id?: string; responseMode?: string };

export class InteractiveFlows {
  private sessions = new Map<string, Session>();
  private flows = new Map<string, Flow>();

  constructor(
    private readonly state: EmulatorState,
    private readonly urls: EmulatorUrls,
  ) {}

  session(sessionId: string | undefined): { session: Session; created: boolean } {
    const existing = sessionId ? this.sessions.get(sessionId) : undefined;
    if (existing) return { session: existing, created: false };
    const session: Session = { id: randomBytes(18).toString("base64url") };
    this.sessions.set(session.id, session);
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return { session, created: true };
  }

  endSession(sessionId: string | undefined): void {
    if (sessionId) this.sessions.delete(sessionId);
  }

  start(kind: FlowKind, segment: string, params: URLSearchParams, session: Session, version: "v1" | "v2" = "v2"): InteractiveResult {
    const clientId = params.get("client_id") ?? "";
    const app = clientId ? this.state.findApp(clientId) : undefined;
    if (!app) return this.errorPageResult("unknownClient", [clientId, segment]);
    const redirectUri = params.get("redirect_uri") ?? app.redirectUris[0] ?? "";
    // Entra never redirects to an unregistered URI: the mismatch is shown on its own page.
    if (!app.redirectUris.includes(redirectUri)) return this.errorPageResult("redirectMismatch", [redirectUri, app.clientId]);

    const flowBase = { app, redirectUri, params, kind, segment };
    const lower = segment.toLowerCase();
    let tenant: TenantRuntime | undefined;
    if (GENERIC_SEGMENTS.has(lower)) {
      // v2 admin consent must name a tenant; `common` there is rejected (entra.md B1).
      if (kind === "adminconsent-v2" && lower === "common") return this.errorRedirect(flowBase, "tenantRequired", [segment]);
    } else {
      tenant = this.state.resolveTenant(segment);
      if (!tenant) return this.errorPageResult("tenantNotFound", [segment]);
      if (tenant.tenant.disabled) return this.errorPageResult("tenantUnavailable", [tenant.tenant.id]);
    }

    if (kind === "authorize") {
      if (params.get("response_type") !== "code") return this.errorRedirect(flowBase, "unsupportedResponseType", []);
      const method = params.get("code_challenge_method");
      if (params.get("code_challenge") && method && method !== "S256" && method !== "plain") {
        return this.errorRedirect(flowBase, "invalidRequest", ["code_challenge_method"]);
      }
      try {
        if (version === "v1") {
          // v1 names the API by `resource`; the permissions are those configured on the registration.
          const resource = params.get("resource");
          if (resource && !isGraphResource(resource, this.urls)) throw new AadRequestError("resourceNotFound", [resource, segment]);
        } else {
          parseScopes(params.get("scope") ?? "openid", this.urls);
        }
      } catch (error) {
        if (error instanceof AadRequestError) return this.errorRedirect(flowBase, error.key, error.args);
        throw error;
      }
    }

    const flow: Flow = {
      id: randomBytes(18).toString("base64url"),
      sessionId: session.id,
      kind,
      segment,
      tenant,
      app,
      params,
      redirectUri,
      responseMode: params.get("response_mode") ?? "query",
      mfa: false,
      expiresAtMs: Date.now() + FLOW_LIFETIME_MS,
      version,
    };
    this.flows.set(flow.id, flow);
    this.pruneFlows();

    const armed = this.state.takeArmedInteraction();
    if (armed) return this.runArmed(flow, armed, session);

    const prompt = params.get("prompt");
    const signedIn = session.signedIn;
    if (kind === "authorize" && signedIn && prompt !== "login" && prompt !== "select_account") {
      const userTenant = this.state.tenantsById.get(signedIn.tenantId.toLowerCase());
      const user = userTenant?.usersById.get(signedIn.userId);
      if (user && userTenant && (!tenant || tenant === userTenant)) {
        flow.user = user;
        flow.userTenant = userTenant;
        flow.mfa = signedIn.mfa;
        flow.authTimeS = signedIn.authTimeS;
        return this.afterAuthentication(flow, session, undefined);
      }
    }
    if (prompt === "none") return this.errorRedirect(flow, "loginRequired", []);
    return this.signInResult(flow);
  }

  signIn(flowId: string, session: Session, login: string, password: string): InteractiveResult {
    const flow = this.flowFor(flowId, session);
    if (!flow) return this.errorPageResult("invalidRequest", ["flow"]);
    const result = this.authenticate(flow, login, password);
    if (result) return result;
    if (flow.user!.mfa) return this.mfaResult(flow);
    return this.afterAuthentication(flow, session, undefined);
  }

  verifyMfa(flowId: string, session: Session, code: string): InteractiveResult {
    const flow = this.flowFor(flowId, session);
    if (!flow?.user) return this.errorPageResult("invalidRequest", ["flow"]);
    if (code.trim() !== (flow.user.mfaCode ?? "123456")) return this.mfaResult(flow, "That code didn't work. Check the code and try again.");
    flow.mfa = true;
    return this.afterAuthentication(flow, session, undefined);
  }

  decideConsent(flowId: string, session: Session, decision: string): InteractiveResult {
    const flow = this.flowFor(flowId, session);
    if (!flow?.user) return this.errorPageResult("invalidRequest", ["flow"]);
    return this.applyConsentDecision(flow, session, decision === "accept" ? "accept" : "cancel");
  }

  // ------------------------------------------------------------------ steps

  private runArmed(flow: Flow, armed: ArmedInteraction, session: Session): InteractiveResult {
    const found = this.state.findUser(armed.user);
    const result = this.authenticate(flow, armed.user, armed.password ?? found?.user.password ?? "");
    if (result) return result;
    if (flow.user!.mfa) {
      if (armed.mfaCode !== undefined && armed.mfaCode !== (flow.user!.mfaCode ?? "123456")) {
        return this.mfaResult(flow, "That code didn't work. Check the code and try again.");
      }
      flow.mfa = true;
    }
    return this.afterAuthentication(flow, session, armed.decision);
  }

  /** Returns a result when sign-in cannot proceed; on success records the user on the flow. */
  private authenticate(flow: Flow, login: string, password: string): InteractiveResult | undefined {
    const found = this.state.findUser(login.trim());
    if (!found) return this.signInResult(flow, "This username may be incorrect. Make sure you typed it correctly. (AADSTS50034)", login);
    if (found.user.password !== password) {
      return this.signInResult(flow, "Your account or password is incorrect. (AADSTS50126)", login);
    }
    if (found.tenant.tenant.disabled) return this.errorPageResult("tenantUnavailable", [found.tenant.tenant.id]);
    if (found.user.disabled) return this.errorPageResult("userDisabled", []);
    if (flow.tenant && flow.tenant !== found.tenant) {
      if (flow.kind === "authorize") return this.errorPageResult("userOtherTenant", [login, flow.tenant.tenant.displayName, flow.app.displayName]);
      return this.errorRedirect(flow, "userOtherTenant", [login, flow.tenant.tenant.displayName, flow.app.displayName]);
    }
    flow.user = found.user;
    flow.userTenant = found.tenant;
    flow.authTimeS = this.state.clock.nowSeconds();
    return undefined;
  }

  private afterAuthentication(flow: Flow, session: Session, armedDecision: "accept" | "cancel" | undefined): InteractiveResult {
    const user = flow.user!;
    const userTenant = flow.userTenant!;
    if (user.conditionalAccessBlock) return this.errorRedirect(flow, "caBlocked", [], "access_denied");
    session.signedIn = { userId: user.id, tenantId: userTenant.tenant.id, mfa: flow.mfa, authTimeS: flow.authTimeS ?? this.state.clock.nowSeconds() };

    const isAdmin = this.canGrant(user, flow);
    if (flow.kind !== "authorize") {
      if (!isAdmin) return this.errorRedirect(flow, "adminConsentRequired", []);
      if (armedDecision) return this.applyConsentDecision(flow, session, armedDecision);
      return this.consentResult(flow);
    }

    const needsConsent = this.authorizeNeedsConsent(flow);
    if (armedDecision === "cancel") return this.applyConsentDecision(flow, session, "cancel");
    if (!needsConsent) return this.finishAuthorize(flow, session);
    // prompt=none must not show UI: Entra answers consent_required instead.
    if (flow.params.get("prompt") === "none") return this.errorRedirect(flow, "consentMissing", [flow.app.clientId, flow.app.displayName], "consent_required");
    if (!isAdmin) return this.errorRedirect(flow, "adminConsentRequired", []);
    if (armedDecision) return this.applyConsentDecision(flow, session, armedDecision);
    return this.consentResult(flow);
  }

  /**
   * Whether the user may grant what the flow asks for tenant-wide: application permissions (admin consent,
   * `.default`) need a Global or Privileged Role Administrator; delegated ones any of ADMIN_ROLES. Anyone
   * else is answered with AADSTS90094 (access_denied) on the redirect URI, as Entra does.
   */
  private canGrant(user: User, flow: Flow): boolean {
    const allowed = this.requestedPermissions(flow).application.length > 0 ? GRAPH_APP_CONSENT_ROLES : ADMIN_ROLES;
    return (user.roles ?? []).some((r) => allowed.has(r));
  }

  private authorizeNeedsConsent(flow: Flow): boolean {
    const consent = this.state.consentFor(flow.userTenant!, flow.app);
    const prompt = flow.params.get("prompt");
    if (!consent || prompt === "consent" || prompt === "admin_consent") return true;
    if (flow.version === "v1") return false;
    const parsed = parseScopes(flow.params.get("scope") ?? "openid", this.urls);
    if (parsed.isDefault) return false;
    const granted = new Set(consent.delegatedPermissions.map((p) => p.toLowerCase()));
    return parsed.permissions.some((p) => !granted.has(p.toLowerCase()));
  }

  private requestedPermissions(flow: Flow): { application: string[]; delegated: string[] } {
    if (flow.kind !== "authorize") {
      return { application: flow.app.requiredApplicationPermissions, delegated: flow.app.requiredDelegatedPermissions };
    }
    if (flow.version === "v1") return { application: [], delegated: [...flow.app.requiredDelegatedPermissions, "openid"] };
    const parsed = parseScopes(flow.params.get("scope") ?? "openid", this.urls);
    if (parsed.isDefault) return { application: flow.app.requiredApplicationPermissions, delegated: flow.app.requiredDelegatedPermissions };
    return { application: [], delegated: [...parsed.permissions, ...[...parsed.oidc].filter((s) => OIDC_SCOPES.has(s))] };
  }

  private applyConsentDecision(flow: Flow, session: Session, decision: "accept" | "cancel"): InteractiveResult {
    if (decision === "cancel") {
      if (flow.kind === "adminconsent-v1") return this.errorRedirect(flow, "consentDeclined", [], "permission_denied");
      return this.errorRedirect(flow, "consentDeclined", []);
    }
    const requested = this.requestedPermissions(flow);
    const tenant = flow.userTenant!;
    if (flow.app.kind === "tenant" && flow.app.registration) {
      flow.app.registration.consented = true;
    } else {
      const existing = tenant.consents.get(flow.app.clientId.toLowerCase());
      const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
      tenant.consents.set(flow.app.clientId.toLowerCase(), {
        clientId: flow.app.clientId,
        applicationPermissions: union(existing?.applicationPermissions ?? [], requested.application),
        delegatedPermissions: union(existing?.delegatedPermissions ?? [], requested.delegated),
        grantedAtMs: existing?.grantedAtMs ?? this.state.clock.now(),
      });
    }
    if (flow.kind === "authorize") return this.finishAuthorize(flow, session);
    const query: Record<string, string> = { admin_consent: "True", tenant: tenant.tenant.id };
    if (flow.kind === "adminconsent-v2") {
      const resource = this.consentResource(flow);
      query.scope = requested.application.map((p) => `${resource}/${p}`).join(" ");
    }
    const stateParam = flow.params.get("state");
    if (stateParam !== null) query.state = stateParam;
    this.flows.delete(flow.id);
    return { kind: "redirect", location: appendQuery(flow.redirectUri, query) };
  }

  private consentResource(flow: Flow): string {
    const scope = flow.params.get("scope");
    const first = scope?.split(/\s+/).find((s) => s.includes("/"));
    return first ? first.slice(0, first.lastIndexOf("/")) : "https://graph.microsoft.com";
  }

  private finishAuthorize(flow: Flow, session: Session): InteractiveResult {
    const code = newAuthCode();
    const now = this.state.clock.now();
    this.state.pruneAuthCodes();
    this.state.authCodes.set(code, {
      code,
      tenantId: flow.userTenant!.tenant.id,
      userId: flow.user!.id,
      clientId: flow.app.clientId,
      redirectUri: flow.redirectUri,
      scope: flow.params.get("scope") ?? "openid",
      codeChallenge: flow.params.get("code_challenge") ?? undefined,
      codeChallengeMethod: flow.params.get("code_challenge_method") ?? (flow.params.get("code_challenge") ? "plain" : undefined),
      nonce: flow.params.get("nonce") ?? undefined,
      mfa: flow.mfa,
      authTimeS: session.signedIn?.authTimeS ?? this.state.clock.nowSeconds(),
      expiresAtMs: now + CODE_LIFETIME_MS,
      redeemed: false,
    });
    this.flows.delete(flow.id);
    const fields: Record<string, string> = { code };
    const stateParam = flow.params.get("state");
    if (stateParam !== null) fields.state = stateParam;
    fields.session_state = session.id.slice(0, 16);
    return this.respond(flow, fields);
  }

  private respond(flow: RedirectTarget & { responseMode: string }, fields: Record<string, string>): InteractiveResult {
    if (flow.kind === "authorize" && flow.responseMode === "form_post") {
      return { kind: "page", status: 200, html: formPostPage(flow.redirectUri, fields) };
    }
    if (flow.kind === "authorize" && flow.responseMode === "fragment") {
      return { kind: "redirect", location: `${flow.redirectUri}#${new URLSearchParams(fields).toString()}` };
    }
    return { kind: "redirect", location: appendQuery(flow.redirectUri, fields) };
  }

  // ------------------------------------------------------------------ results

  private errorRedirect(target: RedirectTarget, key: AadstsKey, args: readonly string[], errorOverride?: string): InteractiveResult {
    const err = aadError(this.urls.loginUrl, this.state.clock.now(), key, args);
    const fields: Record<string, string> = {};
    if (target.kind === "adminconsent-v2") fields.admin_consent = "True";
    fields.error = errorOverride ?? err.body.error;
    fields.error_description = err.body.error_description;
    fields.error_uri = err.body.error_uri;
    const stateParam = target.params.get("state");
    if (stateParam !== null) fields.state = stateParam;
    if (target.id) this.flows.delete(target.id);
    return this.respond({ ...target, responseMode: target.responseMode ?? target.params.get("response_mode") ?? "query" }, fields);
  }

  private errorPageResult(key: AadstsKey, args: readonly string[]): InteractiveResult {
    const err = aadError(this.urls.loginUrl, this.state.clock.now(), key, args);
    const description = err.body.error_description.replace(/^AADSTS\d+: /, "");
    return { kind: "page", status: 400, html: errorPage({ error: err.body.error, description, code: AADSTS[key].code }) };
  }

  private signInResult(flow: Flow, error?: string, loginHint?: string): InteractiveResult {
    return {
      kind: "page",
      status: 200,
      html: signInPage({
        flowId: flow.id,
        action: `/${encodeURIComponent(flow.segment)}/login`,
        appName: flow.app.displayName,
        loginHint: loginHint ?? flow.params.get("login_hint") ?? undefined,
        error,
      }),
    };
  }

  private mfaResult(flow: Flow, error?: string): InteractiveResult {
    return {
      kind: "page",
      status: 200,
      html: mfaPage({ flowId: flow.id, action: `/${encodeURIComponent(flow.segment)}/SAS/ProcessAuth`, upn: flow.user!.userPrincipalName, error }),
    };
  }

  private consentResult(flow: Flow): InteractiveResult {
    const requested = this.requestedPermissions(flow);
    return {
      kind: "page",
      status: 200,
      html: consentPage({
        flowId: flow.id,
        action: `/${encodeURIComponent(flow.segment)}/Consent/Set`,
        appName: flow.app.displayName,
        upn: flow.user!.userPrincipalName,
        tenantName: flow.userTenant!.tenant.displayName,
        permissions: [
          ...requested.application.map((name) => ({ name, kind: "Application" as const })),
          ...requested.delegated.map((name) => ({ name, kind: "Delegated" as const })),
        ],
        onBehalfOfOrganization: true,
      }),
    };
  }

  private flowFor(flowId: string, session: Session): Flow | undefined {
    const flow = this.flows.get(flowId);
    if (!flow || flow.sessionId !== session.id || flow.expiresAtMs < Date.now()) return undefined;
    return flow;
  }

  private pruneFlows(): void {
    if (this.flows.size < 1000) return;
    const now = Date.now();
    for (const [id, flow] of this.flows) if (flow.expiresAtMs < now) this.flows.delete(id);
  }
}

function appendQuery(uri: string, fields: Record<string, string>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
  return url.toString();
}
