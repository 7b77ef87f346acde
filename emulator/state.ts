import { createHash, createPublicKey, KeyObject, randomBytes, randomUUID, X509Certificate } from "node:crypto";
import { UserDirectory, type UserChange } from "./directory.js";
import { EmulatorClock } from "./clock.js";
import { Mailboxes } from "./mail.js";
import { thumbprints } from "./certs.js";
import { createAccessTokenKey, createSigningKey, type SigningKey } from "./jwt.js";
import {
  parseGroupMembershipClaims,
  parseScenario,
  type AppRegistration,
  type Group,
  type Scenario,
  type ScenarioInput,
  type Secret,
  type Tenant,
  type User,
} from "./scenario.js";

export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
export const GRAPH_PUBLIC_URL = "https://graph.microsoft.com";
export const REFRESH_INACTIVITY_MS = 90 * 24 * 60 * 60 * 1000;
export const CODE_LIFETIME_MS = 10 * 60 * 1000;
const MAX_SIGNING_KEYS = 3;
const REQUEST_LOG_LIMIT = 2000;

/** Directory role template ids, for the `wids` claim and /me/memberOf. */
export const ROLE_TEMPLATE_IDS: Record<string, string> = {
  "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
  "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
  "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
  "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
  "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
};
export const DEFAULT_USER_WID = "b79fbf4d-3ef9-4689-8143-76b194e85509";
/** Directory roles that may grant tenant-wide consent to delegated permissions (and to non-Graph application permissions). */
export const ADMIN_ROLES = new Set(["Global Administrator", "Application Administrator", "Cloud Application Administrator", "Privileged Role Administrator"]);
/**
 * The roles that may also grant application permissions (app roles) of Microsoft Graph: an Application
 * or Cloud Application Administrator is refused there, as any user without an admin role (AADSTS90094).
 * @see https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/grant-admin-consent#prerequisites
 */
export const GRAPH_APP_CONSENT_ROLES = new Set(["Global Administrator", "Privileged Role Administrator"]);

export type FaultScope = "token" | "graph";
export interface LatencySpec {
  fixedMs: number;
  jitterMs: number;
}
export interface LatencyOptions {
  token?: LatencySpec;
  graph?: LatencySpec;
}
export interface ThrottleOptions {
  scope: FaultScope;
  /** Throttle the next K matching requests; without it the rule stays until clearFaults(). */
  count?: number;
  /** Throttle every request for this share of tenants (chosen by a stable hash of the tenant id). */
  tenantFraction?: number;
  tenantIds?: string[];
  /** Only requests to this endpoint, as the counters name it (e.g. `graph:/v1.0/users`). */
  endpoint?: string;
  /** Sent as Retry-After; may be fractional, like Graph's. */
  retryAfterSeconds: number;
}
export interface FailOptions {
  scope: FaultScope;
  count: number;
  status?: number;
}
export interface HangOptions {
  scope: FaultScope;
  count: number;
}
export type InjectedFault = { kind: "throttle"; retryAfterSeconds: number } | { kind: "fail"; status: number } | { kind: "hang" };

export interface ArmedInteraction {
  user: string;
  password?: string;
  mfaCode?: string;
  decision: "accept" | "cancel";
}

export interface RequestLogEntry {
  at: string;
  kind: CounterKind;
  endpoint: string;
  method: string;
  path: string;
  status: number;
  tenant?: string;
  clientId?: string;
  error?: string;
  errorCode?: number;
  durationMs: number;
}

/** Control API calls are not counted: counters describe Microsoft-shaped traffic only. */
export type CounterKind = "token" | "graph" | "discovery" | "interactive" | "other";
export interface CountersSnapshot {
  endpoints: Record<string, number>;
  totals: Record<CounterKind, number>;
}

export interface CertificateRuntime {
  keyId: string;
  displayName?: string;
  sha1: string;
  sha256: string;
  publicKey: KeyObject;
  certPem: string;
  startMs: number;
  endMs: number;
}

/** An application as the token endpoint sees it: the provider's multi-tenant app or a per-tenant registration. */
export interface AppRuntime {
  kind: "provider" | "tenant";
  clientId: string;
  objectId: string;
  displayName: string;
  homeTenantId: string;
  secrets: Secret[];
  certificates: CertificateRuntime[];
  redirectUris: string[];
  requiredApplicationPermissions: string[];
  requiredDelegatedPermissions: string[];
  consentPropagationSeconds: number;
  /** Seconds after a secret is added before the token endpoint accepts it (Entra's replication). */
  secretPropagationSeconds: number;
  createdDateTime: string;
  registration?: AppRegistration;
}

export interface ConsentRuntime {
  clientId: string;
  applicationPermissions: string[];
  delegatedPermissions: string[];
  grantedAtMs: number;
}

export interface TenantRuntime {
  tenant: Tenant;
  usersByUpn: Map<string, User>;
  usersById: Map<string, User>;
  groupsById: Map<string, Group>;
  /** Keyed by lower-cased client id. */
  consents: Map<string, ConsentRuntime>;
  /** Every user Graph lists (scenario, generated, added), with the change log `/users/delta` reads. */
  directory: UserDirectory;
}

export interface RefreshTokenRecord {
  token: string;
  tenantId: string;
  userId: string;
  clientId: string;
  /** Delegated permissions granted with the token, resource-less (e.g. "User.Read"). */
  scopes: string[];
  resource: string;
  mfa: boolean;
  issuedAtMs: number;
  lastUsedAtMs: number;
}

export interface AuthCodeRecord {
  code: string;
  tenantId: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  nonce?: string;
  mfa: boolean;
  authTimeS: number;
  expiresAtMs: number;
  redeemed: boolean;
}

/** A tenant app registration addressed as a resource (an API): by its client id or an identifier URI. */
export interface ApiResource {
  app: AppRuntime;
  registration: AppRegistration;
  /** The registered spelling of what the client named: an identifier URI or the client id. */
  matched: string;
  byIdentifierUri: boolean;
}

export interface SetClockOptions {
  /** ISO instant the emulator clock should read now. */
  now?: string;
  /** Offset from real time; negative is the past. */
  offsetSeconds?: number;
}

export interface AddSecretOptions {
  displayName?: string;
  endDateTime?: string;
  startDateTime?: string;
  secretText?: string;
}
export interface NewSecret {
  keyId: string;
  secretText: string;
  hint: string;
  displayName?: string;
  startDateTime: string;
  endDateTime: string;
}

/** Resource names compare case-insensitively and without trailing slashes, as the token endpoint strips them. */
function normalizeResource(resource: string): string {
  return resource.replace(/\/+$/, "").toLowerCase();
}

function deterministicGuid(...parts: string[]): string {
  const h = createHash("sha1").update(parts.join("|")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Stable value in [0, 1) per tenant, so a fraction of tenants is throttled the same way every run. */
export function tenantHashFraction(tenantId: string): number {
  let h = 2166136261;
  for (let i = 0; i < tenantId.length; i++) {
    h ^= tenantId.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) / 4294967296;
}

/** Entra client secrets are 40 characters with a `Q~` marker at positions 4-5; `hint` is the first three. */
export function generateSecretText(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~";
  const bytes = randomBytes(37);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return `${out.slice(0, 3)}8Q~${out.slice(3, 37)}`;
}

function certificateRuntime(cert: AppRegistration["certificates"][number], fallbackKeyId: string): CertificateRuntime {
  const computed = thumbprints(cert.certPem);
  const publicKey = createPublicKey(cert.certPem);
  const x509Dates = new X509Certificate(cert.certPem);
  return {
    keyId: cert.keyId ?? fallbackKeyId,
    displayName: cert.displayName,
    sha1: (cert.thumbprintSha1 ?? computed.sha1).replace(/[^0-9a-f]/gi, "").toUpperCase(),
    sha256: (cert.thumbprintSha256 ?? computed.sha256).replace(/[^0-9a-f]/gi, "").toUpperCase(),
    publicKey,
    certPem: cert.certPem,
    startMs: Date.parse(x509Dates.validFrom),
    endMs: cert.endDateTime ? Date.parse(cert.endDateTime) : Date.parse(x509Dates.validTo),
  };
}

/**
 * All mutable emulator state: the directory loaded from a scenario, issued codes and refresh tokens,
 * signing keys, faults, counters. Both listeners and the control API share one instance.
 */
export class EmulatorState {
  readonly clock: EmulatorClock;
  scenario!: Scenario;
  /** What reset() returns to: the last scenario loaded. */
  private initialScenario!: ScenarioInput;
  tenantsById = new Map<string, TenantRuntime>();
  tenantsByDomain = new Map<string, TenantRuntime>();
  appsByClientId = new Map<string, AppRuntime>();
  /** `${tenant id}|${resource}` (lower case, no trailing slash) → API; see findApiResource. */
  private apiResources = new Map<string, ApiResource>();
  /** Lower-cased UPN → tenant, for `organizations`/`common` user flows. */
  userTenantByUpn = new Map<string, TenantRuntime>();
  refreshTokens = new Map<string, RefreshTokenRecord>();
  authCodes = new Map<string, AuthCodeRecord>();
  /** Refresh tokens issued before this instant are revoked (Entra's refreshTokensValidFromDateTime). */
  tokensValidFromMs = new Map<string, number>();
  /** Published in the JWKS; signs ID tokens. */
  signingKeys: SigningKey[] = [];
  /** Not published; signs Graph access tokens (see createAccessTokenKey). */
  accessTokenKeys: SigningKey[] = [];
  private counters = new Map<string, number>();
  private totals: Record<CounterKind, number> = { token: 0, graph: 0, discovery: 0, interactive: 0, other: 0 };
  private log: RequestLogEntry[] = [];
  latency: LatencyOptions = {};
  private throttles: (ThrottleOptions & { remaining?: number; tenantSet?: Set<string> })[] = [];
  private failures: (FailOptions & { remaining: number })[] = [];
  private hangs: (HangOptions & { remaining: number })[] = [];
  /** Per tenant (lower-case id): seconds after a consent during which the tenant refuses app tokens with 700016. */
  private consentPropagation = new Map<string, number>();
  /** Per application (lower-case client id): overrides the app's secretPropagationSeconds; cleared with the faults. */
  private secretPropagation = new Map<string, number>();
  /** Per secret keyId: the instant from which the token endpoint accepts a newly added secret. */
  private secretAcceptedFromMs = new Map<string, number>();
  private armed: ArmedInteraction[] = [];
  /** What Graph sendMail delivered, per mailbox; emptied when a scenario is (re)loaded. */
  readonly mail = new Mailboxes();

  constructor(scenario: ScenarioInput | Scenario, clock = new EmulatorClock()) {
    this.clock = clock;
    this.signingKeys = [createSigningKey()];
    this.accessTokenKeys = [createAccessTokenKey()];
    this.loadScenario(scenario);
  }

  get activeSigningKey(): SigningKey {
    return this.signingKeys[0]!;
  }

  get activeAccessTokenKey(): SigningKey {
    return this.accessTokenKeys[0]!;
  }

  // ---------------------------------------------------------------- scenario

  loadScenario(input: ScenarioInput | Scenario): void {
    const scenario = parseScenario(structuredClone(input));
    this.initialScenario = structuredClone(input) as ScenarioInput;
    this.scenario = scenario;
    this.tenantsById.clear();
    this.tenantsByDomain.clear();
    this.appsByClientId.clear();
    this.apiResources.clear();
    this.userTenantByUpn.clear();
    this.refreshTokens.clear();
    this.authCodes.clear();
    this.tokensValidFromMs.clear();
    this.throttles = [];
    this.consentPropagation.clear();
    this.secretPropagation.clear();
    this.secretAcceptedFromMs.clear();
    this.failures = [];
    this.hangs = [];
    this.armed = [];
    this.latency = {};
    this.mail.clear();

    const longAgo = Date.parse("2024-01-01T00:00:00Z");
    for (const tenant of scenario.tenants) {
      const runtime: TenantRuntime = {
        tenant,
        usersByUpn: new Map(),
        usersById: new Map(),
        groupsById: new Map(tenant.groups.map((g) => [g.id, g])),
        consents: new Map(),
        directory: new UserDirectory(tenant, (id) => tenant.users.find((u) => u.id.toLowerCase() === id)),
      };
      for (const user of tenant.users) {
        runtime.usersByUpn.set(user.userPrincipalName.toLowerCase(), user);
        runtime.usersById.set(user.id, user);
        this.userTenantByUpn.set(user.userPrincipalName.toLowerCase(), runtime);
      }
      for (const consent of tenant.consents) {
        runtime.consents.set(consent.clientId.toLowerCase(), {
          clientId: consent.clientId,
          applicationPermissions: [...consent.applicationPermissions],
          delegatedPermissions: [...consent.delegatedPermissions],
          grantedAtMs: consent.grantedAt ? Date.parse(consent.grantedAt) : longAgo,
        });
      }
      this.tenantsById.set(tenant.id.toLowerCase(), runtime);
      for (const domain of tenant.domains) this.tenantsByDomain.set(domain.name.toLowerCase(), runtime);
      for (const reg of tenant.appRegistrations) {
        const app: AppRuntime = {
          kind: "tenant",
          clientId: reg.clientId,
          objectId: reg.id ?? deterministicGuid("app", reg.clientId),
          displayName: reg.displayName,
          homeTenantId: tenant.id,
          secrets: reg.secrets,
          certificates: reg.certificates.map((c, i) => certificateRuntime(c, deterministicGuid("cert", reg.clientId, String(i)))),
          redirectUris: reg.redirectUris,
          requiredApplicationPermissions: reg.applicationPermissions,
          requiredDelegatedPermissions: reg.delegatedPermissions,
          consentPropagationSeconds: 0,
          secretPropagationSeconds: 0,
          createdDateTime: "2024-01-01T00:00:00Z",
          registration: reg,
        };
        this.appsByClientId.set(reg.clientId.toLowerCase(), app);
        this.indexApiResource(tenant.id, app, reg);
      }
    }
    const p = scenario.providerApp;
    this.appsByClientId.set(p.clientId.toLowerCase(), {
      kind: "provider",
      clientId: p.clientId,
      objectId: p.id ?? deterministicGuid("app", p.clientId),
      displayName: p.displayName,
      homeTenantId: p.homeTenantId,
      secrets: p.secrets,
      certificates: p.certificates.map((c, i) => certificateRuntime(c, deterministicGuid("cert", p.clientId, String(i)))),
      redirectUris: p.redirectUris,
      requiredApplicationPermissions: p.requiredApplicationPermissions,
      requiredDelegatedPermissions: p.requiredDelegatedPermissions,
      consentPropagationSeconds: p.consentPropagationSeconds,
      secretPropagationSeconds: p.secretPropagationSeconds,
      createdDateTime: "2024-01-01T00:00:00Z",
    });

    for (const seeded of scenario.refreshTokens) {
      const tenant = this.userTenantByUpn.get(seeded.upn.toLowerCase());
      const user = tenant?.usersByUpn.get(seeded.upn.toLowerCase());
      if (!tenant || !user) throw new Error(`refreshTokens: unknown user ${seeded.upn}`);
      const lastUsed = Date.parse(seeded.lastUsedAt);
      this.refreshTokens.set(seeded.token, {
        token: seeded.token,
        tenantId: tenant.tenant.id,
        userId: user.id,
        clientId: seeded.clientId,
        scopes: seeded.scopes,
        resource: GRAPH_PUBLIC_URL,
        mfa: false,
        issuedAtMs: seeded.issuedAt ? Date.parse(seeded.issuedAt) : lastUsed,
        lastUsedAtMs: lastUsed,
      });
    }

    const faults = scenario.faults;
    if (faults && faults.throttleTenantIds.length > 0) {
      const scopes: FaultScope[] = faults.throttleScope === "both" ? ["token", "graph"] : [faults.throttleScope];
      for (const scope of scopes) this.throttle({ scope, tenantIds: faults.throttleTenantIds, retryAfterSeconds: faults.retryAfterSeconds });
    }
  }

  /** Back to the last loaded scenario, with a fresh clock offset, counters and faults. */
  reset(): void {
    this.clock.resetOffset();
    this.loadScenario(this.initialScenario);
    this.resetCounters();
  }

  /**
   * Every registration's service principal can be a token audience in its own tenant, named by client id
   * or by any identifier URI. Keys carry the tenant, so another tenant's API is "not found" (500011).
   */
  private indexApiResource(tenantId: string, app: AppRuntime, reg: AppRegistration): void {
    const key = (resource: string) => `${tenantId.toLowerCase()}|${normalizeResource(resource)}`;
    this.apiResources.set(key(reg.clientId), { app, registration: reg, matched: reg.clientId, byIdentifierUri: false });
    for (const uri of reg.identifierUris) this.apiResources.set(key(uri), { app, registration: reg, matched: uri.replace(/\/+$/, ""), byIdentifierUri: true });
  }

  // ---------------------------------------------------------------- lookups

  resolveTenant(segment: string): TenantRuntime | undefined {
    const key = segment.toLowerCase();
    return this.tenantsById.get(key) ?? this.tenantsByDomain.get(key);
  }

  findApp(clientId: string): AppRuntime | undefined {
    return this.appsByClientId.get(clientId.toLowerCase());
  }

  findUser(upn: string): { tenant: TenantRuntime; user: User } | undefined {
    const tenant = this.userTenantByUpn.get(upn.toLowerCase());
    const user = tenant?.usersByUpn.get(upn.toLowerCase());
    return tenant && user ? { tenant, user } : undefined;
  }

  private requireUser(upn: string): User {
    const found = this.findUser(upn);
    if (!found) throw new EmulatorControlError(404, `unknown user ${upn}`);
    return found.user;
  }

  private requireApp(clientId: string): AppRuntime {
    const app = this.findApp(clientId);
    if (!app) throw new EmulatorControlError(404, `unknown application ${clientId}`);
    return app;
  }

  private requireTenant(tenantId: string): TenantRuntime {
    const tenant = this.resolveTenant(tenantId);
    if (!tenant) throw new EmulatorControlError(404, `unknown tenant ${tenantId}`);
    return tenant;
  }

  servicePrincipalId(tenantId: string, clientId: string): string {
    return deterministicGuid("sp", tenantId.toLowerCase(), clientId.toLowerCase());
  }

  /** Whether the app has a service principal in the tenant, i.e. is "installed" there. */
  appInTenant(app: AppRuntime, tenant: TenantRuntime): boolean {
    if (app.homeTenantId.toLowerCase() === tenant.tenant.id.toLowerCase()) return true;
    return app.kind === "provider" && tenant.consents.has(app.clientId.toLowerCase());
  }

  /** The API a client names as `resource` (v1) or `<resource>/.default` (v2), if its service principal is in the tenant. */
  findApiResource(tenant: TenantRuntime, resource: string): ApiResource | undefined {
    return this.apiResources.get(`${tenant.tenant.id.toLowerCase()}|${normalizeResource(resource)}`);
  }

  /**
   * The `roles` of an app-only token for this API: the assigned values of enabled roles that allow
   * Application members, in the API's declaration order.
   */
  appRolesFor(api: AppRegistration, clientId: string): string[] {
    const assigned = new Set<string>();
    for (const a of api.appRoleAssignments) if (a.clientAppId.toLowerCase() === clientId.toLowerCase()) for (const r of a.roles) assigned.add(r);
    return api.appRoles.filter((r) => r.isEnabled && r.allowedMemberTypes.includes("Application") && assigned.has(r.value)).map((r) => r.value);
  }

  /**
   * The `roles` of an ID token this registration gets for the user: the values of enabled roles that allow
   * User members, assigned to the user or to a group the user is a direct member of, in declaration order.
   */
  userAppRolesFor(app: AppRegistration, user: User): string[] {
    const principals = new Set([user.id, ...(user.groups ?? [])].map((id) => id.toLowerCase()));
    const assigned = new Set<string>();
    for (const a of app.userRoleAssignments) if (principals.has(a.principalId.toLowerCase())) for (const r of a.roles) assigned.add(r);
    return app.appRoles.filter((r) => r.isEnabled && r.allowedMemberTypes.includes("User") && assigned.has(r.value)).map((r) => r.value);
  }

  /** The groups of the tenant the user is a direct member of (`users[].groups`), in declaration order. */
  userGroups(tenant: TenantRuntime, user: User): Group[] {
    const ids = new Set((user.groups ?? []).map((g) => g.toLowerCase()));
    return tenant.tenant.groups.filter((g) => ids.has(g.id.toLowerCase()));
  }

  /** The groups of the tenant whose direct members include the client's service principal, in declaration order. */
  servicePrincipalGroups(tenant: TenantRuntime, clientId: string): Group[] {
    const id = clientId.toLowerCase();
    return tenant.tenant.groups.filter((g) => g.servicePrincipalMembers.some((m) => m.toLowerCase() === id));
  }

  /**
   * The group object ids an app-only token for this API carries in `groups`, as the API's
   * groupMembershipClaims asks: "SecurityGroup" → the client's security groups (and directory roles, which
   * the emulator does not model for service principals), "All" → also distribution groups,
   * "ApplicationGroup" → only those assigned to the API (`assignedGroups`), "DirectoryRole" → none here;
   * a combination is the union. Empty for "None" or when the client is in no such group.
   */
  groupsClaimFor(tenant: TenantRuntime, api: AppRegistration, clientId: string): string[] {
    return this.groupsClaimOf(api, this.servicePrincipalGroups(tenant, clientId));
  }

  /**
   * The group object ids an ID token issued to this registration carries for the user, by the same
   * groupMembershipClaims rules as above ("DirectoryRole" adds nothing: the emulator keeps users'
   * directory roles as names, not as role objects).
   */
  userGroupsClaimFor(tenant: TenantRuntime, app: AppRegistration, user: User): string[] {
    return this.groupsClaimOf(app, this.userGroups(tenant, user));
  }

  private groupsClaimOf(app: AppRegistration, memberOf: Group[]): string[] {
    const kinds = parseGroupMembershipClaims(app.groupMembershipClaims);
    if (kinds.size === 0) return [];
    const assigned = new Set(app.assignedGroups.map((g) => g.toLowerCase()));
    return memberOf
      .filter(
        (g) => kinds.has("All") || (kinds.has("SecurityGroup") && g.securityEnabled) || (kinds.has("ApplicationGroup") && assigned.has(g.id.toLowerCase())),
      )
      .map((g) => g.id);
  }

  consentFor(tenant: TenantRuntime, app: AppRuntime): ConsentRuntime | undefined {
    if (app.kind === "tenant") {
      const reg = app.registration!;
      if (app.homeTenantId.toLowerCase() !== tenant.tenant.id.toLowerCase()) return undefined;
      return reg.consented
        ? { clientId: app.clientId, applicationPermissions: reg.applicationPermissions, delegatedPermissions: reg.delegatedPermissions, grantedAtMs: 0 }
        : undefined;
    }
    return tenant.consents.get(app.clientId.toLowerCase());
  }

  /** Drops redeemed and expired codes once the map grows, so long-running demos stay small. */
  pruneAuthCodes(): void {
    if (this.authCodes.size < 1000) return;
    const now = this.clock.now();
    for (const [code, record] of this.authCodes) if (record.redeemed || record.expiresAtMs < now) this.authCodes.delete(code);
  }

  // ---------------------------------------------------------------- control operations

  advanceClock(seconds: number): { now: string; offsetSeconds: number } {
    this.clock.advance(seconds);
    return { now: new Date(this.clock.now()).toISOString(), offsetSeconds: this.clock.offsetSeconds() };
  }

  /** Exactly one of `now` or `offsetSeconds`; both may lie in the past. */
  setClock(options: SetClockOptions): { now: string; offsetSeconds: number } {
    if ((options.now === undefined) === (options.offsetSeconds === undefined))
      throw new EmulatorControlError(400, "set-clock takes exactly one of now or offsetSeconds");
    if (options.now !== undefined) {
      const ms = Date.parse(options.now);
      if (Number.isNaN(ms)) throw new EmulatorControlError(400, `not an ISO date: ${options.now}`);
      this.clock.setNow(ms);
    } else {
      this.clock.setOffsetSeconds(options.offsetSeconds!);
    }
    return { now: new Date(this.clock.now()).toISOString(), offsetSeconds: this.clock.offsetSeconds() };
  }

  /**
   * Replaces the app roles of `apiAppId` assigned to `clientAppId` (an empty list removes the
   * assignment), like adding or deleting appRoleAssignments in Entra. Takes effect on the next token.
   */
  setAppRoleAssignment(apiAppId: string, clientAppId: string, roles: string[]): { apiAppId: string; clientAppId: string; roles: string[] } {
    const api = this.requireApp(apiAppId);
    const reg = api.registration;
    if (api.kind !== "tenant" || !reg) throw new EmulatorControlError(400, `${apiAppId} is not a tenant app registration`);
    const client = this.requireApp(clientAppId);
    if (client.kind === "tenant" && client.homeTenantId.toLowerCase() !== api.homeTenantId.toLowerCase()) {
      throw new EmulatorControlError(400, `client ${clientAppId} is registered in another tenant than ${apiAppId}`);
    }
    for (const value of roles) {
      const role = reg.appRoles.find((r) => r.value === value);
      if (!role) throw new EmulatorControlError(400, `${apiAppId} has no app role '${value}'`);
      if (!role.allowedMemberTypes.includes("Application")) throw new EmulatorControlError(400, `app role '${value}' does not allow member type Application`);
    }
    reg.appRoleAssignments = reg.appRoleAssignments.filter((a) => a.clientAppId.toLowerCase() !== client.clientId.toLowerCase());
    if (roles.length > 0) reg.appRoleAssignments.push({ clientAppId: client.clientId, roles: [...new Set(roles)] });
    return { apiAppId: api.clientId, clientAppId: client.clientId, roles: this.appRolesFor(reg, client.clientId) };
  }

  /**
   * Makes the client's service principal in the tenant a direct member of exactly these groups (`[]` removes
   * it from all), like adding or removing it as a group member in Entra. Takes effect on the next token.
   */
  setServicePrincipalGroups(tenantId: string, clientAppId: string, groupIds: string[]): { tenantId: string; clientAppId: string; groupIds: string[] } {
    const tenant = this.requireTenant(tenantId);
    const client = this.requireApp(clientAppId);
    if (!this.appInTenant(client, tenant)) throw new EmulatorControlError(400, `client ${clientAppId} has no service principal in tenant ${tenant.tenant.id}`);
    const wanted = new Set(groupIds.map((g) => g.toLowerCase()));
    for (const id of wanted)
      if (!tenant.tenant.groups.some((g) => g.id.toLowerCase() === id))
        throw new EmulatorControlError(400, `group ${id} is not a group of tenant ${tenant.tenant.id}`);
    const key = client.clientId.toLowerCase();
    for (const group of tenant.tenant.groups) {
      const others = group.servicePrincipalMembers.filter((m) => m.toLowerCase() !== key);
      group.servicePrincipalMembers = wanted.has(group.id.toLowerCase()) ? [...others, client.clientId] : others;
    }
    return { tenantId: tenant.tenant.id, clientAppId: client.clientId, groupIds: this.servicePrincipalGroups(tenant, client.clientId).map((g) => g.id) };
  }

  grantConsent(tenantId: string, clientId: string, permissions: { applicationPermissions?: string[]; delegatedPermissions?: string[] } = {}): ConsentRuntime {
    const tenant = this.requireTenant(tenantId);
    const app = this.requireApp(clientId);
    if (app.kind === "tenant" && app.registration) {
      // A single-tenant registration's permissions are granted (admin-consented) in its own tenant only.
      if (app.homeTenantId.toLowerCase() !== tenant.tenant.id.toLowerCase())
        throw new EmulatorControlError(400, `application ${app.clientId} is registered in tenant ${app.homeTenantId}, not ${tenant.tenant.id}`);
      const reg = app.registration;
      if (permissions.applicationPermissions) reg.applicationPermissions = app.requiredApplicationPermissions = [...permissions.applicationPermissions];
      if (permissions.delegatedPermissions) reg.delegatedPermissions = app.requiredDelegatedPermissions = [...permissions.delegatedPermissions];
      reg.consented = true;
      return { clientId: app.clientId, applicationPermissions: reg.applicationPermissions, delegatedPermissions: reg.delegatedPermissions, grantedAtMs: 0 };
    }
    const existing = tenant.consents.get(app.clientId.toLowerCase());
    const grant: ConsentRuntime = {
      clientId: app.clientId,
      applicationPermissions: permissions.applicationPermissions ?? app.requiredApplicationPermissions,
      delegatedPermissions: permissions.delegatedPermissions ?? app.requiredDelegatedPermissions,
      grantedAtMs: existing?.grantedAtMs ?? this.clock.now(),
    };
    tenant.consents.set(app.clientId.toLowerCase(), grant);
    return grant;
  }

  revokeConsent(tenantId: string, clientId: string): boolean {
    const tenant = this.requireTenant(tenantId);
    const app = this.findApp(clientId);
    if (app?.kind === "tenant" && app.registration) {
      const was = app.registration.consented;
      app.registration.consented = false;
      return was;
    }
    return tenant.consents.delete(clientId.toLowerCase());
  }

  /**
   * Adds a client secret, as the portal's "New client secret" or Graph's addPassword does. Entra takes a
   * while to replicate a new secret: for the app's secret propagation delay the token endpoint still
   * refuses it with AADSTS7000215 (see secretAccepted).
   */
  addSecret(clientId: string, options: AddSecretOptions = {}): NewSecret {
    const app = this.requireApp(clientId);
    const secretText = options.secretText ?? generateSecretText();
    const now = this.clock.now();
    const secret: Secret = {
      keyId: randomUUID(),
      displayName: options.displayName,
      secretText,
      hint: secretText.slice(0, 3),
      startDateTime: options.startDateTime ?? new Date(now).toISOString(),
      endDateTime: options.endDateTime ?? new Date(now + 180 * 24 * 60 * 60 * 1000).toISOString(),
    };
    app.secrets.push(secret);
    const delay = this.secretPropagationSeconds(app);
    if (delay > 0) this.secretAcceptedFromMs.set(secret.keyId, now + delay * 1000);
    return {
      keyId: secret.keyId,
      secretText,
      hint: secret.hint!,
      displayName: secret.displayName,
      startDateTime: secret.startDateTime!,
      endDateTime: secret.endDateTime,
    };
  }

  /** Whether the token endpoint accepts this secret yet (false while a new secret replicates). */
  secretAccepted(keyId: string): boolean {
    const from = this.secretAcceptedFromMs.get(keyId);
    return from === undefined || this.clock.now() >= from;
  }

  /**
   * Replication after a secret is added: for `seconds`, client credentials with the new secret fail with
   * AADSTS7000215, as Entra does until the new credential reaches every replica. Overrides the app's own
   * secretPropagationSeconds for secrets added from now on; 0 turns it off.
   */
  setSecretPropagationDelay(clientId: string, seconds: number): void {
    const app = this.requireApp(clientId);
    this.secretPropagation.set(app.clientId.toLowerCase(), seconds);
  }

  secretPropagationSeconds(app: AppRuntime): number {
    return this.secretPropagation.get(app.clientId.toLowerCase()) ?? app.secretPropagationSeconds;
  }

  expireSecret(clientId: string, keyId: string): void {
    const secret = this.requireApp(clientId).secrets.find((s) => s.keyId === keyId);
    if (!secret) throw new EmulatorControlError(404, `unknown secret ${keyId}`);
    secret.endDateTime = new Date(this.clock.now() - 1000).toISOString();
  }

  /**
   * Uploads a certificate's public key to the application, as "Certificates & secrets → Upload
   * certificate" in the Entra admin center does; client assertions signed with its key are accepted from
   * then on. Returns its keyId and thumbprint (keyCredential.customKeyIdentifier).
   */
  addCertificate(clientId: string, certPem: string, options: { displayName?: string } = {}): { keyId: string; thumbprintSha1: string; endDateTime: string } {
    const app = this.requireApp(clientId);
    const cert = certificateRuntime({ certPem, displayName: options.displayName }, randomUUID());
    if (app.certificates.some((c) => c.sha1 === cert.sha1)) throw new EmulatorControlError(409, "this certificate is already on the application");
    app.certificates.push(cert);
    return { keyId: cert.keyId, thumbprintSha1: cert.sha1, endDateTime: new Date(cert.endMs).toISOString() };
  }

  removeSecret(clientId: string, keyId: string): void {
    const app = this.requireApp(clientId);
    const index = app.secrets.findIndex((s) => s.keyId === keyId);
    if (index < 0) throw new EmulatorControlError(404, `unknown secret ${keyId}`);
    app.secrets.splice(index, 1);
  }

  setRedirectUris(clientId: string, redirectUris: string[]): void {
    const app = this.requireApp(clientId);
    app.redirectUris.splice(0, app.redirectUris.length, ...redirectUris);
  }

  revokeUserRefreshTokens(upn: string): void {
    const user = this.requireUser(upn);
    this.tokensValidFromMs.set(user.id, this.clock.now());
  }

  /** An admin reset in the Entra admin center also revokes refresh tokens, which is the default here. */
  changePassword(upn: string, password: string, options: { revokeRefreshTokens?: boolean } = {}): void {
    const user = this.requireUser(upn);
    user.password = password;
    user.passwordExpired = false;
    if (options.revokeRefreshTokens ?? true) this.tokensValidFromMs.set(user.id, this.clock.now());
  }

  setMfa(upn: string, required: boolean): void {
    this.requireUser(upn).mfa = required;
  }

  disableUser(upn: string, disabled = true): void {
    const found = this.findUser(upn);
    if (!found) throw new EmulatorControlError(404, `unknown user ${upn}`);
    found.user.disabled = disabled;
    found.tenant.directory.touch(found.user);
  }

  setConditionalAccessBlock(upn: string, blocked: boolean): void {
    this.requireUser(upn).conditionalAccessBlock = blocked;
  }

  disableTenant(tenantId: string, disabled = true): void {
    this.requireTenant(tenantId).tenant.disabled = disabled;
  }

  /** New active key first; old keys stay published (Entra keeps several) unless dropOld is set. */
  rotateSigningKeys(options: { dropOld?: boolean } = {}): { kid: string; published: string[] } {
    const key = createSigningKey();
    this.signingKeys = options.dropOld ? [key] : [key, ...this.signingKeys].slice(0, MAX_SIGNING_KEYS);
    const accessKey = createAccessTokenKey();
    this.accessTokenKeys = options.dropOld ? [accessKey] : [accessKey, ...this.accessTokenKeys].slice(0, MAX_SIGNING_KEYS);
    return { kid: key.kid, published: this.signingKeys.map((k) => k.kid) };
  }

  setLatency(latency: LatencyOptions): void {
    this.latency = { ...latency };
  }

  throttle(options: ThrottleOptions): void {
    this.throttles.push({
      ...options,
      remaining: options.count,
      tenantSet: options.tenantIds ? new Set(options.tenantIds.map((t) => t.toLowerCase())) : undefined,
    });
  }

  fail5xx(options: FailOptions): void {
    this.failures.push({ ...options, remaining: options.count });
  }

  hang(options: HangOptions): void {
    this.hangs.push({ ...options, remaining: options.count });
  }

  /**
   * Replication after consent, per tenant: for `seconds` after a consent is granted in the tenant, client
   * credentials for the consented app fail with AADSTS700016, as Entra does while the new service
   * principal replicates (entra.md A2.5). Overrides the app's own consentPropagationSeconds; 0 turns it off.
   */
  setConsentPropagationDelay(tenantId: string, seconds: number): void {
    const id = this.requireTenant(tenantId).tenant.id.toLowerCase();
    if (seconds > 0) this.consentPropagation.set(id, seconds);
    else this.consentPropagation.delete(id);
  }

  /** Seconds of propagation delay after a consent of `app` in `tenant`. */
  consentPropagationSeconds(tenant: TenantRuntime, app: AppRuntime): number {
    return this.consentPropagation.get(tenant.tenant.id.toLowerCase()) ?? app.consentPropagationSeconds;
  }

  clearFaults(): void {
    this.consentPropagation.clear();
    this.secretPropagation.clear();
    this.throttles = [];
    this.failures = [];
    this.hangs = [];
    this.latency = {};
  }

  /**
   * Sets a sign-in user's directory roles: [] makes a non-administrator (refused at admin consent with
   * AADSTS90094), "Global Administrator" one who can grant anything. Scripted customers use it.
   */
  setUserRoles(upn: string, roles: string[]): { user: string; roles: string[] } {
    const user = this.requireUser(upn);
    user.roles = [...new Set(roles)];
    return { user: user.userPrincipalName, roles: user.roles };
  }

  armInteraction(interaction: ArmedInteraction): void {
    this.armed.push(interaction);
  }

  takeArmedInteraction(): ArmedInteraction | undefined {
    return this.armed.shift();
  }

  // ---------------------------------------------------------------- directory users

  private directoryChange<T>(tenantId: string, change: (d: UserDirectory) => T): T {
    const t = this.requireTenant(tenantId);
    try {
      return change(t.directory);
    } catch (e) {
      if (e instanceof EmulatorControlError) throw e;
      throw new EmulatorControlError(e instanceof Error && e.message.startsWith("unknown") ? 404 : 409, e instanceof Error ? e.message : "refused");
    }
  }

  addUser(tenantId: string, user: UserChange & { id: string; userPrincipalName: string; displayName: string }) {
    return this.directoryChange(tenantId, (d) => d.add(user));
  }

  updateUser(tenantId: string, id: string, change: UserChange) {
    return this.directoryChange(tenantId, (d) => d.update(id, change));
  }

  removeUser(tenantId: string, id: string): void {
    this.directoryChange(tenantId, (d) => d.remove(id));
  }

  /** Every delta link issued so far for the tenant is refused from now on (expired, or a resync Graph asks for). */
  invalidateDeltaTokens(tenantId: string, status: 400 | 410): void {
    this.requireTenant(tenantId).directory.invalidateDeltaTokens(status);
  }

  // ---------------------------------------------------------------- faults

  latencyFor(scope: FaultScope): number {
    const spec = this.latency[scope];
    if (!spec) return 0;
    return Math.max(0, spec.fixedMs + Math.random() * spec.jitterMs);
  }

  /** Consumes and returns the fault for this request, if any; `tenantId` is the resolved GUID when known. */
  nextFault(scope: FaultScope, tenantId: string | undefined, endpoint?: string): InjectedFault | undefined {
    const tid = tenantId?.toLowerCase();
    for (const rule of this.hangs) {
      if (rule.scope === scope && rule.remaining > 0) {
        rule.remaining--;
        return { kind: "hang" };
      }
    }
    for (const rule of this.failures) {
      if (rule.scope === scope && rule.remaining > 0) {
        rule.remaining--;
        return { kind: "fail", status: rule.status ?? 503 };
      }
    }
    for (const rule of this.throttles) {
      if (rule.scope !== scope) continue;
      if (rule.remaining !== undefined && rule.remaining <= 0) continue;
      if (rule.tenantSet && (!tid || !rule.tenantSet.has(tid))) continue;
      if (rule.endpoint && rule.endpoint !== endpoint) continue;
      if (rule.tenantFraction !== undefined && (!tid || tenantHashFraction(tid) >= rule.tenantFraction)) continue;
      if (rule.remaining !== undefined) rule.remaining--;
      return { kind: "throttle", retryAfterSeconds: rule.retryAfterSeconds };
    }
    return undefined;
  }

  // ---------------------------------------------------------------- counters and log

  count(endpoint: string, kind: CounterKind): void {
    this.counters.set(endpoint, (this.counters.get(endpoint) ?? 0) + 1);
    this.totals[kind]++;
  }

  /** Batch sub-requests count per endpoint but not as separate HTTP requests in totals. */
  countEndpointOnly(endpoint: string): void {
    this.counters.set(endpoint, (this.counters.get(endpoint) ?? 0) + 1);
  }

  logRequest(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > REQUEST_LOG_LIMIT) this.log.splice(0, this.log.length - REQUEST_LOG_LIMIT);
  }

  getCounters(): CountersSnapshot {
    return { endpoints: Object.fromEntries(this.counters), totals: { ...this.totals } };
  }

  resetCounters(): void {
    this.counters.clear();
    for (const k of Object.keys(this.totals) as CounterKind[]) this.totals[k] = 0;
    this.log = [];
  }

  requestLog(): RequestLogEntry[] {
    return [...this.log];
  }
}

export class EmulatorControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
