import { randomUUID } from "node:crypto";
import { scenarioUserResource } from "./directory.js";
import { decodeJwt, verifyJwtSignature } from "./jwt.js";
import { parseSendMail } from "./mail.js";
import type { Group, User } from "./scenario.js";
import { GRAPH_APP_ID, ROLE_TEMPLATE_IDS, type AppRuntime, type EmulatorState, type TenantRuntime } from "./state.js";
import { isGraphResource, type EmulatorUrls } from "./tokens.js";

/**
 * The Microsoft Graph v1.0 subset the console uses, with Graph's envelopes, paging and error bodies.
 * @see https://learn.microsoft.com/en-us/graph/errors
 * @see https://learn.microsoft.com/en-us/graph/paging
 * @see https://learn.microsoft.com/en-us/graph/json-batching
 */

export interface GraphRequest {
  method: string;
  /** Path plus query, e.g. `/v1.0/users?$top=1`. */
  url: string;
  headers: Record<string, string | undefined>;
  body?: unknown;
  /** Whether a POST came without a body or with one that is not JSON (then `body` is undefined). */
  bodyState?: "ok" | "missing" | "invalid";
}

export interface GraphResponse {
  status: number;
  /** undefined: no body at all (202 Accepted of sendMail). */
  body: unknown;
  headers: Record<string, string>;
  /** Counter key such as `graph:/v1.0/users`. */
  endpoint: string;
  tenantId?: string;
}

interface Principal {
  tenant: TenantRuntime;
  kind: "app" | "user";
  roles: Set<string>;
  scp: Set<string>;
  user?: User;
  appId: string;
}

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What route() returns for an action Graph answers with 202 Accepted and no body (sendMail). */
const ACCEPTED = Symbol("accepted");
/** What route() returns for an action Graph answers with 204 No Content (removePassword). */
const NO_CONTENT = Symbol("no-content");

const MAX_BATCH = 20;
/** Users per page of /users/delta, which ignores $top. */
const DELTA_PAGE = 200;
const DEFAULT_PAGE = 100;
const MAX_TOP = 999;
const USER_DEFAULT_FIELDS = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
];

/** Permission sets that satisfy each operation; the first entry is the least privileged. */
const PERMISSIONS = {
  organization: {
    app: ["Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    delegated: ["User.Read", "Organization.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  },
  me: { app: [], delegated: ["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "Directory.Read.All"] },
  users: {
    app: ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    delegated: ["User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  },
  groups: {
    app: ["GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    delegated: ["GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  },
  memberOf: {
    app: ["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    delegated: ["User.Read", "GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  },
  /** Application.ReadWrite.OwnedBy reads the applications the app owns; every app owns its own registration here. */
  applications: {
    app: ["Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    delegated: ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  },
  /**
   * addPassword / removePassword. Application.ReadWrite.OwnedBy lets an app manage the applications it
   * owns; the emulator treats every app as owning its own registration (as an MSP's rotating app does).
   * @see https://learn.microsoft.com/en-us/graph/api/application-addpassword#permissions
   */
  applicationCredentials: {
    app: ["Application.ReadWrite.OwnedBy", "Application.ReadWrite.All", "Directory.ReadWrite.All"],
    delegated: ["Application.ReadWrite.All", "Directory.ReadWrite.All"],
  },
} as const;

/** Graph's default lifetime of a password added without endDateTime: two years from its start. */
const DEFAULT_PASSWORD_LIFETIME_MS = 2 * 365 * 24 * 60 * 60 * 1000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class GraphService {
  constructor(
    private readonly state: EmulatorState,
    private readonly urls: EmulatorUrls,
  ) {}

  /** The tenant a bearer token names, without validating it: used to pick tenant-scoped faults early. */
  peekTenant(authorization: string | undefined): string | undefined {
    const token = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined;
    const tid = token ? decodeJwt(token)?.payload.tid : undefined;
    return typeof tid === "string" ? tid : undefined;
  }

  handle(request: GraphRequest): GraphResponse {
    const requestId = randomUUID();
    const clientRequestId = request.headers["client-request-id"] ?? requestId;
    const headers: Record<string, string> = {
      "request-id": requestId,
      "client-request-id": clientRequestId,
      "x-ms-ags-diagnostic": JSON.stringify({ ServerInfo: { DataCenter: "Emulator", Slice: "E", Ring: "0", ScaleUnit: "000", RoleInstance: "EMU" } }),
    };
    const url = new URL(request.url, this.urls.graphUrl);
    const endpoint = `graph:${normalizeEndpoint(url.pathname)}`;
    let tenantId: string | undefined;
    try {
      const principal = this.authenticate(request.headers.authorization);
      tenantId = principal.tenant.tenant.id;
      if (url.pathname === "/v1.0/$batch") {
        if (request.method !== "POST") throw new GraphError(405, "Request_BadRequest", "The HTTP method is not allowed for $batch.");
        return { status: 200, body: this.batch(request, principal), headers: { ...headers, "Content-Type": "application/json" }, endpoint, tenantId };
      }
      const body = this.route(request.method, url, request.headers, principal, request);
      if (body === ACCEPTED) return { status: 202, body: undefined, headers, endpoint, tenantId };
      if (body === NO_CONTENT) return { status: 204, body: undefined, headers, endpoint, tenantId };
      return {
        status: 200,
        body,
        headers: { ...headers, "Content-Type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8" },
        endpoint,
        tenantId,
      };
    } catch (error) {
      if (error instanceof GraphError) {
        return {
          status: error.status,
          body: graphErrorBody(error.code, error.message, requestId, clientRequestId, this.state.clock.now()),
          headers: { ...headers, "Content-Type": "application/json" },
          endpoint,
          tenantId,
        };
      }
      throw error;
    }
  }

  /** Validates signature, audience, lifetime and tenant of a bearer token, as Graph does. */
  private authenticate(authorization: string | undefined): Principal {
    if (!authorization || !/^bearer /i.test(authorization)) throw new GraphError(401, "InvalidAuthenticationToken", "Access token is empty.");
    const token = authorization.slice(7).trim();
    const decoded = decodeJwt(token);
    if (!decoded) throw new GraphError(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed, there are no dots (.).");
    const key = this.state.accessTokenKeys.find((k) => k.kid === decoded.header.kid);
    if (!key || decoded.header.alg !== "RS256" || !verifyJwtSignature(decoded, key.publicKey)) {
      throw new GraphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid signature.");
    }
    const p = decoded.payload;
    if (typeof p.aud !== "string" || !isGraphResource(p.aud, this.urls))
      throw new GraphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
    const nowS = this.state.clock.now() / 1000;
    if (typeof p.exp !== "number" || p.exp < nowS) throw new GraphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
    if (typeof p.nbf === "number" && p.nbf > nowS + 300)
      throw new GraphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is not yet valid.");
    const tenant = typeof p.tid === "string" ? this.state.tenantsById.get(p.tid.toLowerCase()) : undefined;
    if (!tenant || p.iss !== `${this.urls.loginUrl}/${tenant.tenant.id}/`)
      throw new GraphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid issuer.");
    if (tenant.tenant.disabled) throw new GraphError(401, "InvalidAuthenticationToken", "The tenant for tenant guid does not exist.");
    const roles = new Set(Array.isArray(p.roles) ? (p.roles as string[]) : []);
    const scp = new Set(typeof p.scp === "string" ? p.scp.split(" ").filter(Boolean) : []);
    const user = p.idtyp === "user" && typeof p.oid === "string" ? tenant.usersById.get(p.oid) : undefined;
    if (p.idtyp === "user" && !user) throw new GraphError(401, "InvalidAuthenticationToken", "The user does not exist.");
    return { tenant, kind: user ? "user" : "app", roles, scp, user, appId: String(p.appid ?? "") };
  }

  private require(principal: Principal, permissions: { app: readonly string[]; delegated: readonly string[] }): void {
    const ok = principal.kind === "app" ? permissions.app.some((r) => principal.roles.has(r)) : permissions.delegated.some((s) => principal.scp.has(s));
    if (!ok) throw new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  }

  private route(method: string, url: URL, headers: GraphRequest["headers"], principal: Principal, request: GraphRequest): unknown {
    const sendMail = /^\/v1\.0\/(?:users\/([^/]+)|me)\/(?:microsoft\.graph\.)?sendMail\/?$/i.exec(url.pathname);
    if (sendMail) {
      if (method !== "POST") throw new GraphError(405, "Request_BadRequest", `The HTTP method '${method}' is not allowed for sendMail.`);
      this.sendMail(principal, sendMail[1] === undefined ? undefined : decodeURIComponent(sendMail[1]), request);
      return ACCEPTED;
    }
    const credentialAction = /^\/v1\.0\/applications(?:\/([^/(]+)|\(appId='([^']+)'\))\/(?:microsoft\.graph\.)?(addPassword|removePassword)\/?$/i.exec(
      decodeURIComponent(url.pathname),
    );
    if (credentialAction) {
      if (method !== "POST") throw new GraphError(405, "Request_BadRequest", `The HTTP method '${method}' is not allowed for ${credentialAction[3]}.`);
      const key = credentialAction[1] !== undefined ? { objectId: credentialAction[1] } : { appId: credentialAction[2]! };
      if (credentialAction[3]!.toLowerCase() === "addpassword") return this.addPassword(principal, key, request);
      this.removePassword(principal, key, request);
      return NO_CONTENT;
    }
    if (method !== "GET") throw new GraphError(405, "Request_BadRequest", `The HTTP method '${method}' is not supported by this emulator.`);
    const path = url.pathname.replace(/\/+$/, "");
    const q = url.searchParams;
    const t = principal.tenant;
    const context = (entity: string) => `${this.urls.graphUrl}/v1.0/$metadata#${entity}`;

    if (path === "/oidc/userinfo") {
      // The userinfo_endpoint of the discovery document: OIDC claims for a delegated token.
      if (principal.kind !== "user") throw new GraphError(401, "InvalidAuthenticationToken", "Access token is not a user token.");
      const u = principal.user!;
      return { sub: u.id, name: u.displayName, family_name: u.surname ?? null, given_name: u.givenName ?? null, email: u.mail ?? u.userPrincipalName };
    }
    if (path === "/v1.0/organization") {
      this.require(principal, PERMISSIONS.organization);
      const limited =
        principal.kind === "user" && !["Organization.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"].some((s) => principal.scp.has(s));
      return { "@odata.context": context("organization"), value: [selectFields(organization(t, limited), q.get("$select"))] };
    }
    if (path === "/v1.0/me" || path === "/v1.0/me/memberOf") {
      if (principal.kind !== "user") throw new GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
      if (path === "/v1.0/me") {
        this.require(principal, PERMISSIONS.me);
        return { "@odata.context": context("users/$entity"), ...selectFields(scenarioUserResource(principal.user!), q.get("$select"), USER_DEFAULT_FIELDS) };
      }
      this.require(principal, PERMISSIONS.memberOf);
      return this.page(url, headers, memberOf(t, principal.user!), "directoryObjects", undefined);
    }
    if (path === "/v1.0/users") {
      this.require(principal, PERMISSIONS.users);
      return this.usersPage(url, headers, t);
    }
    if (path === "/v1.0/users/delta" || path === "/v1.0/users/microsoft.graph.delta") {
      this.require(principal, PERMISSIONS.users);
      return this.usersDelta(url, headers, t);
    }
    const userMatch = /^\/v1\.0\/users\/([^/]+)(\/memberOf)?$/.exec(path);
    if (userMatch) {
      const key = decodeURIComponent(userMatch[1]!).toLowerCase();
      const user = t.usersById.get(key) ?? t.tenant.users.find((u) => u.id.toLowerCase() === key) ?? t.usersByUpn.get(key);
      if (userMatch[2]) {
        this.require(principal, PERMISSIONS.memberOf);
        if (!user) throw notFound(key);
        return this.page(url, headers, memberOf(t, user), "directoryObjects", undefined);
      }
      this.require(principal, PERMISSIONS.users);
      const resource = t.directory.find(user?.id ?? key);
      if (!resource) throw notFound(key);
      return { "@odata.context": context("users/$entity"), ...selectFields(resource, q.get("$select"), USER_DEFAULT_FIELDS) };
    }
    if (path === "/v1.0/groups") {
      this.require(principal, PERMISSIONS.groups);
      return this.page(url, headers, t.tenant.groups.map(groupResource), "groups", undefined);
    }
    if (path === "/v1.0/applications") {
      this.require(principal, PERMISSIONS.applications);
      const apps = this.applicationsIn(t).map((a) => applicationResource(a));
      return this.page(url, headers, filterByAppId(apps, q.get("$filter")), "applications", undefined);
    }
    const appByAppId = /^\/v1\.0\/applications\(appId='([^']+)'\)$/.exec(decodeURIComponent(path));
    if (appByAppId) {
      this.require(principal, PERMISSIONS.applications);
      const app = this.applicationsIn(t).find((a) => a.clientId.toLowerCase() === appByAppId[1]!.toLowerCase());
      if (!app) throw notFound(appByAppId[1]!);
      return { "@odata.context": context("applications/$entity"), ...selectFields(applicationResource(app), q.get("$select")) };
    }
    const appByObjectId = /^\/v1\.0\/applications\/([^/(]+)$/.exec(path);
    if (appByObjectId) {
      this.require(principal, PERMISSIONS.applications);
      const id = decodeURIComponent(appByObjectId[1]!);
      const app = this.applicationsIn(t).find((a) => a.objectId.toLowerCase() === id.toLowerCase());
      if (!app) throw notFound(id);
      return { "@odata.context": context("applications/$entity"), ...selectFields(applicationResource(app), q.get("$select")) };
    }
    if (path === "/v1.0/servicePrincipals") {
      this.require(principal, PERMISSIONS.applications);
      return this.page(url, headers, filterByAppId(this.servicePrincipals(t), q.get("$filter")), "servicePrincipals", undefined);
    }
    const segment = path.split("/")[2] ?? "";
    throw new GraphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`);
  }

  /**
   * `POST /users/{id | userPrincipalName}/sendMail` and `POST /me/sendMail`. App-only tokens need the
   * application permission Mail.Send (any mailbox of the tenant); delegated tokens the scope Mail.Send,
   * and may send only from the signed-in user's own mailbox. Exchange's answers: 403 ErrorAccessDenied,
   * 404 ErrorInvalidUser, 400 ErrorInvalidRecipients / ErrorInvalidParameter; 202 with no body when sent.
   * @see https://learn.microsoft.com/en-us/graph/api/user-sendmail
   */
  private sendMail(principal: Principal, userKey: string | undefined, request: GraphRequest): void {
    const denied = () => new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    if (userKey === undefined && principal.kind !== "user")
      throw new GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
    const granted = principal.kind === "app" ? principal.roles.has("Mail.Send") : principal.scp.has("Mail.Send");
    if (!granted) throw denied();
    const t = principal.tenant;
    let sender: { id: string; address: string; name: string | null };
    if (userKey === undefined) {
      const u = principal.user!;
      sender = { id: u.id, address: u.mail ?? u.userPrincipalName, name: u.displayName };
    } else {
      const key = userKey.toLowerCase();
      const explicit =
        t.usersById.get(key) ??
        t.tenant.users.find((u) => u.id.toLowerCase() === key) ??
        t.usersByUpn.get(key) ??
        t.tenant.users.find((u) => u.mail?.toLowerCase() === key);
      const resource = t.directory.find(explicit?.id ?? key);
      if (!resource) throw new GraphError(404, "ErrorInvalidUser", `The requested user '${userKey}' is invalid.`);
      const address = typeof resource.mail === "string" && resource.mail ? resource.mail : String(resource.userPrincipalName);
      sender = { id: String(resource.id), address, name: typeof resource.displayName === "string" ? resource.displayName : null };
      if (principal.kind === "user" && sender.id.toLowerCase() !== principal.user!.id.toLowerCase()) throw denied();
    }
    const parsed = parseSendMail(request.body, request.bodyState ?? (request.body === undefined ? "missing" : "ok"));
    if (!parsed.ok) throw new GraphError(parsed.status, parsed.code, parsed.message);
    this.state.mail.deliver({ address: sender.address, name: sender.name, tenantId: t.tenant.id, appId: principal.appId }, parsed.mail, this.state.clock.now());
  }

  /** The application an action addresses, by object id or by appId; only its home tenant sees it. */
  private applicationFor(principal: Principal, key: { objectId: string } | { appId: string }): AppRuntime {
    const apps = this.applicationsIn(principal.tenant);
    const app =
      "objectId" in key
        ? apps.find((a) => a.objectId.toLowerCase() === key.objectId.toLowerCase())
        : apps.find((a) => a.clientId.toLowerCase() === key.appId.toLowerCase());
    if (!app) throw notFound("objectId" in key ? key.objectId : key.appId);
    return app;
  }

  /**
   * `POST /applications/{id}/addPassword` (or `(appId='…')`): body `{ passwordCredential: { displayName?,
   * startDateTime?, endDateTime? } }`, all optional; 200 with the new passwordCredential, the only time its
   * `secretText` is ever returned. The permission is checked before the application is looked up.
   * @see https://learn.microsoft.com/en-us/graph/api/application-addpassword
   */
  private addPassword(principal: Principal, key: { objectId: string } | { appId: string }, request: GraphRequest): Record<string, unknown> {
    this.require(principal, PERMISSIONS.applicationCredentials);
    if (request.bodyState === "invalid")
      throw new GraphError(
        400,
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
      );
    const app = this.applicationFor(principal, key);
    const body = (request.body ?? {}) as { passwordCredential?: { displayName?: unknown; startDateTime?: unknown; endDateTime?: unknown } | null };
    const requested = body.passwordCredential ?? {};
    const dateOf = (name: string, v: unknown): number | undefined => {
      if (v === undefined || v === null) return undefined;
      const ms = typeof v === "string" ? Date.parse(v) : NaN;
      if (Number.isNaN(ms)) throw new GraphError(400, "Request_BadRequest", `Invalid value specified for property '${name}' of resource 'PasswordCredential'.`);
      return ms;
    };
    const now = this.state.clock.now();
    const startMs = dateOf("startDateTime", requested.startDateTime) ?? now;
    const endMs = dateOf("endDateTime", requested.endDateTime) ?? startMs + DEFAULT_PASSWORD_LIFETIME_MS;
    if (endMs <= startMs) throw new GraphError(400, "Request_BadRequest", "Key credential end date is invalid.");
    const added = this.state.addSecret(app.clientId, {
      displayName: typeof requested.displayName === "string" ? requested.displayName : undefined,
      startDateTime: new Date(startMs).toISOString(),
      endDateTime: new Date(endMs).toISOString(),
    });
    return {
      "@odata.context": `${this.urls.graphUrl}/v1.0/$metadata#microsoft.graph.passwordCredential`,
      customKeyIdentifier: null,
      displayName: added.displayName ?? null,
      endDateTime: added.endDateTime,
      hint: added.hint,
      keyId: added.keyId,
      secretText: added.secretText,
      startDateTime: added.startDateTime,
    };
  }

  /**
   * `POST /applications/{id}/removePassword` with `{ keyId }`: 204. A keyId that is not a GUID is a bad
   * request; one the application does not hold is answered 404 like any missing resource.
   * @see https://learn.microsoft.com/en-us/graph/api/application-removepassword
   */
  private removePassword(principal: Principal, key: { objectId: string } | { appId: string }, request: GraphRequest): void {
    this.require(principal, PERMISSIONS.applicationCredentials);
    if (request.bodyState === "invalid")
      throw new GraphError(
        400,
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
      );
    const app = this.applicationFor(principal, key);
    const keyId = (request.body as { keyId?: unknown } | undefined)?.keyId;
    if (typeof keyId !== "string" || !GUID.test(keyId))
      throw new GraphError(400, "Request_BadRequest", "Invalid value specified for property 'keyId' of resource 'Application'.");
    if (!app.secrets.some((s) => s.keyId.toLowerCase() === keyId.toLowerCase()))
      throw new GraphError(404, "Request_ResourceNotFound", `No password credential found with keyId '${keyId}'.`);
    this.state.removeSecret(app.clientId, app.secrets.find((s) => s.keyId.toLowerCase() === keyId.toLowerCase())!.keyId);
  }

  private applicationsIn(t: TenantRuntime): AppRuntime[] {
    const out: AppRuntime[] = [];
    for (const app of this.state.appsByClientId.values()) {
      if (app.homeTenantId.toLowerCase() === t.tenant.id.toLowerCase()) out.push(app);
    }
    return out;
  }

  private servicePrincipals(t: TenantRuntime): Record<string, unknown>[] {
    const sps: Record<string, unknown>[] = [
      {
        id: this.state.servicePrincipalId(t.tenant.id, GRAPH_APP_ID),
        appId: GRAPH_APP_ID,
        displayName: "Microsoft Graph",
        appOwnerOrganizationId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
        servicePrincipalType: "Application",
        accountEnabled: true,
      },
    ];
    for (const app of this.state.appsByClientId.values()) {
      if (!this.state.appInTenant(app, t)) continue;
      sps.push({
        id: this.state.servicePrincipalId(t.tenant.id, app.clientId),
        appId: app.clientId,
        displayName: app.displayName,
        appOwnerOrganizationId: app.homeTenantId,
        servicePrincipalType: "Application",
        accountEnabled: true,
      });
    }
    return sps;
  }

  /** $top/$skiptoken paging with an opaque skiptoken, $select, and $count (needs ConsistencyLevel: eventual). */
  private page(
    url: URL,
    headers: GraphRequest["headers"],
    items: Record<string, unknown>[],
    entity: string,
    defaultFields: string[] | undefined,
  ): Record<string, unknown> {
    const q = url.searchParams;
    const topRaw = q.get("$top");
    const top = topRaw === null ? DEFAULT_PAGE : Number(topRaw);
    if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
      throw new GraphError(400, "Request_BadRequest", `Invalid page size specified: '${topRaw}'. Must be between 1 and ${MAX_TOP} inclusive.`);
    let offset = 0;
    const skiptoken = q.get("$skiptoken");
    if (skiptoken) {
      const decoded = Number(Buffer.from(skiptoken, "base64url").toString("utf8").replace(/^o:/, ""));
      if (!Number.isInteger(decoded) || decoded < 0) throw new GraphError(400, "Request_BadRequest", "Invalid skip token.");
      offset = decoded;
    }
    const count = q.get("$count");
    if (count === "true" && (headers.consistencylevel ?? "").toLowerCase() !== "eventual") {
      throw new GraphError(400, "Request_BadRequest", "$count is only supported with the ConsistencyLevel:eventual header.");
    }
    const select = q.get("$select");
    const slice = items.slice(offset, offset + top).map((i) => selectFields(i, select, defaultFields));
    const body: Record<string, unknown> = { "@odata.context": `${this.urls.graphUrl}/v1.0/$metadata#${entity}${select ? `(${select})` : ""}` };
    if (count === "true") body["@odata.count"] = items.length;
    if (offset + top < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set("$skiptoken", Buffer.from(`o:${offset + top}`).toString("base64url"));
      if (topRaw === null) next.searchParams.delete("$top");
      body["@odata.nextLink"] = `${this.urls.graphUrl}${next.pathname}${next.search}`;
    }
    body.value = slice;
    return body;
  }

  /**
   * `/users`: the tenant's directory a page at a time ($top 1–999, default 100), never materialized, with
   * an opaque skiptoken naming where the next page starts.
   * @see https://learn.microsoft.com/en-us/graph/paging
   */
  private usersPage(url: URL, headers: GraphRequest["headers"], t: TenantRuntime): Record<string, unknown> {
    const q = url.searchParams;
    const dir = t.directory;
    const top = pageSize(q.get("$top"));
    const select = q.get("$select");
    const count = q.get("$count");
    if (count === "true" && (headers.consistencylevel ?? "").toLowerCase() !== "eventual") {
      throw new GraphError(400, "Request_BadRequest", "$count is only supported with the ConsistencyLevel:eventual header.");
    }
    const body: Record<string, unknown> = { "@odata.context": `${this.urls.graphUrl}/v1.0/$metadata#users${select ? `(${select})` : ""}` };
    if (count === "true") body["@odata.count"] = dir.size;
    const filter = q.get("$filter");
    if (filter) {
      const m = /^userPrincipalName eq '([^']*)'$/i.exec(filter.trim());
      if (!m) throw new GraphError(400, "Request_UnsupportedQuery", "Unsupported query.");
      const explicit = t.usersByUpn.get(m[1]!.toLowerCase());
      const found = dir.find(explicit?.id ?? m[1]!);
      body.value = found && found.userPrincipalName.toLowerCase() === m[1]!.toLowerCase() ? [selectFields(found, select, USER_DEFAULT_FIELDS)] : [];
      return body;
    }
    const skiptoken = q.get("$skiptoken");
    let position = 0;
    if (skiptoken) {
      const state = readToken<{ p?: unknown }>(skiptoken);
      if (!state || typeof state.p !== "number" || state.p < 0) throw new GraphError(400, "Request_BadRequest", "Invalid skip token.");
      position = state.p;
    }
    const value: Record<string, unknown>[] = [];
    while (position < dir.positions && value.length < top) {
      const user = dir.at(position++);
      if (user) value.push(selectFields(user, select, USER_DEFAULT_FIELDS));
    }
    if (position < dir.positions) body["@odata.nextLink"] = `${this.urls.graphUrl}${url.pathname}?${queryWith(url, "$skiptoken", writeToken({ p: position }))}`;
    body.value = value;
    return body;
  }

  /**
   * `/users/delta`: a first round lists every current user and ends with a deltaLink; following it lists
   * the users changed since (their current state, or `@removed` for a deleted user) and ends with the
   * next deltaLink. `$deltatoken=latest` answers a deltaLink at once ("sync from now"). The query ($select)
   * travels inside the tokens. Pages hold up to 200 users (`Prefer: odata.maxpagesize` can ask for fewer);
   * `$top` is not supported on delta and is ignored. A token issued before invalidate-delta-tokens is
   * refused: 400 syncStateNotFound (an expired token) or 410 Gone (Graph needs a full resync).
   * @see https://learn.microsoft.com/en-us/graph/delta-query-users
   * @see https://learn.microsoft.com/en-us/graph/delta-query-overview
   */
  private usersDelta(url: URL, headers: GraphRequest["headers"], t: TenantRuntime): Record<string, unknown> {
    const q = url.searchParams;
    const dir = t.directory;
    const preferred = /odata\.maxpagesize=(\d+)/i.exec(headers.prefer ?? "");
    const size = Math.max(1, Math.min(DELTA_PAGE, preferred ? Number(preferred[1]) : DELTA_PAGE));
    type State = { g: number; m: "i" | "c"; p: number; s: number; to?: number; sel: string | null };
    const deltatoken = q.get("$deltatoken");
    const skiptoken = q.get("$skiptoken");
    const refuse = () => {
      if (dir.refusal.status === 410)
        throw new GraphError(410, "resyncRequired", "Resync required. The delta token is no longer valid: synchronize again from the start.");
      throw new GraphError(400, "syncStateNotFound", "The sync state generation is not found. The delta token is expired and data must be synchronized again.");
    };
    let state: State;
    if (deltatoken === "latest") {
      state = { g: dir.tokenGeneration, m: "c", p: 0, s: dir.seq, to: dir.seq, sel: q.get("$select") };
    } else if (deltatoken || skiptoken) {
      const read = readToken<State>((deltatoken ?? skiptoken)!);
      if (!read || typeof read.s !== "number" || typeof read.g !== "number") throw new GraphError(400, "Request_BadRequest", "Invalid state token.");
      if (read.g !== dir.tokenGeneration) refuse();
      state = deltatoken ? { g: read.g, m: "c", p: 0, s: read.s, to: dir.seq, sel: read.sel ?? null } : read;
    } else {
      state = { g: dir.tokenGeneration, m: "i", p: 0, s: dir.seq, sel: q.get("$select") };
    }
    const sel = state.sel;
    const value: Record<string, unknown>[] = [];
    let done: boolean;
    let position = state.p;
    if (state.m === "i") {
      while (position < dir.positions && value.length < size) {
        const user = dir.at(position++);
        if (user) value.push(selectFields(user, sel, USER_DEFAULT_FIELDS));
      }
      done = position >= dir.positions;
    } else {
      const ids = dir.changesBetween(state.s, state.to ?? dir.seq);
      for (const id of ids.slice(position, position + size)) {
        const user = dir.changed(id);
        value.push(user ? selectFields(user, sel, USER_DEFAULT_FIELDS) : { "@odata.type": "#microsoft.graph.user", id, "@removed": { reason: "changed" } });
      }
      position += size;
      done = position >= ids.length;
    }
    const base = `${this.urls.graphUrl}/v1.0/users/delta`;
    const body: Record<string, unknown> = { "@odata.context": `${this.urls.graphUrl}/v1.0/$metadata#users${sel ? `(${sel})` : ""}` };
    if (done) body["@odata.deltaLink"] = `${base}?$deltatoken=${writeToken({ g: state.g, s: state.m === "i" ? state.s : (state.to ?? dir.seq), sel })}`;
    else body["@odata.nextLink"] = `${base}?$skiptoken=${writeToken({ ...state, p: position })}`;
    body.value = deltatoken === "latest" ? [] : value;
    return body;
  }

  private batch(request: GraphRequest, principal: Principal): unknown {
    const body = request.body as { requests?: unknown } | undefined;
    const requests =
      body && Array.isArray(body.requests)
        ? (body.requests as { id?: unknown; method?: unknown; url?: unknown; headers?: Record<string, string>; body?: unknown }[])
        : undefined;
    if (!requests) throw new GraphError(400, "BadRequest", "Invalid batch payload format.");
    if (requests.length > MAX_BATCH) throw new GraphError(400, "BadRequest", `Too many requests in batch. Maximum number of requests is ${MAX_BATCH}.`);
    const responses = requests.map((sub) => {
      const id = String(sub.id ?? "");
      const method = String(sub.method ?? "GET").toUpperCase();
      const rawUrl = String(sub.url ?? "");
      const path = rawUrl.startsWith("/") ? `/v1.0${rawUrl}` : `/v1.0/${rawUrl}`;
      const endpoint = `graph:${normalizeEndpoint(new URL(path, this.urls.graphUrl).pathname)}`;
      this.state.countEndpointOnly(endpoint);
      const fault = this.state.nextFault("graph", principal.tenant.tenant.id, endpoint);
      if (fault?.kind === "throttle") {
        return {
          id,
          status: 429,
          headers: { "Retry-After": String(fault.retryAfterSeconds), "Content-Type": "application/json" },
          body: throttledBody(this.state.clock.now()),
        };
      }
      if (fault?.kind === "fail") {
        return {
          id,
          status: fault.status,
          headers: { "Content-Type": "application/json" },
          body: graphErrorBody("serviceNotAvailable", "Service unavailable.", randomUUID(), randomUUID(), this.state.clock.now()),
        };
      }
      const inner = this.handle({
        method,
        url: path,
        headers: { ...lowerKeys(sub.headers ?? {}), authorization: request.headers.authorization },
        body: sub.body,
      });
      return { id, status: inner.status, headers: { "Content-Type": inner.headers["Content-Type"] ?? "application/json" }, body: inner.body };
    });
    return { responses };
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

export function normalizeEndpoint(pathname: string): string {
  return pathname
    .replace(/\/+$/, "")
    .replace(/\/users\/(?!delta$|microsoft\.graph\.delta$)[^/]+/, "/users/{id}")
    .replace(/\/applications\(appId='[^']*'\)/, "/applications(appId='{appId}')");
}

export function graphErrorBody(code: string, message: string, requestId: string, clientRequestId: string, nowMs: number): unknown {
  return {
    error: {
      code,
      message,
      innerError: { date: new Date(nowMs).toISOString().replace(/\.\d+Z$/, ""), "request-id": requestId, "client-request-id": clientRequestId },
    },
  };
}

/** @see https://learn.microsoft.com/en-us/graph/throttling#sample-response */
export function throttledBody(nowMs: number): unknown {
  const requestId = randomUUID();
  return {
    error: {
      code: "TooManyRequests",
      innerError: {
        code: "429",
        date: new Date(nowMs).toISOString().replace(/\.\d+Z$/, ""),
        message: "Please retry after",
        "request-id": requestId,
        status: "429",
      },
      message: "Please retry again later.",
    },
  };
}

function pageSize(topRaw: string | null): number {
  const top = topRaw === null ? DEFAULT_PAGE : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
    throw new GraphError(400, "Request_BadRequest", `Invalid page size specified: '${topRaw}'. Must be between 1 and ${MAX_TOP} inclusive.`);
  return top;
}

/** The request's query with one parameter set, keeping `$` literal as Graph's links do. */
function queryWith(url: URL, name: string, value: string): string {
  const parts: string[] = [];
  for (const [k, v] of url.searchParams) if (k !== name) parts.push(`${k}=${encodeURIComponent(v).replace(/%2C/gi, ",")}`);
  parts.push(`${name}=${value}`);
  return parts.join("&");
}

/** An opaque state token (skiptoken, deltatoken): base64url JSON, as opaque to clients as Graph's. */
function writeToken(state: unknown): string {
  return Buffer.from(JSON.stringify(state)).toString("base64url");
}

function readToken<T>(token: string): T | null {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    return v && typeof v === "object" ? (v as T) : null;
  } catch {
    return null;
  }
}

function notFound(id: string): GraphError {
  return new GraphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function selectFields(item: Record<string, unknown>, select: string | null, defaults?: string[]): Record<string, unknown> {
  const fields = select
    ? select
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : defaults;
  if (!fields) return item;
  const out: Record<string, unknown> = {};
  if (item["@odata.type"]) out["@odata.type"] = item["@odata.type"];
  for (const f of fields) out[f] = item[f] ?? null;
  return out;
}

function filterByAppId(items: Record<string, unknown>[], filter: string | null): Record<string, unknown>[] {
  if (!filter) return items;
  const m = /^appId eq '([^']*)'$/i.exec(filter.trim());
  if (!m) throw new GraphError(400, "Request_UnsupportedQuery", "Unsupported query.");
  return items.filter((i) => String(i.appId).toLowerCase() === m[1]!.toLowerCase());
}

/** With only User.Read, Graph fills id, displayName and verifiedDomains and nulls the rest. */
function organization(t: TenantRuntime, limited: boolean): Record<string, unknown> {
  const tenant = t.tenant;
  const full: Record<string, unknown> = {
    id: tenant.id,
    deletedDateTime: null,
    businessPhones: [],
    city: null,
    country: null,
    countryLetterCode: tenant.countryLetterCode ?? "US",
    createdDateTime: tenant.createdDateTime ?? "2021-03-01T10:00:00Z",
    defaultUsageLocation: null,
    displayName: tenant.displayName,
    isMultipleDataLocationsForServicesEnabled: null,
    marketingNotificationEmails: [],
    onPremisesLastSyncDateTime: null,
    onPremisesSyncEnabled: null,
    partnerTenantType: null,
    postalCode: null,
    preferredLanguage: "en",
    securityComplianceNotificationMails: [],
    securityComplianceNotificationPhones: [],
    state: null,
    street: null,
    technicalNotificationMails: tenant.users
      .filter((u) => u.roles?.includes("Global Administrator"))
      .map((u) => u.mail ?? u.userPrincipalName)
      .slice(0, 1),
    tenantType: "AAD",
    directorySizeQuota: { used: tenant.users.length + tenant.groups.length, total: 50000 },
    assignedPlans: [],
    privacyProfile: null,
    provisionedPlans: [],
    verifiedDomains: tenant.domains.map((d) => ({
      capabilities: d.isInitial ? "Email, OfficeCommunicationsOnline" : "Email",
      isDefault: d.isDefault,
      isInitial: d.isInitial,
      name: d.name,
      type: "Managed",
    })),
  };
  if (!limited) return full;
  return Object.fromEntries(
    Object.entries(full).map(([k, v]) => [k, k === "id" || k === "displayName" || k === "verifiedDomains" ? v : Array.isArray(v) ? [] : null]),
  );
}

function groupResource(group: Group): Record<string, unknown> {
  return {
    id: group.id,
    deletedDateTime: null,
    createdDateTime: "2022-01-01T00:00:00Z",
    description: group.description ?? null,
    displayName: group.displayName,
    groupTypes: [],
    mail: null,
    mailEnabled: group.mailEnabled,
    mailNickname: group.displayName.replace(/[^A-Za-z0-9]/g, "").toLowerCase(),
    securityEnabled: group.securityEnabled,
    visibility: null,
  };
}

function memberOf(t: TenantRuntime, user: User): Record<string, unknown>[] {
  const groups = (user.groups ?? []).map((id) => t.groupsById.get(id)).filter((g): g is Group => Boolean(g));
  const roles = (user.roles ?? []).map((name) => ({
    "@odata.type": "#microsoft.graph.directoryRole",
    id: ROLE_TEMPLATE_IDS[name] ?? name,
    deletedDateTime: null,
    description: name,
    displayName: name,
    roleTemplateId: ROLE_TEMPLATE_IDS[name] ?? null,
  }));
  return [...groups.map((g) => ({ "@odata.type": "#microsoft.graph.group", ...groupResource(g) })), ...roles];
}

/** Secrets surface as passwordCredentials with `secretText: null`, as Graph never returns them after creation. */
function applicationResource(app: AppRuntime): Record<string, unknown> {
  return {
    id: app.objectId,
    appId: app.clientId,
    displayName: app.displayName,
    createdDateTime: app.createdDateTime,
    signInAudience: app.kind === "provider" ? "AzureADMultipleOrgs" : "AzureADMyOrg",
    passwordCredentials: app.secrets.map((s) => ({
      customKeyIdentifier: null,
      displayName: s.displayName ?? null,
      endDateTime: new Date(s.endDateTime).toISOString(),
      hint: s.hint ?? s.secretText.slice(0, 3),
      keyId: s.keyId,
      secretText: null,
      startDateTime: s.startDateTime ? new Date(s.startDateTime).toISOString() : "2024-01-01T00:00:00Z",
    })),
    keyCredentials: app.certificates.map((c) => ({
      customKeyIdentifier: c.sha1,
      displayName: c.displayName ?? null,
      endDateTime: new Date(c.endMs).toISOString(),
      key: null,
      keyId: c.keyId,
      startDateTime: new Date(c.startMs).toISOString(),
      type: "AsymmetricX509Cert",
      usage: "Verify",
    })),
    web: { redirectUris: app.redirectUris },
    identifierUris: app.registration?.identifierUris ?? [],
    appRoles: (app.registration?.appRoles ?? []).map((r) => ({
      allowedMemberTypes: r.allowedMemberTypes,
      description: r.description ?? null,
      displayName: r.displayName ?? r.value,
      id: r.id,
      isEnabled: r.isEnabled,
      origin: "Application",
      value: r.value,
    })),
    api: { requestedAccessTokenVersion: app.registration?.accessTokenAcceptedVersion ?? null },
    groupMembershipClaims: app.registration?.groupMembershipClaims ?? null,
    requiredResourceAccess: [
      {
        resourceAppId: GRAPH_APP_ID,
        resourceAccess: [
          ...app.requiredApplicationPermissions.map((p) => ({ id: p, type: "Role" })),
          ...app.requiredDelegatedPermissions.map((p) => ({ id: p, type: "Scope" })),
        ],
      },
    ],
  };
}
