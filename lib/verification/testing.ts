import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ScenarioInput } from "@/emulator/scenario";
import type { CredentialKind } from "@/lib/generated/prisma/enums";
import type { MethodId } from "@/lib/methods";

/**
 * Test and benchmark fixtures: a scenario of customer tenants for the emulator, a fresh database,
 * and seeding of the console's rows. Environment variables are set before any lib module reads them,
 * so lib modules are imported dynamically after `prepareDatabase`.
 */

export function guid(...parts: (string | number)[]): string {
  const h = createHash("sha1").update(parts.join("|")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const FIXTURE = {
  providerClientId: guid("provider-app"),
  providerSecret: "prv8Q~provider-secret-value-0123456789abcd",
  homeTenantId: guid("msp-home"),
  appPermissions: ["Organization.Read.All", "User.Read.All"],
  delegatedPermissions: ["User.Read", "Organization.Read.All", "User.Read.All"],
  adminPassword: "Correct-Horse-9!",
};

let entraHttp: Promise<typeof import("@/lib/entra/http")> | undefined;

/**
 * A client-credentials token of the fixture's provider app, straight from the token endpoint through the
 * console's transport (no engine, no msal-node): the benchmarks' bare calls.
 */
export async function bareProviderToken(loginUrl: string, tenantId: string, graphHost: string): Promise<string> {
  // Imported once: a benchmark calls this in its measured loop, and each import() goes through the loader.
  const { sendWithRetry, defaultRetryPolicy } = await (entraHttp ??= import("@/lib/entra/http"));
  const response = await sendWithRetry({
    kind: "token",
    flow: "client_credentials",
    method: "POST",
    url: `${loginUrl}/${tenantId}/oauth2/v2.0/token`,
    policy: defaultRetryPolicy,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: FIXTURE.providerClientId,
      client_secret: FIXTURE.providerSecret,
      scope: `https://${graphHost}/.default`,
    }).toString(),
  });
  return (response.body as { access_token: string }).access_token;
}

export type CustomerFixture = {
  index: number;
  tenantId: string;
  domain: string;
  adminUpn: string;
  /** Per-tenant app registration, when the customer uses its own app. */
  ownApp?: { clientId: string; secret: string };
};

export function customerFixture(index: number, options: { ownApp?: boolean } = {}): CustomerFixture {
  const domain = `customer${index}.example.com`;
  return {
    index,
    tenantId: guid("customer", index),
    domain,
    adminUpn: `admin@${domain}`,
    ownApp: options.ownApp ? { clientId: guid("own-app", index), secret: `own8Q~tenant-app-secret-${index}-0123456789abcdef` } : undefined,
  };
}

export function buildScenario(customers: CustomerFixture[], providerCertPem?: string): ScenarioInput {
  const yearAhead = new Date(Date.now() + 365 * 86_400_000).toISOString();
  return {
    name: "verification",
    providerApp: {
      clientId: FIXTURE.providerClientId,
      displayName: "MSP Tenant Access Console",
      homeTenantId: FIXTURE.homeTenantId,
      secrets: [{ keyId: guid("provider-secret"), secretText: FIXTURE.providerSecret, endDateTime: yearAhead }],
      certificates: providerCertPem ? [{ certPem: providerCertPem }] : [],
      requiredApplicationPermissions: FIXTURE.appPermissions,
      requiredDelegatedPermissions: FIXTURE.delegatedPermissions,
    },
    tenants: [
      { id: FIXTURE.homeTenantId, displayName: "MSP", domains: [{ name: "msp.example.com", isDefault: true, isInitial: true }] },
      ...customers.map((c) => ({
        id: c.tenantId,
        displayName: `Customer ${c.index}`,
        domains: [
          { name: c.domain, isDefault: true, isInitial: false },
          { name: `customer${c.index}.onmicrosoft.com`, isDefault: false, isInitial: true },
        ],
        users: [
          {
            id: guid("admin", c.index),
            userPrincipalName: c.adminUpn,
            displayName: "Admin",
            mail: c.adminUpn,
            password: FIXTURE.adminPassword,
            roles: ["Global Administrator"],
          },
          { id: guid("user", c.index), userPrincipalName: `user@${c.domain}`, displayName: "User", password: "x-Password-1" },
        ],
        consents: [{ clientId: FIXTURE.providerClientId, applicationPermissions: FIXTURE.appPermissions, delegatedPermissions: FIXTURE.delegatedPermissions }],
        appRegistrations: c.ownApp
          ? [
              {
                clientId: c.ownApp.clientId,
                displayName: `Customer ${c.index} console access`,
                secrets: [{ keyId: guid("own-secret", c.index), secretText: c.ownApp.secret, endDateTime: yearAhead }],
                applicationPermissions: FIXTURE.appPermissions,
                consented: true,
              },
            ]
          : [],
      })),
    ],
  };
}

/**
 * A fresh data directory and database (SQLite, or a new PostgreSQL schema under TEST_DATABASE=postgres,
 * dropped after the test file); sets DATA_DIR and DATABASE_URL for modules imported afterwards.
 */
export async function prepareDatabase(prefix = "tac-verify-"): Promise<{ dir: string; url: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const { testOnPostgres, createTestSchema } = await import("@/lib/testing/postgres");
  const url = testOnPostgres ? createTestSchema() : `file:${path.join(dir, "console.db")}`;
  process.env.DATA_DIR = dir;
  process.env.DATABASE_URL = url;
  const { migrateDatabase } = await import("@/lib/migrations");
  await migrateDatabase(url);
  return { dir, url };
}

export type ProviderSeed = {
  authorityHost: string;
  graphHost: string;
  clientId?: string;
  secret?: string | null;
  secretExpiresAt?: Date | null;
  certificate?: { privateKeyPem: string; certificatePem: string; thumbprintSha1: string; thumbprintSha256: string } | null;
};

export async function seedProvider(p: ProviderSeed) {
  const { db } = await import("@/lib/db");
  const { encryptSecret } = await import("@/lib/crypto");
  const data = {
    clientId: p.clientId ?? FIXTURE.providerClientId,
    clientSecret:
      p.secret === null ? null : encryptSecret(p.secret ?? FIXTURE.providerSecret, { table: "ProviderSettings", rowId: "provider", field: "clientSecret" }),
    clientSecretExpiresAt: p.secretExpiresAt ?? new Date(Date.now() + 365 * 86_400_000),
    certificate: p.certificate ? encryptSecret(JSON.stringify(p.certificate), { table: "ProviderSettings", rowId: "provider", field: "certificate" }) : null,
    certificateThumbprint: p.certificate?.thumbprintSha1 ?? null,
    name: "Emulator",
    cloud: "CUSTOM" as const,
    defaultForCloud: "CUSTOM" as const,
    customAuthorityHost: p.authorityHost,
    customGraphHost: p.graphHost,
    homeTenantId: FIXTURE.homeTenantId,
  };
  await db.appRegistration.upsert({ where: { id: "provider" }, create: { id: "provider", ...data }, update: data });
}

export type TenantSeed = {
  customer: CustomerFixture;
  method: MethodId;
  /** For AUTH_TOKEN: the serialized MSAL cache and its account. */
  msalCache?: { json: string; homeAccountId: string };
  password?: string;
  useOwnApp?: boolean;
  ownSecretExpiresAt?: Date;
  entraTenantId?: string | null;
  customerId?: string;
};

/**
 * One Entra tenant, one customer (a unique index on Tenant.entraTenantId): a test's new tenant of a
 * directory replaces the tenant an earlier test of the same database seeded for it.
 */
export async function releaseEntraTenant(entraTenantId: string | null): Promise<void> {
  if (!entraTenantId) return;
  const { db } = await import("@/lib/db");
  await db.tenant.deleteMany({ where: { entraTenantId } });
}

export async function seedTenant(s: TenantSeed): Promise<string> {
  const { db } = await import("@/lib/db");
  const { encryptSecret } = await import("@/lib/crypto");
  const id = randomUUID();
  const c = s.customer;
  const entraTenantId = s.entraTenantId === undefined ? c.tenantId : s.entraTenantId;
  await releaseEntraTenant(entraTenantId);
  await db.tenant.create({
    data: {
      id,
      customerId: s.customerId ?? `C${String(c.index).padStart(5, "0")}-${id.slice(0, 6)}`,
      displayName: `Customer ${c.index}`,
      entraTenantId,
      primaryDomain: c.domain,
      adminEmail: c.adminUpn,
      authMethod: s.method,
      cloud: "CUSTOM",
      appClientId: s.useOwnApp ? c.ownApp?.clientId : null,
    },
  });
  const credential = async (kind: CredentialKind, label: string, secret: string, expiresAt: Date | null) => {
    const credId = randomUUID();
    await db.tenantCredential.create({
      data: { id: credId, tenantId: id, kind, label, expiresAt, secret: encryptSecret(secret, { table: "TenantCredential", rowId: credId, field: "secret" }) },
    });
  };
  if (s.method === "PASSWORD") await credential("PASSWORD", c.adminUpn, s.password ?? FIXTURE.adminPassword, null);
  if (s.method === "AUTH_TOKEN" && s.msalCache) {
    await credential("MSAL_CACHE", s.msalCache.homeAccountId, s.msalCache.json, new Date(Date.now() + 90 * 86_400_000));
  }
  if (s.useOwnApp && c.ownApp) {
    await credential("CLIENT_SECRET", c.ownApp.clientId, c.ownApp.secret, s.ownSecretExpiresAt ?? new Date(Date.now() + 365 * 86_400_000));
  }
  return id;
}

/**
 * Signs the admin in once with msal-node (password grant against the emulator) and returns the MSAL
 * cache holding the refresh token, as the console's authorization flow would have stored it.
 */
export async function authorizeWithMsal(loginUrl: string, authorityHost: string, customer: CustomerFixture, graphUrl: string) {
  const { ConfidentialClientApplication } = await import("@azure/msal-node");
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: FIXTURE.providerClientId,
      clientSecret: FIXTURE.providerSecret,
      authority: `${loginUrl}/${customer.tenantId}`,
      knownAuthorities: [authorityHost],
    },
  });
  const result = await cca.acquireTokenByUsernamePassword({ username: customer.adminUpn, password: FIXTURE.adminPassword, scopes: [`${graphUrl}/.default`] });
  if (!result?.account) throw new Error("authorization failed");
  return { json: cca.getTokenCache().serialize(), homeAccountId: result.account.homeAccountId };
}

/** Tenant rows for application-registration customers, with ids `t-<index>` and customer ids `C<index>` zero-padded to `width` digits so that id order is index order. */
export function appRegistrationTenantRows(customers: CustomerFixture[], width = 5) {
  return customers.map((c) => ({
    id: `t-${String(c.index).padStart(width, "0")}`,
    customerId: `C${String(c.index).padStart(width, "0")}`,
    displayName: `Customer ${c.index}`,
    entraTenantId: c.tenantId,
    primaryDomain: c.domain,
    adminEmail: c.adminUpn,
    authMethod: "APP_REGISTRATION" as const,
    cloud: "CUSTOM" as const,
  }));
}

/** Many application-registration tenants at once (benchmarks and multi-instance tests), in batches. */
export async function seedAppRegistrationTenants(
  customers: CustomerFixture[],
  width = 5,
  batch = 500,
  client?: Pick<(typeof import("@/lib/db"))["db"], "tenant">,
) {
  const target = client ?? (await import("@/lib/db")).db;
  for (let i = 0; i < customers.length; i += batch) {
    await target.tenant.createMany({ data: appRegistrationTenantRows(customers.slice(i, i + batch), width) });
  }
}
