import "server-only";
import { X509Certificate } from "node:crypto";
import { DecryptionError } from "@/lib/crypto";
import { classifyFailure, diagnosticsOf, type EntraFailure } from "@/lib/entra/classify";
import { cloudEndpoints, cloudNames, CloudConfigurationError, type CloudEndpoints, type CloudId } from "@/lib/entra/clouds";
import { graphBatch, graphRequests, readOrganization, subFailure, type GraphSubRequest } from "@/lib/entra/graph";
import type { RetryPolicy, SendOptions } from "@/lib/entra/http";
import type { AppCredential } from "@/lib/entra/msal-clients";
import { protocolOf, tokenClient, V2, type TokenProtocol } from "@/lib/entra/token-client";
import { reasons, type ReasonCode } from "@/lib/entra/reasons";
import { readAccessTokenClaims } from "@/lib/entra/token-claims";
import { methodById, type MethodId } from "@/lib/methods";
import type { CredentialGate } from "./credential-gate";
import type { RegistrationChoice } from "@/lib/provider/resolve";
import { earliest, type AppSetup, type GraphProbe, type OutcomeCore, type StoredCredential, type Timings, type VerifyContext } from "@/lib/methods/method";
import { DEFAULT_REQUIRED_APP_PERMISSIONS } from "@/lib/provider/row";
import type { OutcomeDetails, VerificationOutcome } from "./outcome";

/**
 * Verifies one tenant the way its authentication method works: the method's module (lib/methods)
 * drives the check through the shared steps here (cloud endpoints, tokens, the Graph probe, outcome
 * building with the method's remediations, classification). Inputs are already loaded and decrypted;
 * the only side effect is handing a rotated MSAL cache to `saveRotatedCache`.
 */

export { DAY_MS } from "@/lib/methods/method";

export type TenantInput = {
  id: string;
  authMethod: MethodId;
  cloud: CloudId;
  entraTenantId: string | null;
  primaryDomain: string | null;
  adminEmail: string;
  /** The customer-owned app registration's client id (its secret or certificate is a credential). */
  appClientId: string | null;
  /** The MSP registration chosen for the tenant; null: its cloud's default. */
  appRegistrationId: string | null;
};

export type CredentialInput = StoredCredential;

export type StoredCertificate = { privateKeyPem: string; certificatePem: string; thumbprintSha1?: string; thumbprintSha256?: string };

/** One MSP app registration, as verification reads it (secrets decrypted on first use). */
export type ProviderInput = {
  id: string;
  name: string;
  cloud: CloudId;
  defaultForCloud: CloudId | null;
  clientId: string | null;
  clientSecret: () => string | null;
  clientSecretExpiresAt: Date | null;
  /** The certificate's end as Graph lists it (lib/provider/expiry.ts), else the certificate's notAfter. */
  certificateExpiresAt: Date | null;
  certificate: () => StoredCertificate | null;
  requiredAppPermissions: string[];
  customAuthorityHost: string | null;
  customGraphHost: string | null;
  customGraphResource: string | null;
  /** Source 000's endpoint version: "v1" redeems tokens at /oauth2/token with `resource`. */
  tokenVersion: "v1" | "v2";
  resource: string | null;
};

/** The registration a tenant uses (lib/provider/resolve.ts), or the cloud that has none. */
export type ProviderChoice = RegistrationChoice<ProviderInput>;

export type CheckOptions = {
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: SendOptions["onRetry"];
  saveRotatedCache?: (credential: CredentialInput, cacheJson: string, homeAccountId: string | null, expiresAt: Date) => Promise<void>;
  now?: () => number;
  /** A run's short circuit on a rejected app credential (./credential-gate.ts); none for a single check. */
  gate?: CredentialGate;
  /** Handed the Graph access token the method acquired, before the check reads Graph with it (user sync reuses it). */
  onGraphToken?: (accessToken: string) => void;
};

class NotConfigured extends Error {}

export function parseStoredCertificate(json: string): StoredCertificate {
  const c = JSON.parse(json) as StoredCertificate;
  if (!c.privateKeyPem || !c.certificatePem) throw new NotConfigured("The stored certificate is incomplete");
  return c;
}

function certificateCredential(c: StoredCertificate): AppCredential {
  return {
    kind: "certificate",
    privateKeyPem: c.privateKeyPem,
    certificatePem: c.certificatePem,
    thumbprintSha256: c.thumbprintSha256,
    thumbprintSha1: c.thumbprintSha1,
  };
}

function certificateExpiry(c: StoredCertificate): Date | null {
  try {
    return new Date(new X509Certificate(c.certificatePem).validTo);
  } catch {
    return null;
  }
}

class NoRegistration extends Error {
  constructor(readonly cloud: CloudId) {
    super(`No app registration for ${cloudNames[cloud]}`);
  }
}

function providerApp(choice: ProviderChoice): AppSetup {
  if (!choice.ok) throw new NoRegistration(choice.cloud);
  const provider = choice.registration;
  if (!provider.clientId) throw new NotConfigured(`The app registration "${provider.name}" has no client ID`);
  const cert = provider.certificate();
  if (cert)
    return {
      clientId: provider.clientId,
      credential: certificateCredential(cert),
      kind: "provider",
      expiresAt: earliest(provider.certificateExpiresAt, certificateExpiry(cert)),
    };
  const secret = provider.clientSecret();
  if (secret) return { clientId: provider.clientId, credential: { kind: "secret", secret }, kind: "provider", expiresAt: provider.clientSecretExpiresAt };
  throw new NotConfigured(`The app registration "${provider.name}" has no client secret or certificate`);
}

/** Whether the tenant signs in with the customer's own app registration instead of an MSP registration. */
export function usesOwnApp(tenant: Pick<TenantInput, "authMethod" | "appClientId">): boolean {
  return tenant.authMethod === "APP_REGISTRATION" && Boolean(tenant.appClientId);
}

function appForTenant(tenant: TenantInput, creds: CredentialInput[], provider: ProviderChoice): AppSetup {
  if (!tenant.appClientId) return providerApp(provider);
  const cert = creds.find((c) => c.kind === "CERTIFICATE");
  if (cert) {
    const stored = parseStoredCertificate(cert.secret());
    return {
      clientId: tenant.appClientId,
      credential: certificateCredential(stored),
      kind: "tenant",
      expiresAt: earliest(cert.expiresAt, certificateExpiry(stored)),
    };
  }
  const secret = creds.find((c) => c.kind === "CLIENT_SECRET");
  if (secret) return { clientId: tenant.appClientId, credential: { kind: "secret", secret: secret.secret() }, kind: "tenant", expiresAt: secret.expiresAt };
  throw new NotConfigured("The customer's own app registration has no client secret or certificate: enter one in the tenant's Credentials panel");
}

/**
 * The hosts a tenant's calls go to: the chosen registration's cloud; with the customer's own app, the
 * tenant's cloud (source 004's Environment Type), a Custom one taking its hosts from the Custom cloud's
 * registration.
 */
export function endpointsFor(tenant: TenantInput, choice: ProviderChoice): CloudEndpoints {
  const hostsOf = (r: ProviderInput) => ({ authorityHost: r.customAuthorityHost, graphHost: r.customGraphHost, graphResource: r.customGraphResource });
  if (usesOwnApp(tenant)) {
    if (tenant.cloud !== "CUSTOM") return cloudEndpoints(tenant.cloud);
    if (choice.ok && choice.registration.cloud === "CUSTOM") return cloudEndpoints("CUSTOM", hostsOf(choice.registration));
    throw new NotConfigured("The Custom cloud's hosts are set on its app registration, and there is none");
  }
  if (!choice.ok) throw new NoRegistration(choice.cloud);
  return cloudEndpoints(choice.registration.cloud, hostsOf(choice.registration));
}

/** The tenant as the authority path names it: the GUID when known, else its domain. */
function authorityTenant(tenant: TenantInput): string {
  const t = tenant.entraTenantId ?? tenant.primaryDomain;
  if (!t) throw new NotConfigured("The tenant has neither a tenant ID nor a domain");
  return t;
}

export type TokenSetup = { endpoints: CloudEndpoints; app: AppSetup; protocol: TokenProtocol; authority: string };

/**
 * The hosts, app, credential and token protocol a token for the tenant is minted with, exactly as
 * verification chooses them (the access-token broker, lib/access-tokens, mints with the same): the
 * tenant's own app for an application registration tenant that has one, else its MSP registration.
 * A refusal names what is missing, never a stored value.
 */
export function tokenSetup(
  tenant: TenantInput,
  creds: CredentialInput[],
  provider: ProviderChoice,
): { ok: true; setup: TokenSetup } | { ok: false; reason: "NO_APP_REGISTRATION" | "SECRET_UNREADABLE" | "NOT_CONFIGURED"; message: string } {
  try {
    const endpoints = endpointsFor(tenant, provider);
    const app = tenant.authMethod === "APP_REGISTRATION" ? appForTenant(tenant, creds, provider) : providerApp(provider);
    const protocol = app.kind === "tenant" || !provider.ok ? V2 : protocolOf(provider.registration);
    return { ok: true, setup: { endpoints, app, protocol, authority: authorityTenant(tenant) } };
  } catch (e) {
    if (e instanceof NoRegistration) return { ok: false, reason: "NO_APP_REGISTRATION", message: e.message };
    if (e instanceof DecryptionError) return { ok: false, reason: "SECRET_UNREADABLE", message: reasons.SECRET_UNREADABLE.title };
    const note = configurationProblem(e);
    if (note === null) throw e;
    return { ok: false, reason: "NOT_CONFIGURED", message: note };
  }
}

/** Outcomes of one method: the reason's title and explanation, the method's remediation. */
function outcomes(method: MethodId, ownApp = false) {
  const m = methodById(method);
  const context = { ownApp };
  const failed = (
    code: ReasonCode,
    timings: Timings,
    extra: Partial<OutcomeDetails> = {},
    accessBreaksAt: Date | null = null,
    f?: EntraFailure,
  ): OutcomeCore => {
    const r = reasons[code];
    return {
      status: "FAILED",
      reasonCode: code,
      message: r.title,
      accessBreaksAt,
      details: {
        method,
        explanation: r.explanation,
        remediation: m.remediation(code, context),
        warnings: [],
        notes: [],
        ...(f ? { diagnostics: diagnosticsOf(f) } : {}),
        timings,
        ...extra,
      },
    };
  };
  const failure = (f: EntraFailure, timings: Timings, extra: Partial<OutcomeDetails> = {}, accessBreaksAt: Date | null = null): OutcomeCore => {
    // A refusal names the host and why; the admin needs that sentence, not only the reason's title.
    const withRefusal = f.refusal ? { ...extra, notes: [f.refusal, ...(extra.notes ?? [])] } : extra;
    return failed(classifyFailure(f), timings, withRefusal, accessBreaksAt, f);
  };
  const success = (warnings: ReasonCode[], notes: string[], details: Partial<OutcomeDetails>, timings: Timings, accessBreaksAt: Date | null): OutcomeCore => {
    const code: ReasonCode = warnings[0] ?? "VERIFIED";
    const r = reasons[code];
    return {
      status: warnings.length ? "WARNING" : "VERIFIED",
      reasonCode: code,
      message: r.title,
      accessBreaksAt,
      details: { method, explanation: r.explanation, remediation: m.remediation(code, context), warnings, notes, timings, ...details },
    };
  };
  return { failed, failure, success };
}

/** A note for problems of stored configuration (never quoting stored values), or null for anything else. */
function configurationProblem(e: unknown): string | null {
  if (e instanceof NotConfigured || e instanceof CloudConfigurationError) return e.message;
  if (e instanceof SyntaxError) return "A stored credential could not be read";
  return null;
}

export async function checkTenant(tenant: TenantInput, creds: CredentialInput[], provider: ProviderChoice, o: CheckOptions): Promise<VerificationOutcome> {
  const now = o.now ?? Date.now;
  const startedAt = new Date(now());
  const t0 = performance.now();
  const build = outcomes(tenant.authMethod, usesOwnApp(tenant));
  let core: OutcomeCore;
  try {
    const endpoints = endpointsFor(tenant, provider);
    core = await methodById(tenant.authMethod).verify(verifyContext(tenant, creds, provider, endpoints, o, build));
  } catch (e) {
    if (e instanceof NoRegistration) {
      core = build.failed("NO_APP_REGISTRATION", { totalMs: performance.now() - t0 }, {}, null, { flow: "config", kind: "config" });
      core.message = e.message;
    } else if (e instanceof DecryptionError) {
      // The provider's or the tenant's stored secret: a key is missing or the ciphertext was altered.
      core = build.failed("SECRET_UNREADABLE", { totalMs: performance.now() - t0 }, {}, null, { flow: "config", kind: "config" });
    } else {
      const note = configurationProblem(e);
      if (note === null) throw e;
      core = build.failed("NOT_CONFIGURED", { totalMs: performance.now() - t0 }, { notes: [note] }, null, { flow: "config", kind: "config" });
    }
  }
  const finishedAt = new Date(now());
  const durationMs = Math.round(performance.now() - t0);
  core.details.timings.totalMs = durationMs;
  return { tenantId: tenant.id, ...core, startedAt, finishedAt, durationMs };
}

/** An exception no check expected, as an UNKNOWN outcome rather than a stuck tenant. */
export function unexpectedFailure(tenant: TenantInput, startedAt: Date, e: unknown): VerificationOutcome {
  const finishedAt = new Date();
  const durationMs = finishedAt.getTime() - startedAt.getTime();
  // The error name only: messages of library errors can quote request data.
  const core = outcomes(tenant.authMethod).failed(
    "UNKNOWN",
    { totalMs: durationMs },
    { notes: [`Internal error: ${e instanceof Error ? e.name : "unknown"}`] },
  );
  return { tenantId: tenant.id, ...core, startedAt, finishedAt, durationMs };
}

function verifyContext(
  tenant: TenantInput,
  creds: CredentialInput[],
  provider: ProviderChoice,
  endpoints: CloudEndpoints,
  o: CheckOptions,
  build: ReturnType<typeof outcomes>,
): VerifyContext {
  const call = { endpoints, policy: o.policy, signal: o.signal, onRetry: o.onRetry };
  // The customer's own app (source 004) has no endpoint version: it uses v2.0. An MSP registration uses its own.
  const clientFor = (app: AppSetup) => tokenClient(app.kind === "tenant" || !provider.ok ? V2 : protocolOf(provider.registration));
  const gated = <T extends { ok: true } | { ok: false; failure: EntraFailure }>(app: AppSetup, send: () => Promise<T>) =>
    o.gate ? o.gate.pass(app, endpoints.loginHost, send) : send();
  const tenantMismatch = (tid: string | undefined, orgId: string | undefined) => mismatchNote(tenant, tid, orgId);
  return {
    requiredAppPermissions: provider.ok ? provider.registration.requiredAppPermissions : DEFAULT_REQUIRED_APP_PERMISSIONS.split(" "),
    now: (o.now ?? Date.now)(),
    credential: (kind) => creds.find((c) => c.kind === kind),
    notConfigured: (note) => {
      throw new NotConfigured(note);
    },
    providerApp: () => providerApp(provider),
    tenantApp: () => appForTenant(tenant, creds, provider),
    appToken: (app) =>
      gated(app, () => clientFor(app).acquireAppToken({ ...call, clientId: app.clientId, credential: app.credential, tenant: authorityTenant(tenant) })),
    refreshToken: async (app, cacheJson, homeAccountId) => {
      const r = await gated(app, () =>
        clientFor(app).refreshDelegatedToken({
          ...call,
          clientId: app.clientId,
          credential: app.credential,
          tenant: authorityTenant(tenant),
          cacheJson,
          homeAccountId,
        }),
      );
      return r.ok ? { ...r, homeAccountId: r.account?.homeAccountId ?? null } : r;
    },
    passwordToken: (app, username, password) =>
      gated(app, () =>
        clientFor(app).acquireTokenByPassword({
          ...call,
          clientId: app.clientId,
          credential: app.credential,
          tenant: authorityTenant(tenant),
          username,
          password,
        }),
      ),
    saveRotatedCache: async (credential, cacheJson, homeAccountId, expiresAt) => {
      await o.saveRotatedCache?.(credential, cacheJson, homeAccountId, expiresAt);
    },
    probeOrganization: (accessToken) => {
      o.onGraphToken?.(accessToken);
      return probeGraph(endpoints, accessToken, [graphRequests.organization, graphRequests.users], o);
    },
    delegatedGraph: (accessToken, timings, accessBreaksAt, warnings, notes) => {
      o.onGraphToken?.(accessToken);
      return delegatedGraph(tenant, endpoints, accessToken, o, build, timings, accessBreaksAt, warnings, notes);
    },
    tenantMismatch,
    failed: (code, timings, extra, accessBreaksAt) => build.failed(code, timings, extra, accessBreaksAt),
    failure: build.failure,
    success: build.success,
  };
}

type Probe = GraphProbe & { me?: { userPrincipalName: string | null; mail: string | null } | null };

async function probeGraph(endpoints: CloudEndpoints, token: string, requests: GraphSubRequest[], o: CheckOptions): Promise<Probe> {
  const batch = await graphBatch(endpoints, token, requests, { policy: o.policy, signal: o.signal, onRetry: o.onRetry });
  if (!batch.ok) return batch;
  for (const req of requests) {
    const res = batch.responses.get(req.id);
    if (!res)
      return {
        ok: false,
        failure: { flow: "graph", kind: "server", endpoint: `${endpoints.graphBase}/v1.0${req.url}`, libraryCode: "missing_batch_response" },
        ms: batch.ms,
        roundTrips: batch.roundTrips,
      };
    if (res.status >= 400) return { ok: false, failure: subFailure(endpoints, req, res), ms: batch.ms, roundTrips: batch.roundTrips };
  }
  const org = batch.responses.get(graphRequests.organization.id);
  const users = batch.responses.get(graphRequests.users.id);
  const me = batch.responses.get(graphRequests.me.id);
  const meBody = me?.body as { userPrincipalName?: string; mail?: string } | undefined;
  const count = (users?.body as { "@odata.count"?: number } | undefined)?.["@odata.count"];
  const organization = org ? readOrganization(org.body) : null;
  return {
    ok: true,
    organization: organization ? { id: organization.id, displayName: organization.displayName, defaultDomain: organization.defaultDomain } : null,
    userCount: typeof count === "number" ? count : null,
    me: meBody ? { userPrincipalName: meBody.userPrincipalName ?? null, mail: meBody.mail ?? null } : null,
    ms: batch.ms,
    roundTrips: batch.roundTrips,
  };
}

/** The tenant the token or organization names must be the stored one; a mismatch means the wrong tenant was consented or authorized. */
function mismatchNote(tenant: TenantInput, tid: string | undefined, orgId: string | undefined): string | null {
  const expected = tenant.entraTenantId?.toLowerCase();
  if (!expected) return null;
  if (tid && tid !== expected) return `The token was issued by tenant ${tid}, not ${expected}`;
  if (orgId && orgId !== expected) return `The organization is ${orgId}, not ${expected}`;
  return null;
}

function emailMatches(stored: string, me: { userPrincipalName: string | null; mail: string | null } | null): boolean {
  if (!me) return true;
  const s = stored.trim().toLowerCase();
  return [me.userPrincipalName, me.mail].some((v) => v?.toLowerCase() === s);
}

async function delegatedGraph(
  tenant: TenantInput,
  endpoints: CloudEndpoints,
  accessToken: string,
  o: CheckOptions,
  build: ReturnType<typeof outcomes>,
  timings: Timings,
  accessBreaksAt: Date | null,
  warnings: ReasonCode[],
  notes: string[],
): Promise<OutcomeCore> {
  const claims = readAccessTokenClaims(accessToken);
  const mismatch = mismatchNote(tenant, claims.tid, undefined);
  if (mismatch) return build.failed("TENANT_MISMATCH", timings, { notes: [mismatch] }, accessBreaksAt);
  const graph = await probeGraph(endpoints, accessToken, [graphRequests.me, graphRequests.organization], o);
  timings.graphMs = Math.round(graph.ms);
  timings.graphRoundTrips = graph.roundTrips;
  if (!graph.ok) return build.failure(graph.failure, timings, {}, accessBreaksAt);
  const orgMismatch = mismatchNote(tenant, undefined, graph.organization?.id);
  const me = graph.me ?? null;
  const matchesStoredEmail = emailMatches(tenant.adminEmail, me);
  const details: Partial<OutcomeDetails> = {
    organization: graph.organization ?? undefined,
    signedInUser: { userPrincipalName: me?.userPrincipalName ?? null, mail: me?.mail ?? null, matchesStoredEmail },
    permissions: { granted: claims.scp, required: [], missing: [] },
  };
  if (orgMismatch) return build.failed("TENANT_MISMATCH", timings, { ...details, notes: [orgMismatch] }, accessBreaksAt);
  if (!matchesStoredEmail) {
    warnings.push("ACCOUNT_MISMATCH");
    notes.push(`Signed in as ${me?.userPrincipalName ?? "an unknown user"}, stored email is ${tenant.adminEmail}`);
  }
  return build.success(warnings, notes, details, timings, accessBreaksAt);
}
