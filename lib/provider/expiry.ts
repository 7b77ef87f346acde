import "server-only";
import { decryptSecret, DecryptionError } from "@/lib/crypto";
import type { ParsedCertificate } from "@/lib/crypto/certificates";
import { db } from "@/lib/db";
import type { CloudEndpoints, CloudId } from "@/lib/entra/clouds";
import { graphGet } from "@/lib/entra/graph";
import { callPolicy, type RetryPolicy } from "@/lib/entra/http";
import type { AppCredential } from "@/lib/entra/msal-clients";
import { tokenClient, V2, type TokenProtocol } from "@/lib/entra/token-client";
import type { ExpiryCheck } from "./row";
import { authorityEndpoints } from "@/lib/tenants/resolve-domain";
import { appOfRegistration, ProviderNotConfiguredError } from "./settings";

export type { ExpiryCheck } from "./row";

/**
 * "Expiry always known": a secret's and a certificate's expiry are read from Graph, where Entra keeps
 * them (`passwordCredentials` / `keyCredentials`, `endDateTime`), instead of being typed in or guessed.
 * The application object lives only in the app's home tenant, so it is one call per app registration: a
 * token for the home tenant, then `GET /applications(appId='{clientId}')?$select=…`. The stored secret is
 * matched by its hint (its first three characters, Graph's `passwordCredential.hint`), the certificate
 * by its SHA-1 thumbprint (`keyCredential.customKeyIdentifier`).
 *
 * Read when a registration is applied (and so after a secret or certificate is rotated), when its Test
 * runs, on each scheduled Verify All (before the run, so the run's "Access breaks on" uses the dates
 * read), and for a customer-owned app when its credential is saved. An app may lack the permission to
 * read its own registration (Application.Read.All, or ownership): Graph's 403 is not a failure, the
 * expiry stays unknown and is shown as such (`expiryCheck` "forbidden").
 * @see https://learn.microsoft.com/en-us/graph/api/application-get
 * @see https://learn.microsoft.com/en-us/graph/api/resources/passwordcredential
 * @see https://learn.microsoft.com/en-us/graph/api/resources/keycredential
 */

type GraphCredential = { hint?: string | null; customKeyIdentifier?: string | null; endDateTime?: string | null };
export type GraphApplication = { passwordCredentials?: GraphCredential[] | null; keyCredentials?: GraphCredential[] | null };

export type StoredCredentialFacts = { secretHint: string | null; certificateThumbprint: string | null };

/** undefined: nothing stored to look for; null: stored, but Graph lists no such credential. */
export type MatchedExpiry = { secret: Date | null | undefined; certificate: Date | null | undefined };

function date(v: string | null | undefined): Date | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A keyCredential's identifier as hex: Graph may send the thumbprint as hex text or as base64 of its bytes. */
function identifierMatches(customKeyIdentifier: string | null | undefined, thumbprint: string): boolean {
  if (!customKeyIdentifier) return false;
  const want = thumbprint.replace(/:/g, "").toLowerCase();
  if (customKeyIdentifier.replace(/:/g, "").toLowerCase() === want) return true;
  try {
    return Buffer.from(customKeyIdentifier, "base64").toString("hex") === want;
  } catch {
    return false;
  }
}

/**
 * The expiry of the stored credentials in an application object. Several secrets can share a hint (the
 * same first three characters): the latest end wins, since the stored one may be any of them and the
 * verification reports a rejected secret anyway.
 */
export function matchExpiry(app: GraphApplication, stored: StoredCredentialFacts): MatchedExpiry {
  const latest = (dates: (Date | null)[]) => dates.filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
  const secret =
    stored.secretHint === null
      ? undefined
      : latest((app.passwordCredentials ?? []).filter((c) => c.hint === stored.secretHint).map((c) => date(c.endDateTime)));
  const thumbprint = stored.certificateThumbprint;
  const certificate =
    thumbprint === null
      ? undefined
      : latest((app.keyCredentials ?? []).filter((c) => identifierMatches(c.customKeyIdentifier, thumbprint)).map((c) => date(c.endDateTime)));
  return { secret, certificate };
}

export type ExpiryRead = { check: ExpiryCheck; matched?: MatchedExpiry };

/** Reads the application object with a token already acquired for its home tenant. */
export async function readExpiryWithToken(
  endpoints: CloudEndpoints,
  accessToken: string,
  clientId: string,
  stored: StoredCredentialFacts,
  policy: RetryPolicy,
): Promise<ExpiryRead> {
  const url = `${endpoints.graphBase}/v1.0/applications(appId='${encodeURIComponent(clientId)}')?$select=id,appId,passwordCredentials,keyCredentials`;
  const res = await graphGet(endpoints, accessToken, url, { policy });
  if (!res.ok) {
    const status = res.status ?? res.failure.httpStatus;
    return { check: status === 403 ? "forbidden" : status === 404 ? "not_found" : "failed" };
  }
  const matched = matchExpiry(res.body as GraphApplication, stored);
  return { check: matched.secret === null || matched.certificate === null ? "no_match" : "read", matched };
}

async function readExpiry(o: {
  endpoints: CloudEndpoints;
  clientId: string;
  credential: AppCredential;
  tenant: string;
  /** For v1.0, the resource is Graph's, whatever the registration's Resource is: the call goes to Graph. */
  protocol: TokenProtocol;
  stored: StoredCredentialFacts;
  policy: RetryPolicy;
}): Promise<ExpiryRead> {
  const token = await tokenClient(o.protocol).acquireAppToken({
    endpoints: o.endpoints,
    clientId: o.clientId,
    credential: o.credential,
    tenant: o.tenant,
    policy: o.policy,
  });
  if (!token.ok) return { check: "failed" };
  return readExpiryWithToken(o.endpoints, token.accessToken, o.clientId, o.stored, o.policy);
}

/**
 * Reads an MSP app registration's credential expiry from Graph and stores it, unless the registration
 * changed meanwhile (a newer Apply's credential must not get the old one's date). A secret Graph does not
 * list gets no expiry (unknown); a certificate keeps its own notAfter. `withToken` reuses a token the
 * caller already holds for the home tenant (Test).
 */
export async function refreshRegistrationExpiry(
  id: string,
  o: { policy?: RetryPolicy; withToken?: string } = {},
): Promise<{ check: ExpiryCheck; secretExpiresAt: Date | null; certificateExpiresAt: Date | null } | null> {
  const row = await db.appRegistration.findUnique({ where: { id } });
  if (!row?.clientId || (!row.clientSecret && !row.certificate)) return null;
  const policy = o.policy ?? callPolicy("verification");
  const stored = { secretHint: row.clientSecret ? row.clientSecretHint : null, certificateThumbprint: row.certificate ? row.certificateThumbprint : null };
  let read: ExpiryRead;
  if (!row.homeTenantId) read = { check: "no_home_tenant" };
  else {
    try {
      const app = appOfRegistration(row);
      read = o.withToken
        ? await readExpiryWithToken(app.endpoints, o.withToken, app.clientId, stored, policy)
        : await readExpiry({
            endpoints: app.endpoints,
            clientId: app.clientId,
            credential: app.credential,
            tenant: row.homeTenantId,
            protocol: app.tokenVersion === "v1" ? { version: "v1", resource: app.endpoints.graphResource } : V2,
            stored,
            policy,
          });
    } catch (e) {
      if (!(e instanceof DecryptionError) && !(e instanceof ProviderNotConfiguredError)) throw e;
      read = { check: "failed" };
    }
  }
  const data: { expiryCheck: ExpiryCheck; expiryCheckedAt: Date; clientSecretExpiresAt?: Date | null; certificateExpiresAt?: Date | null } = {
    expiryCheck: read.check,
    expiryCheckedAt: new Date(),
  };
  if (read.matched) {
    if (read.matched.secret !== undefined) data.clientSecretExpiresAt = read.matched.secret;
    if (read.matched.certificate) data.certificateExpiresAt = read.matched.certificate;
  }
  const { count } = await db.appRegistration.updateMany({ where: { id, version: row.version }, data });
  if (count === 0) return null;
  return {
    check: read.check,
    secretExpiresAt: data.clientSecretExpiresAt !== undefined ? data.clientSecretExpiresAt : row.clientSecretExpiresAt,
    certificateExpiresAt: data.certificateExpiresAt ?? row.certificateExpiresAt,
  };
}

/**
 * The same for a tenant's customer-owned app registration: its home tenant is the customer's tenant, and
 * its permissions are the customer's choice, so a 403 is expected and leaves the expiry as it was
 * (unknown unless someone entered it).
 */
export async function refreshOwnAppExpiry(tenantId: string, o: { policy?: RetryPolicy } = {}): Promise<ExpiryCheck | null> {
  const tenant = await db.tenant.findUnique({
    where: { id: tenantId },
    select: {
      appClientId: true,
      entraTenantId: true,
      cloud: true,
      credentials: {
        where: { kind: { in: ["CLIENT_SECRET", "CERTIFICATE"] } },
        select: { id: true, kind: true, label: true, hint: true, secret: true, version: true },
      },
    },
  });
  const cred = tenant?.credentials.find((c) => c.kind === "CERTIFICATE") ?? tenant?.credentials.find((c) => c.kind === "CLIENT_SECRET");
  if (!tenant?.appClientId || !tenant.entraTenantId || !cred) return null;
  const endpoints = await ownAppEndpoints(tenant.cloud as CloudId);
  let read: ExpiryRead;
  if (!endpoints) read = { check: "failed" };
  else {
    let credential: AppCredential;
    try {
      const secret = decryptSecret(cred.secret, { table: "TenantCredential", rowId: cred.id, field: "secret" });
      credential = cred.kind === "CERTIFICATE" ? { kind: "certificate", ...(JSON.parse(secret) as ParsedCertificate) } : { kind: "secret", secret };
    } catch (e) {
      if (!(e instanceof DecryptionError) && !(e instanceof SyntaxError)) throw e;
      credential = { kind: "secret", secret: "" };
    }
    read =
      credential.kind === "secret" && !credential.secret
        ? { check: "failed" }
        : await readExpiry({
            endpoints,
            clientId: tenant.appClientId,
            credential,
            tenant: tenant.entraTenantId,
            protocol: V2,
            stored:
              cred.kind === "CERTIFICATE" ? { secretHint: null, certificateThumbprint: cred.label } : { secretHint: cred.hint, certificateThumbprint: null },
            policy: o.policy ?? callPolicy("verification"),
          });
  }
  const found = cred.kind === "CERTIFICATE" ? read.matched?.certificate : read.matched?.secret;
  await db.tenantCredential.updateMany({
    where: { id: cred.id, version: cred.version },
    data: {
      expiryCheck: read.check,
      ...(found ? { expiresAt: found } : read.check === "no_match" && cred.kind === "CLIENT_SECRET" ? { expiresAt: null } : {}),
    },
  });
  return read.check;
}

/** A customer-owned app uses its tenant's cloud; a Custom one the hosts of the Custom cloud's default registration. */
const ownAppEndpoints = authorityEndpoints;

/**
 * Every registration's expiry, and every customer-owned app's, a few at a time: the scheduled Verify All
 * calls it before its run. One failure never stops the others.
 */
export async function refreshAllExpiry(o: { policy?: RetryPolicy; concurrency?: number } = {}): Promise<{ registrations: number; ownApps: number }> {
  const registrations = await db.appRegistration.findMany({ where: { clientId: { not: null } }, select: { id: true } });
  const ownApps = await db.tenant.findMany({ where: { appClientId: { not: null }, authMethod: "APP_REGISTRATION" }, select: { id: true } });
  const jobs = [...registrations.map((r) => () => refreshRegistrationExpiry(r.id, o)), ...ownApps.map((t) => () => refreshOwnAppExpiry(t.id, o))];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await job().catch(() => null);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, jobs.length) }, worker));
  return { registrations: registrations.length, ownApps: ownApps.length };
}
