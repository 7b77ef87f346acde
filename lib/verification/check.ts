import "server-only";
import { X509Certificate } from "node:crypto";
import { DecryptionError } from "@/lib/crypto";
import { classifyFailure, diagnosticsOf, type EntraFailure } from "@/lib/entra/classify";
import { cloudEndpoints, CloudConfigurationError, type CloudEndpoints, type CloudId } from "@/lib/entra/clouds";
import { graphBatch, graphRequests, readOrganization, subFailure, type GraphSubRequest } from "@/lib/entra/graph";
import type { RetryPolicy, SendOptions } from "@/lib/entra/http";
import { acquireAppToken, acquireTokenByPassword, refreshDelegatedToken, type AppCredential } from "@/lib/entra/msal-clients";
import { reasons, type ReasonCode } from "@/lib/entra/reasons";
import { missingPermissions, readAccessTokenClaims } from "@/lib/entra/token-claims";
import type { MethodValue, OutcomeDetails, VerificationOutcome } from "./types";

/**
 * Verifies one tenant the way its authentication method works. Inputs are already loaded and
 * decrypted; the only side effect is handing a rotated MSAL cache to `saveRotatedCache`.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
/** @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens#token-lifetime */
export const REFRESH_TOKEN_INACTIVITY_MS = 90 * DAY_MS;
export const SECRET_WARNING_MS = 30 * DAY_MS;
export const REFRESH_WARNING_MS = 14 * DAY_MS;

export type TenantInput = {
  id: string;
  authMethod: MethodValue;
  cloud: CloudId;
  entraTenantId: string | null;
  primaryDomain: string | null;
  adminEmail: string;
  appClientId: string | null;
};

export type CredentialInput = {
  id: string;
  kind: "PASSWORD" | "MSAL_CACHE" | "CLIENT_SECRET" | "CERTIFICATE";
  label: string | null;
  expiresAt: Date | null;
  version: number;
  /** Decrypts on demand, so a credential the method does not use is never decrypted. */
  secret: () => string;
};

export type StoredCertificate = { privateKeyPem: string; certificatePem: string; thumbprintSha1?: string; thumbprintSha256?: string };

export type ProviderInput = {
  clientId: string | null;
  clientSecret: () => string | null;
  clientSecretExpiresAt: Date | null;
  certificate: () => StoredCertificate | null;
  requiredAppPermissions: string[];
  customAuthorityHost: string | null;
  customGraphHost: string | null;
};

export type CheckOptions = {
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: SendOptions["onRetry"];
  saveRotatedCache?: (credential: CredentialInput, cacheJson: string, homeAccountId: string | null, expiresAt: Date) => Promise<void>;
  now?: () => number;
};

class NotConfigured extends Error {}

export function parseStoredCertificate(json: string): StoredCertificate {
  const c = JSON.parse(json) as StoredCertificate;
  if (!c.privateKeyPem || !c.certificatePem) throw new NotConfigured("The stored certificate is incomplete");
  return c;
}

function certificateCredential(c: StoredCertificate): AppCredential {
  return { kind: "certificate", privateKeyPem: c.privateKeyPem, certificatePem: c.certificatePem, thumbprintSha256: c.thumbprintSha256, thumbprintSha1: c.thumbprintSha1 };
}

function certificateExpiry(c: StoredCertificate): Date | null {
  try {
    return new Date(new X509Certificate(c.certificatePem).validTo);
  } catch {
    return null;
  }
}

function earliest(...dates: (Date | null | undefined)[]): Date | null {
  const valid = dates.filter((d): d is Date => d instanceof Date && !Number.isNaN(d.getTime()));
  return valid.length ? new Date(Math.min(...valid.map((d) => d.getTime()))) : null;
}

type AppSetup = { clientId: string; credential: AppCredential; kind: "provider" | "tenant"; expiresAt: Date | null };

function providerApp(provider: ProviderInput): AppSetup {
  if (!provider.clientId) throw new NotConfigured("The provider app has no client ID");
  const cert = provider.certificate();
  if (cert) return { clientId: provider.clientId, credential: certificateCredential(cert), kind: "provider", expiresAt: certificateExpiry(cert) };
  const secret = provider.clientSecret();
  if (secret) return { clientId: provider.clientId, credential: { kind: "secret", secret }, kind: "provider", expiresAt: provider.clientSecretExpiresAt };
  throw new NotConfigured("The provider app has no client secret or certificate");
}

function appForTenant(tenant: TenantInput, creds: CredentialInput[], provider: ProviderInput): AppSetup {
  if (!tenant.appClientId) return providerApp(provider);
  const cert = creds.find((c) => c.kind === "CERTIFICATE");
  if (cert) {
    const stored = parseStoredCertificate(cert.secret());
    return { clientId: tenant.appClientId, credential: certificateCredential(stored), kind: "tenant", expiresAt: earliest(cert.expiresAt, certificateExpiry(stored)) };
  }
  const secret = creds.find((c) => c.kind === "CLIENT_SECRET");
  if (secret) return { clientId: tenant.appClientId, credential: { kind: "secret", secret: secret.secret() }, kind: "tenant", expiresAt: secret.expiresAt };
  throw new NotConfigured("The tenant's app registration has no secret or certificate");
}

/** The tenant as the authority path names it: the GUID when known, else its domain. */
function authorityTenant(tenant: TenantInput): string {
  const t = tenant.entraTenantId ?? tenant.primaryDomain;
  if (!t) throw new NotConfigured("The tenant has neither a tenant ID nor a domain");
  return t;
}

/** An outcome before timing and identity are stamped on it. */
type OutcomeCore = Omit<VerificationOutcome, "tenantId" | "startedAt" | "finishedAt" | "durationMs">;

function failed(method: MethodValue, code: ReasonCode, f: EntraFailure | undefined, base: OutcomeDetails["timings"], extra: Partial<OutcomeDetails> = {}, accessBreaksAt: Date | null = null): OutcomeCore {
  const r = reasons[code];
  return {
    status: "FAILED",
    reasonCode: code,
    message: r.title,
    accessBreaksAt,
    details: {
      method,
      explanation: r.explanation,
      remediation: r.remediation,
      warnings: [],
      notes: [],
      ...(f ? { diagnostics: diagnosticsOf(f) } : {}),
      timings: base,
      ...extra,
    },
  };
}

function failureOutcome(method: MethodValue, f: EntraFailure, timings: OutcomeDetails["timings"], extra: Partial<OutcomeDetails> = {}, accessBreaksAt: Date | null = null): OutcomeCore {
  // A refusal names the host and why; the admin needs that sentence, not only the reason's title.
  const withRefusal = f.refusal ? { ...extra, notes: [f.refusal, ...(extra.notes ?? [])] } : extra;
  return failed(method, classifyFailure(f), f, timings, withRefusal, accessBreaksAt);
}

/** A note for problems of stored configuration (never quoting stored values), or null for anything else. */
function configurationProblem(e: unknown): string | null {
  if (e instanceof NotConfigured || e instanceof CloudConfigurationError) return e.message;
  if (e instanceof SyntaxError) return "A stored credential could not be read";
  return null;
}

export async function checkTenant(tenant: TenantInput, creds: CredentialInput[], provider: ProviderInput, o: CheckOptions): Promise<VerificationOutcome> {
  const now = o.now ?? Date.now;
  const startedAt = new Date(now());
  const t0 = performance.now();
  let core: OutcomeCore;
  try {
    const endpoints = cloudEndpoints(tenant.cloud, { authorityHost: provider.customAuthorityHost, graphHost: provider.customGraphHost });
    switch (tenant.authMethod) {
      case "APP_REGISTRATION":
        core = await checkAppRegistration(tenant, creds, provider, endpoints, o);
        break;
      case "AUTH_TOKEN":
        core = await checkAuthToken(tenant, creds, provider, endpoints, o);
        break;
      case "PASSWORD":
        core = await checkPassword(tenant, creds, provider, endpoints, o);
        break;
    }
  } catch (e) {
    if (e instanceof DecryptionError) {
      // The provider's or the tenant's stored secret: a key is missing or the ciphertext was altered.
      core = failed(tenant.authMethod, "SECRET_UNREADABLE", { flow: "config", kind: "config" }, { totalMs: performance.now() - t0 });
    } else {
      const note = configurationProblem(e);
      if (note === null) throw e;
      core = failed(tenant.authMethod, "NOT_CONFIGURED", { flow: "config", kind: "config" }, { totalMs: performance.now() - t0 }, { notes: [note] });
    }
  }
  const finishedAt = new Date(now());
  const durationMs = Math.round(performance.now() - t0);
  core.details.timings.totalMs = durationMs;
  return { tenantId: tenant.id, ...core, startedAt, finishedAt, durationMs };
}

type GraphProbe =
  | { ok: true; organization: ReturnType<typeof readOrganization>; userCount: number | null; me: { userPrincipalName: string | null; mail: string | null } | null; ms: number; roundTrips: number }
  | { ok: false; failure: EntraFailure; ms: number; roundTrips: number };

async function probeGraph(endpoints: CloudEndpoints, token: string, requests: GraphSubRequest[], o: CheckOptions): Promise<GraphProbe> {
  const batch = await graphBatch(endpoints, token, requests, { policy: o.policy, signal: o.signal, onRetry: o.onRetry });
  if (!batch.ok) return batch;
  for (const req of requests) {
    const res = batch.responses.get(req.id);
    if (!res) return { ok: false, failure: { flow: "graph", kind: "server", endpoint: `${endpoints.graphBase}/v1.0${req.url}`, libraryCode: "missing_batch_response" }, ms: batch.ms, roundTrips: batch.roundTrips };
    if (res.status >= 400) return { ok: false, failure: subFailure(endpoints, req, res), ms: batch.ms, roundTrips: batch.roundTrips };
  }
  const org = batch.responses.get(graphRequests.organization.id);
  const users = batch.responses.get(graphRequests.users.id);
  const me = batch.responses.get(graphRequests.me.id);
  const meBody = me?.body as { userPrincipalName?: string; mail?: string } | undefined;
  const count = (users?.body as { "@odata.count"?: number } | undefined)?.["@odata.count"];
  return {
    ok: true,
    organization: org ? readOrganization(org.body) : null,
    userCount: typeof count === "number" ? count : null,
    me: meBody ? { userPrincipalName: meBody.userPrincipalName ?? null, mail: meBody.mail ?? null } : null,
    ms: batch.ms,
    roundTrips: batch.roundTrips,
  };
}

function organizationDetails(org: ReturnType<typeof readOrganization>) {
  return org ? { id: org.id, displayName: org.displayName, defaultDomain: org.defaultDomain } : undefined;
}

/** The tenant the token or organization names must be the stored one; a mismatch means the wrong tenant was consented or authorized. */
function tenantMismatch(tenant: TenantInput, tid: string | undefined, orgId: string | undefined): string | null {
  const expected = tenant.entraTenantId?.toLowerCase();
  if (!expected) return null;
  if (tid && tid !== expected) return `The token was issued by tenant ${tid}, not ${expected}`;
  if (orgId && orgId !== expected) return `The organization is ${orgId}, not ${expected}`;
  return null;
}

function success(method: MethodValue, warnings: ReasonCode[], notes: string[], details: Partial<OutcomeDetails>, timings: OutcomeDetails["timings"], accessBreaksAt: Date | null): OutcomeCore {
  const code: ReasonCode = warnings[0] ?? "VERIFIED";
  const r = reasons[code];
  return {
    status: warnings.length ? "WARNING" : "VERIFIED",
    reasonCode: code,
    message: r.title,
    accessBreaksAt,
    details: { method, explanation: r.explanation, remediation: r.remediation, warnings, notes, timings, ...details },
  };
}

async function checkAppRegistration(tenant: TenantInput, creds: CredentialInput[], provider: ProviderInput, endpoints: CloudEndpoints, o: CheckOptions): Promise<OutcomeCore> {
  const app = appForTenant(tenant, creds, provider);
  const appInfo = { clientId: app.clientId, kind: app.kind, credential: app.credential.kind };
  const now = (o.now ?? Date.now)();
  const accessBreaksAt = app.expiresAt;
  const token = await acquireAppToken({
    endpoints, clientId: app.clientId, credential: app.credential, tenant: authorityTenant(tenant), policy: o.policy, signal: o.signal, onRetry: o.onRetry,
  });
  const timings: OutcomeDetails["timings"] = { tokenMs: Math.round(token.ms), totalMs: 0 };
  if (!token.ok) return failureOutcome("APP_REGISTRATION", token.failure, timings, { app: appInfo }, accessBreaksAt);
  timings.tokenAttempts = token.attempts;
  const claims = readAccessTokenClaims(token.accessToken);
  const required = provider.requiredAppPermissions;
  const permissions = { granted: claims.roles, required, missing: missingPermissions(required, claims.roles) };
  const mismatch = tenantMismatch(tenant, claims.tid, undefined);
  if (mismatch) return failed("APP_REGISTRATION", "TENANT_MISMATCH", undefined, timings, { app: appInfo, permissions, notes: [mismatch] }, accessBreaksAt);

  const graph = await probeGraph(endpoints, token.accessToken, [graphRequests.organization, graphRequests.users], o);
  timings.graphMs = Math.round(graph.ms);
  timings.graphRoundTrips = graph.roundTrips;
  if (!graph.ok) {
    const code = classifyFailure(graph.failure);
    const notes = code === "INSUFFICIENT_PERMISSIONS" && permissions.missing.length ? [`Missing: ${permissions.missing.join(", ")}`] : [];
    const outcome = failureOutcome("APP_REGISTRATION", graph.failure, timings, { app: appInfo, permissions, notes }, accessBreaksAt);
    if (notes.length) outcome.message = `${outcome.message}: ${permissions.missing.join(", ")}`;
    return outcome;
  }
  const orgMismatch = tenantMismatch(tenant, undefined, graph.organization?.id);
  const details = { app: appInfo, permissions, organization: organizationDetails(graph.organization), userCount: graph.userCount };
  if (orgMismatch) return failed("APP_REGISTRATION", "TENANT_MISMATCH", undefined, timings, { ...details, notes: [orgMismatch] }, accessBreaksAt);
  if (permissions.missing.length) {
    const outcome = failed("APP_REGISTRATION", "INSUFFICIENT_PERMISSIONS", undefined, timings, { ...details, notes: [`Missing: ${permissions.missing.join(", ")}`] }, accessBreaksAt);
    outcome.message = `${outcome.message}: ${permissions.missing.join(", ")}`;
    return outcome;
  }
  const warnings: ReasonCode[] = [];
  const notes: string[] = [];
  if (app.expiresAt && app.expiresAt.getTime() - now < SECRET_WARNING_MS) {
    warnings.push("SECRET_EXPIRING");
    notes.push(`The ${app.credential.kind === "secret" ? "client secret" : "certificate"} expires ${app.expiresAt.toISOString()}`);
  }
  return success("APP_REGISTRATION", warnings, notes, details, timings, accessBreaksAt);
}

function emailMatches(stored: string, me: { userPrincipalName: string | null; mail: string | null } | null): boolean {
  if (!me) return true;
  const s = stored.trim().toLowerCase();
  return [me.userPrincipalName, me.mail].some((v) => v?.toLowerCase() === s);
}

async function delegatedGraph(
  method: MethodValue,
  tenant: TenantInput,
  endpoints: CloudEndpoints,
  accessToken: string,
  o: CheckOptions,
  timings: OutcomeDetails["timings"],
  accessBreaksAt: Date | null,
  warnings: ReasonCode[],
  notes: string[],
): Promise<OutcomeCore> {
  const claims = readAccessTokenClaims(accessToken);
  const mismatch = tenantMismatch(tenant, claims.tid, undefined);
  if (mismatch) return failed(method, "TENANT_MISMATCH", undefined, timings, { notes: [mismatch] }, accessBreaksAt);
  const graph = await probeGraph(endpoints, accessToken, [graphRequests.me, graphRequests.organization], o);
  timings.graphMs = Math.round(graph.ms);
  timings.graphRoundTrips = graph.roundTrips;
  if (!graph.ok) return failureOutcome(method, graph.failure, timings, {}, accessBreaksAt);
  const orgMismatch = tenantMismatch(tenant, undefined, graph.organization?.id);
  const matchesStoredEmail = emailMatches(tenant.adminEmail, graph.me);
  const details: Partial<OutcomeDetails> = {
    organization: organizationDetails(graph.organization),
    signedInUser: { userPrincipalName: graph.me?.userPrincipalName ?? null, mail: graph.me?.mail ?? null, matchesStoredEmail },
    permissions: { granted: claims.scp, required: [], missing: [] },
  };
  if (orgMismatch) return failed(method, "TENANT_MISMATCH", undefined, timings, { ...details, notes: [orgMismatch] }, accessBreaksAt);
  if (!matchesStoredEmail) {
    warnings.push("ACCOUNT_MISMATCH");
    notes.push(`Signed in as ${graph.me?.userPrincipalName ?? "an unknown user"}, stored email is ${tenant.adminEmail}`);
  }
  return success(method, warnings, notes, details, timings, accessBreaksAt);
}

/** The fixed expiry msal-node records for the account's refresh token, when Entra sent one. */
export function refreshTokenExpiry(cacheJson: string, homeAccountId: string | null): Date | null {
  try {
    const cache = JSON.parse(cacheJson) as { RefreshToken?: Record<string, { home_account_id?: string; expires_on?: string }> };
    const seconds = Object.values(cache.RefreshToken ?? {})
      .filter((t) => !homeAccountId || t.home_account_id === homeAccountId)
      .map((t) => Number(t.expires_on))
      .filter((n) => Number.isFinite(n) && n > 0);
    return seconds.length ? new Date(Math.min(...seconds) * 1000) : null;
  } catch {
    return null;
  }
}

async function checkAuthToken(tenant: TenantInput, creds: CredentialInput[], provider: ProviderInput, endpoints: CloudEndpoints, o: CheckOptions): Promise<OutcomeCore> {
  const cred = creds.find((c) => c.kind === "MSAL_CACHE");
  if (!cred) throw new NotConfigured("The tenant has no stored authorization; authorize it first");
  const app = providerApp(provider);
  const now = (o.now ?? Date.now)();
  const result = await refreshDelegatedToken({
    endpoints, clientId: app.clientId, credential: app.credential, tenant: authorityTenant(tenant), policy: o.policy, signal: o.signal, onRetry: o.onRetry,
    cacheJson: cred.secret(), homeAccountId: cred.label,
  });
  const timings: OutcomeDetails["timings"] = { tokenMs: Math.round(result.ms), totalMs: 0 };
  if (!result.ok) return failureOutcome("AUTH_TOKEN", result.failure, timings, {}, cred.expiresAt);
  timings.tokenAttempts = result.attempts;
  // Entra issues a new refresh token on every redemption, restarting the 90-day inactivity window;
  // a token with a fixed lifetime (refresh_token_expires_in, e.g. SPA tokens) dies earlier.
  const deadline = earliest(new Date(now + REFRESH_TOKEN_INACTIVITY_MS), refreshTokenExpiry(result.cacheJson, result.account?.homeAccountId ?? cred.label))!;
  await o.saveRotatedCache?.(cred, result.cacheJson, result.account?.homeAccountId ?? cred.label, deadline);
  const warnings: ReasonCode[] = [];
  const notes: string[] = [];
  const accessBreaksAt = earliest(deadline, app.expiresAt);
  if (deadline.getTime() - now < REFRESH_WARNING_MS) {
    warnings.push("REFRESH_TOKEN_EXPIRING");
    notes.push(`The refresh token expires from inactivity ${deadline.toISOString()}`);
  }
  if (app.expiresAt && app.expiresAt.getTime() - now < SECRET_WARNING_MS) {
    warnings.push("SECRET_EXPIRING");
    notes.push(`The provider app's credential expires ${app.expiresAt.toISOString()}`);
  }
  return delegatedGraph("AUTH_TOKEN", tenant, endpoints, result.accessToken, o, timings, accessBreaksAt, warnings, notes);
}

async function checkPassword(tenant: TenantInput, creds: CredentialInput[], provider: ProviderInput, endpoints: CloudEndpoints, o: CheckOptions): Promise<OutcomeCore> {
  const cred = creds.find((c) => c.kind === "PASSWORD");
  if (!cred?.label) throw new NotConfigured("The tenant has no stored username and password");
  const app = providerApp(provider);
  const result = await acquireTokenByPassword({
    endpoints, clientId: app.clientId, credential: app.credential, tenant: authorityTenant(tenant), policy: o.policy, signal: o.signal, onRetry: o.onRetry,
    username: cred.label, password: cred.secret(),
  });
  const timings: OutcomeDetails["timings"] = { tokenMs: Math.round(result.ms), totalMs: 0 };
  if (!result.ok) {
    const outcome = failureOutcome("PASSWORD", result.failure, timings);
    outcome.details.notes.push("Password sign-in is legacy: switch this tenant to an app registration or an auth token.");
    return outcome;
  }
  timings.tokenAttempts = result.attempts;
  return delegatedGraph("PASSWORD", tenant, endpoints, result.accessToken, o, timings, app.expiresAt, ["LEGACY_METHOD"], []);
}
