import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { aadError, AadRequestError } from "./aad-errors.js";
import { readControlResource, runControlOperation } from "./control-api.js";
import { instanceDiscovery, jwks, openIdConfigurationV1, openIdConfigurationV2 } from "./discovery.js";
import { GraphService, graphErrorBody, normalizeEndpoint, throttledBody } from "./graph.js";
import { isLoopback, parseCookies, readBody, redirect, sendHtml, sendJson, sleep } from "./http-util.js";
import { InteractiveFlows, SESSION_COOKIE, type FlowKind, type InteractiveResult } from "./interactive.js";
import { mailboxIndexPage, mailboxPage, messagePage } from "./mail-pages.js";
import { errorPage, signedOutPage } from "./pages.js";
import { EmulatorControlError, type CounterKind, type EmulatorState, type FaultScope } from "./state.js";
import { GENERIC_SEGMENTS, handleTokenRequest } from "./token-endpoint.js";
import type { EmulatorUrls } from "./tokens.js";

/** Request handlers for the two listeners. Kept free of listener setup so tests can reason about routing alone. */

const DISCOVERY_HEADERS = { "Cache-Control": "max-age=86400, private", "Access-Control-Allow-Origin": "*" };
const TOKEN_HEADERS = { "Cache-Control": "no-store, no-cache", Pragma: "no-cache" };

interface Tracked {
  kind: CounterKind;
  endpoint: string;
  tenant?: string;
  clientId?: string;
  error?: string;
  errorCode?: number;
}

export class EmulatorHandlers {
  readonly interactive: InteractiveFlows;
  readonly graph: GraphService;

  constructor(
    readonly state: EmulatorState,
    readonly urls: EmulatorUrls,
  ) {
    this.interactive = new InteractiveFlows(state, urls);
    this.graph = new GraphService(state, urls);
  }

  private track(req: IncomingMessage, res: ServerResponse, started: number, t: Tracked): void {
    this.state.count(t.endpoint, t.kind);
    res.once("finish", () => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      this.state.logRequest({
        at: new Date(this.state.clock.now()).toISOString(),
        kind: t.kind,
        endpoint: t.endpoint,
        method: req.method ?? "GET",
        path,
        status: res.statusCode,
        tenant: t.tenant,
        clientId: t.clientId,
        error: t.error,
        errorCode: t.errorCode,
        durationMs: Date.now() - started,
      });
    });
  }

  /** Applies latency and consumes an injected fault. Returns true when the response was already handled. */
  private async applyFaults(
    scope: FaultScope,
    tenantId: string | undefined,
    res: ServerResponse,
    clientRequestId: string | undefined,
    endpoint?: string,
  ): Promise<boolean> {
    const delay = this.state.latencyFor(scope);
    if (delay > 0) await sleep(delay);
    const fault = this.state.nextFault(scope, tenantId, endpoint);
    if (!fault) return false;
    if (fault.kind === "hang") return true;
    const now = this.state.clock.now();
    if (scope === "token") {
      const err =
        fault.kind === "throttle"
          ? aadError(this.urls.loginUrl, now, "throttled", [], { correlationId: clientRequestId })
          : aadError(this.urls.loginUrl, now, "transient", [], { correlationId: clientRequestId, statusOverride: fault.status });
      const headers: Record<string, string> = { ...TOKEN_HEADERS, "x-ms-request-id": err.body.trace_id };
      if (fault.kind === "throttle") headers["Retry-After"] = String(fault.retryAfterSeconds);
      sendJson(res, err.status, err.body, headers);
      return true;
    }
    if (fault.kind === "throttle") {
      sendJson(res, 429, throttledBody(now), { "Retry-After": String(fault.retryAfterSeconds) });
    } else {
      const code = fault.status === 503 ? "serviceNotAvailable" : fault.status === 504 ? "gatewayTimeout" : "generalException";
      sendJson(
        res,
        fault.status,
        graphErrorBody(code, "The service is temporarily unavailable. Please retry.", randomUUID(), clientRequestId ?? randomUUID(), now),
      );
    }
    return true;
  }

  async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    // Split by hand: the token endpoint is the hot path and never needs a parsed query.
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = () => new URLSearchParams(q < 0 ? "" : rawUrl.slice(q + 1));
    const method = req.method ?? "GET";

    if (path.startsWith("/_emulator")) return this.control(req, res, path, method);

    const segments = path.split("/").filter(Boolean).map(safeDecode);
    const seg = segments[0] ?? "";
    const rest = segments.slice(1).join("/").toLowerCase();

    if (method === "GET" && path === "/") {
      this.track(req, res, started, { kind: "other", endpoint: "index" });
      return sendHtml(res, 200, this.indexPage());
    }
    if (method === "GET" && seg === "mailboxes") {
      this.track(req, res, started, { kind: "other", endpoint: "mailboxes" });
      return this.mailboxes(res, segments.slice(1));
    }
    if (method === "GET" && rest === "discovery/instance") {
      this.track(req, res, started, { kind: "discovery", endpoint: "discovery:instance" });
      return sendJson(res, 200, instanceDiscovery(this.urls), { ...DISCOVERY_HEADERS, "x-ms-request-id": randomUUID() });
    }
    if (method === "GET" && (rest === "v2.0/.well-known/openid-configuration" || rest === ".well-known/openid-configuration")) {
      this.track(req, res, started, { kind: "discovery", endpoint: "discovery:openid" });
      const v2 = rest.startsWith("v2.0");
      const generic = GENERIC_SEGMENTS.has(seg.toLowerCase());
      const tenant = generic ? undefined : this.state.resolveTenant(seg);
      if (!generic && !tenant) {
        this.sendAadError(res, new AadRequestError("tenantNotFound", [seg]));
        return;
      }
      const tenantPath = tenant ? tenant.tenant.id : seg;
      const issuerTenant = tenant ? tenant.tenant.id : "{tenantid}";
      const doc = v2 ? openIdConfigurationV2(this.urls, tenantPath, issuerTenant) : openIdConfigurationV1(this.urls, tenantPath, issuerTenant);
      return sendJson(res, 200, doc, { ...DISCOVERY_HEADERS, "x-ms-request-id": randomUUID() });
    }
    if (method === "GET" && (rest === "discovery/v2.0/keys" || rest === "discovery/keys" || (seg === "discovery" && segments[1] === "keys"))) {
      this.track(req, res, started, { kind: "discovery", endpoint: "jwks" });
      return sendJson(res, 200, jwks(this.state, this.urls, rest.includes("v2.0") ? "v2" : "v1"), DISCOVERY_HEADERS);
    }
    if (method === "POST" && (rest === "oauth2/v2.0/token" || rest === "oauth2/token")) {
      return this.token(req, res, started, seg, rest === "oauth2/token" ? "v1" : "v2");
    }
    if (method === "GET" && rest === "oauth2/v2.0/authorize") return this.startFlow(req, res, started, "authorize", seg, query());
    if (method === "GET" && rest === "oauth2/authorize") return this.startFlow(req, res, started, "authorize", seg, query(), "v1");
    if (method === "GET" && rest === "v2.0/adminconsent") return this.startFlow(req, res, started, "adminconsent-v2", seg, query());
    if (method === "GET" && rest === "adminconsent") return this.startFlow(req, res, started, "adminconsent-v1", seg, query());
    if (method === "GET" && (rest === "oauth2/v2.0/logout" || rest === "oauth2/logout")) {
      this.track(req, res, started, { kind: "interactive", endpoint: "logout" });
      return this.logout(req, res, query());
    }
    if (method === "POST" && (rest === "login" || rest === "sas/processauth" || rest === "consent/set")) {
      this.track(req, res, started, { kind: "interactive", endpoint: `interactive:${rest}` });
      const form = new URLSearchParams(await readBody(req));
      const { session, created } = this.interactive.session(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
      const flowId = form.get("flow") ?? "";
      const result =
        rest === "login"
          ? this.interactive.signIn(flowId, session, form.get("login") ?? "", form.get("passwd") ?? "")
          : rest === "sas/processauth"
            ? this.interactive.verifyMfa(flowId, session, form.get("otc") ?? "")
            : this.interactive.decideConsent(flowId, session, form.get("decision") ?? "cancel");
      return this.sendInteractive(res, result, created ? session.id : undefined);
    }
    if (method === "GET" && seg === "error") {
      this.track(req, res, started, { kind: "other", endpoint: "error" });
      const code = Number(query().get("code") ?? 0);
      return sendHtml(res, 200, errorPage({ error: "error", description: `See the error code ${code}.`, code }));
    }
    this.track(req, res, started, { kind: "other", endpoint: "not-found" });
    sendJson(res, 404, { error: "not_found", error_description: `No such endpoint: ${method} ${path}` });
  }

  private async token(req: IncomingMessage, res: ServerResponse, started: number, segment: string, version: "v1" | "v2"): Promise<void> {
    const tracked: Tracked = { kind: "token", endpoint: "token" };
    this.track(req, res, started, tracked);
    const body = await readBody(req);
    const clientRequestId = headerValue(req, "client-request-id");
    const tenantId = this.state.resolveTenant(segment)?.tenant.id;
    tracked.tenant = tenantId ?? segment;
    if (await this.applyFaults("token", tenantId, res, clientRequestId)) return;
    const form = new URLSearchParams(body);
    tracked.clientId = form.get("client_id") ?? undefined;
    try {
      const outcome = handleTokenRequest({ state: this.state, urls: this.urls, segment, version, form, authorization: req.headers.authorization });
      const headers: Record<string, string> = { ...TOKEN_HEADERS, "x-ms-request-id": randomUUID(), "x-ms-ests-server": "emulator" };
      if (clientRequestId) headers["client-request-id"] = clientRequestId;
      sendJson(res, 200, outcome.body, headers);
    } catch (error) {
      if (!(error instanceof AadRequestError)) throw error;
      const err = this.sendAadError(res, error, clientRequestId);
      tracked.error = err.body.error;
      tracked.errorCode = err.body.error_codes[0];
    }
  }

  private sendAadError(res: ServerResponse, error: AadRequestError, clientRequestId?: string): ReturnType<typeof aadError> {
    const err = aadError(this.urls.loginUrl, this.state.clock.now(), error.key, error.args, { correlationId: clientRequestId, suberror: error.suberror });
    const headers: Record<string, string> = { ...TOKEN_HEADERS, "x-ms-request-id": err.body.trace_id, "x-ms-ests-server": "emulator" };
    if (clientRequestId) headers["client-request-id"] = clientRequestId;
    sendJson(res, err.status, err.body, headers);
    return err;
  }

  private async startFlow(
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
    kind: FlowKind,
    segment: string,
    params: URLSearchParams,
    version: "v1" | "v2" = "v2",
  ): Promise<void> {
    this.track(req, res, started, {
      kind: "interactive",
      endpoint: kind === "authorize" ? "authorize" : "adminconsent",
      tenant: segment,
      clientId: params.get("client_id") ?? undefined,
    });
    const { session, created } = this.interactive.session(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    const result = this.interactive.start(kind, segment, params, session, version);
    this.sendInteractive(res, result, created ? session.id : undefined);
  }

  private sendInteractive(res: ServerResponse, result: InteractiveResult, newSessionId: string | undefined): void {
    const headers: Record<string, string | string[]> = {};
    if (newSessionId) headers["Set-Cookie"] = `${SESSION_COOKIE}=${newSessionId}; Path=/; HttpOnly; Secure; SameSite=Lax`;
    if (result.kind === "redirect") return redirect(res, result.location, headers);
    sendHtml(res, result.status, result.html, headers);
  }

  /**
   * Ends the emulator session. Entra redirects to post_logout_redirect_uri when it is registered;
   * the emulator accepts any registered redirect URI of any app, or shows a signed-out page.
   * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#send-a-sign-out-request
   */
  private logout(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
    this.interactive.endSession(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    const target = params.get("post_logout_redirect_uri");
    const registered =
      target && [...this.state.appsByClientId.values()].some((app) => app.redirectUris.some((uri) => new URL(uri).origin === safeOrigin(target)));
    if (target && registered) return redirect(res, target);
    sendHtml(res, 200, signedOutPage());
  }

  private async control(req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
    // The control API can rewrite the directory; only local processes may use it.
    if (!isLoopback(req.socket.remoteAddress))
      return sendJson(res, 403, { error: "forbidden", message: "The control API is served to loopback clients only." });
    const name = path.slice("/_emulator/".length).replace(/\/+$/, "");
    try {
      if (method === "GET") return sendJson(res, 200, readControlResource(this.state, name));
      if (method !== "POST") return sendJson(res, 405, { error: "method_not_allowed" });
      const text = await readBody(req);
      const body = text ? (JSON.parse(text) as unknown) : {};
      sendJson(res, 200, runControlOperation(this.state, name, body) ?? { ok: true });
    } catch (error) {
      if (error instanceof EmulatorControlError) return sendJson(res, error.status, { error: "control_error", message: error.message });
      if (error instanceof SyntaxError) return sendJson(res, 400, { error: "control_error", message: "body is not JSON" });
      if (error instanceof Error) return sendJson(res, 400, { error: "control_error", message: error.message });
      throw error;
    }
  }

  async graphRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? "/", this.urls.graphUrl);
    const peekTenant = this.graph.peekTenant(req.headers.authorization);
    const tracked: Tracked = { kind: "graph", endpoint: `graph:${normalizeEndpoint(url.pathname)}`, tenant: peekTenant };
    this.track(req, res, started, tracked);
    const bodyText = req.method === "POST" || req.method === "PATCH" ? await readBody(req) : "";
    const clientRequestId = headerValue(req, "client-request-id");
    // A $batch envelope is not throttled itself; each sub-request draws its own fault (json-batching docs).
    if (url.pathname === "/v1.0/$batch") {
      const delay = this.state.latencyFor("graph");
      if (delay > 0) await sleep(delay);
    } else if (await this.applyFaults("graph", peekTenant, res, clientRequestId, tracked.endpoint)) {
      return;
    }
    let body: unknown;
    let bodyState: "ok" | "missing" | "invalid" = bodyText.trim() ? "ok" : "missing";
    if (bodyState === "ok") {
      try {
        body = JSON.parse(bodyText);
      } catch {
        body = undefined;
        bodyState = "invalid";
      }
    }
    const response = this.graph.handle({
      method: req.method ?? "GET",
      url: req.url ?? "/",
      headers: {
        authorization: req.headers.authorization,
        consistencylevel: headerValue(req, "consistencylevel"),
        prefer: headerValue(req, "prefer"),
        "client-request-id": clientRequestId,
      },
      body,
      bodyState,
    });
    if (response.body === undefined) {
      res.writeHead(response.status, { ...response.headers, "Content-Length": 0 });
      res.end();
      return;
    }
    if (response.status >= 400) tracked.error = (response.body as { error?: { code?: string } }).error?.code;
    sendJson(res, response.status, response.body, response.headers);
  }

  /** `/mailboxes`, `/mailboxes/{address}`, `/mailboxes/{address}/messages/{id}`: what sendMail delivered, for people. */
  private mailboxes(res: ServerResponse, parts: string[]): void {
    const headers = { "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'" };
    const owners = this.mailboxOwners();
    if (parts.length === 0) return sendHtml(res, 200, mailboxIndexPage(this.state.mail.list(), owners), headers);
    const address = parts[0]!.toLowerCase();
    if (parts.length === 1) return sendHtml(res, 200, mailboxPage(address, this.state.mail.messages(address), owners.get(address)), headers);
    const message = parts.length === 3 && parts[1] === "messages" ? this.state.mail.find(address, parts[2]!) : undefined;
    if (!message) return sendHtml(res, 404, errorPage({ error: "not_found", description: "There is no such message in this mailbox.", code: 404 }));
    sendHtml(res, 200, messagePage(message, owners.get(address)), headers);
  }

  /** Lower-cased address → "Display name (Tenant)" for the scenario's users, so mailbox pages say whose mailbox it is. */
  private mailboxOwners(): Map<string, string> {
    const owners = new Map<string, string>();
    for (const t of this.state.scenario.tenants) {
      for (const u of t.users) {
        const label = `${u.displayName} (${t.displayName})`;
        owners.set(u.userPrincipalName.toLowerCase(), label);
        if (u.mail) owners.set(u.mail.toLowerCase(), label);
      }
    }
    return owners;
  }

  private indexPage(): string {
    const p = this.state.scenario.providerApp;
    const redirectUri = p.redirectUris[0] ?? "";
    const rows = this.state.scenario.tenants
      .slice(0, 60)
      .map((t) => {
        const consent = `${this.urls.loginUrl}/${t.id}/v2.0/adminconsent?client_id=${p.clientId}&scope=${encodeURIComponent(`${this.urls.graphUrl}/.default`)}&redirect_uri=${encodeURIComponent(redirectUri)}&state=demo`;
        return `<li>${escape(t.displayName)} <code>${t.id}</code> — <a href="${escape(consent)}">admin consent</a></li>`;
      })
      .join("");
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Entra ID emulator</title>
<style>body{font-family:system-ui,sans-serif;max-width:900px;margin:2rem auto;padding:0 1rem}code{font-size:.85rem}li{margin:.3rem 0}</style></head>
<body><h1>Entra ID emulator</h1><p>Login origin <code>${this.urls.loginUrl}</code>, Graph origin <code>${this.urls.graphUrl}</code>.
Provider app <code>${escape(p.clientId)}</code> (${escape(p.displayName)}).</p>
<p><a href="/mailboxes">Mailboxes</a> — mail sent through Graph <code>sendMail</code> (${this.state.mail.list().length} mailboxes).</p><ul>${rows}</ul></body></html>`;
  }
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function safeOrigin(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
