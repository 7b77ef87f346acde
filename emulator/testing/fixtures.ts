import { createSelfSignedCertificate, type CertificateAndKey } from "../certs.js";
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from "../index.js";
import type { ScenarioInput } from "../scenario.js";
import { testDataDir } from "./paths.js";

/**
 * Fixed identifiers of the small test scenario. Tests refer to these names, never to positions in arrays.
 */
export const TEST = {
  providerClientId: "11111111-1111-4111-8111-111111111111",
  providerSecret: "prv8Q~emulator-test-provider-secret-00001",
  expiredProviderSecret: "old8Q~emulator-test-provider-secret-00000",
  redirectUri: "http://localhost:3000/authenticate/OAuth2Callback",
  homeTenantId: "aaaaaaaa-0000-4000-8000-000000000001",
  homeDomain: "msp-test.onmicrosoft.com",
  /** Consented with every required permission. */
  contosoId: "aaaaaaaa-0000-4000-8000-000000000002",
  contosoDomain: "contoso-test.onmicrosoft.com",
  /** Never consented. */
  fabrikamId: "aaaaaaaa-0000-4000-8000-000000000003",
  fabrikamDomain: "fabrikam-test.onmicrosoft.com",
  /** Consented with fewer application permissions (no User.Read.All). */
  northwindId: "aaaaaaaa-0000-4000-8000-000000000004",
  northwindDomain: "northwind-test.onmicrosoft.com",
  /** Has its own single-tenant app registration. */
  tailspinId: "aaaaaaaa-0000-4000-8000-000000000005",
  tailspinDomain: "tailspin-test.onmicrosoft.com",
  tailspinAppId: "22222222-2222-4222-8222-222222222222",
  tailspinSecret: "tsp8Q~tailspin-app-secret-000000000000001",
  tailspinExpiredAppId: "33333333-3333-4333-8333-333333333333",
  tailspinExpiredSecret: "exp8Q~tailspin-expired-secret-0000000001",
  admin: "admin@contoso-test.onmicrosoft.com",
  mfaAdmin: "mfa.admin@contoso-test.onmicrosoft.com",
  blocked: "blocked@contoso-test.onmicrosoft.com",
  disabled: "disabled@contoso-test.onmicrosoft.com",
  reader: "reader@contoso-test.onmicrosoft.com",
  fabrikamAdmin: "admin@fabrikam-test.onmicrosoft.com",
  password: "Passw0rd!",
  groupId: "bbbbbbbb-0000-4000-8000-000000000001",
  staleRefreshToken: "1.AEMU-stale-refresh-token-for-tests",
} as const;

/**
 * An organisation API in the test home tenant (v1.0 tokens, like Entra's default) and a v2.0 twin, with
 * client apps that hold each console role, none, or (on the v2 API) Administrator.
 */
export const TEST_API = {
  tenantId: TEST.homeTenantId,
  apiAppId: "44444444-4444-4444-8444-444444444401",
  identifierUri: "api://44444444-4444-4444-8444-444444444401",
  v2ApiAppId: "44444444-4444-4444-8444-444444444402",
  v2IdentifierUri: "api://44444444-4444-4444-8444-444444444402",
  roleIds: {
    Administrator: "44444444-4444-4444-8444-4444444444a1",
    Operator: "44444444-4444-4444-8444-4444444444a2",
    Viewer: "44444444-4444-4444-8444-4444444444a3",
    /** Users only: never in an app-only token. */
    Auditor: "44444444-4444-4444-8444-4444444444a4",
  },
  adminClientId: "44444444-4444-4444-8444-444444444411",
  adminSecret: "adm8Q~emulator-test-api-admin-secret-0001",
  operatorClientId: "44444444-4444-4444-8444-444444444412",
  operatorSecret: "opr8Q~emulator-test-api-operator-secret-01",
  viewerClientId: "44444444-4444-4444-8444-444444444413",
  viewerSecret: "vwr8Q~emulator-test-api-viewer-secret-0001",
  noRoleClientId: "44444444-4444-4444-8444-444444444414",
  noRoleSecret: "nor8Q~emulator-test-api-no-role-secret-001",
} as const;

export const REQUIRED_APP_PERMISSIONS = ["Organization.Read.All", "User.Read.All", "Group.Read.All", "Application.Read.All"];
export const REQUIRED_DELEGATED_PERMISSIONS = ["User.Read", "Organization.Read.All", "User.Read.All", "offline_access", "openid", "profile"];

let cachedCertificate: CertificateAndKey | undefined;
/** One certificate credential per test process; RSA key generation is the slow part. */
export function testCertificate(): CertificateAndKey {
  cachedCertificate ??= createSelfSignedCertificate("tenant-access-console-test");
  return cachedCertificate;
}

function user(id: string, upn: string, displayName: string, extra: Record<string, unknown> = {}) {
  return { id, userPrincipalName: upn, displayName, password: TEST.password, mail: upn, ...extra };
}

function apiRegistrations(far: string) {
  const roles = [
    { id: TEST_API.roleIds.Administrator, value: "Administrator", displayName: "Administrator", allowedMemberTypes: ["Application" as const] },
    { id: TEST_API.roleIds.Operator, value: "Operator", displayName: "Operator", allowedMemberTypes: ["Application" as const] },
    { id: TEST_API.roleIds.Viewer, value: "Viewer", displayName: "Viewer", allowedMemberTypes: ["Application" as const] },
    { id: TEST_API.roleIds.Auditor, value: "Auditor", displayName: "Auditor", allowedMemberTypes: ["User" as const] },
  ];
  const client = (clientId: string, displayName: string, secretText: string, n: number) => ({
    clientId,
    displayName,
    secrets: [{ keyId: `dddddddd-0000-4000-8000-0000000000${40 + n}`, secretText, hint: secretText.slice(0, 3), endDateTime: far }],
  });
  return [
    {
      clientId: TEST_API.apiAppId,
      displayName: "Console API (test)",
      identifierUris: [TEST_API.identifierUri],
      appRoles: roles,
      appRoleAssignments: [
        { clientAppId: TEST_API.adminClientId, roles: ["Administrator"] },
        { clientAppId: TEST_API.operatorClientId, roles: ["Operator"] },
        { clientAppId: TEST_API.viewerClientId, roles: ["Viewer"] },
      ],
    },
    {
      clientId: TEST_API.v2ApiAppId,
      displayName: "Console API v2 (test)",
      identifierUris: [TEST_API.v2IdentifierUri],
      appRoles: roles,
      accessTokenAcceptedVersion: 2 as const,
      appRoleAssignments: [{ clientAppId: TEST_API.adminClientId, roles: ["Administrator"] }],
    },
    client(TEST_API.adminClientId, "Automation Admin (test)", TEST_API.adminSecret, 1),
    client(TEST_API.operatorClientId, "Automation Operator (test)", TEST_API.operatorSecret, 2),
    client(TEST_API.viewerClientId, "Automation Viewer (test)", TEST_API.viewerSecret, 3),
    client(TEST_API.noRoleClientId, "Automation No Role (test)", TEST_API.noRoleSecret, 4),
  ];
}

/** A small directory covering every state the suite exercises. */
export function buildTestScenario(options: { consentPropagationSeconds?: number; extraUsers?: number } = {}): ScenarioInput {
  const cert = testCertificate();
  const far = "2099-01-01T00:00:00Z";
  const extraUsers = Array.from({ length: options.extraUsers ?? 0 }, (_, i) => {
    const n = String(i + 1).padStart(12, "0");
    return user(`cccccccc-0000-4000-8000-${n}`, `user${i + 1}@contoso-test.onmicrosoft.com`, `User ${i + 1}`);
  });
  return {
    name: "test",
    providerApp: {
      clientId: TEST.providerClientId,
      displayName: "Tenant Access Console (test)",
      homeTenantId: TEST.homeTenantId,
      secrets: [
        { keyId: "dddddddd-0000-4000-8000-000000000001", secretText: TEST.providerSecret, hint: "prv", endDateTime: far },
        { keyId: "dddddddd-0000-4000-8000-000000000002", secretText: TEST.expiredProviderSecret, hint: "old", endDateTime: "2020-01-01T00:00:00Z" },
      ],
      certificates: [{ certPem: cert.certPem, thumbprintSha1: cert.thumbprintSha1, thumbprintSha256: cert.thumbprintSha256, endDateTime: far }],
      redirectUris: [TEST.redirectUri],
      requiredApplicationPermissions: REQUIRED_APP_PERMISSIONS,
      requiredDelegatedPermissions: REQUIRED_DELEGATED_PERMISSIONS,
      consentPropagationSeconds: options.consentPropagationSeconds ?? 0,
    },
    tenants: [
      {
        id: TEST.homeTenantId,
        displayName: "MSP Test Home",
        domains: [{ name: TEST.homeDomain, isDefault: true, isInitial: true }],
        users: [user("eeeeeeee-0000-4000-8000-000000000001", `owner@${TEST.homeDomain}`, "MSP Owner", { roles: ["Global Administrator"] })],
        consents: [{ clientId: TEST.providerClientId, applicationPermissions: ["Application.Read.All"], delegatedPermissions: ["User.Read"] }],
        appRegistrations: apiRegistrations(far),
      },
      {
        id: TEST.contosoId,
        displayName: "Contoso Test",
        domains: [
          { name: TEST.contosoDomain, isDefault: false, isInitial: true },
          { name: "contoso-test.example", isDefault: true, isInitial: false },
        ],
        groups: [{ id: TEST.groupId, displayName: "Dental Staff" }],
        users: [
          user("eeeeeeee-0000-4000-8000-000000000002", TEST.admin, "Contoso Admin", {
            roles: ["Global Administrator"],
            groups: [TEST.groupId],
            givenName: "Alex",
            surname: "Admin",
          }),
          user("eeeeeeee-0000-4000-8000-000000000003", TEST.mfaAdmin, "Contoso MFA Admin", { roles: ["Global Administrator"], mfa: true, mfaCode: "654321" }),
          user("eeeeeeee-0000-4000-8000-000000000004", TEST.blocked, "Blocked User", { roles: ["Global Administrator"], conditionalAccessBlock: true }),
          user("eeeeeeee-0000-4000-8000-000000000005", TEST.disabled, "Disabled User", { disabled: true }),
          user("eeeeeeee-0000-4000-8000-000000000006", TEST.reader, "Reader User"),
          ...extraUsers,
        ],
        consents: [{ clientId: TEST.providerClientId, applicationPermissions: REQUIRED_APP_PERMISSIONS, delegatedPermissions: REQUIRED_DELEGATED_PERMISSIONS }],
      },
      {
        id: TEST.fabrikamId,
        displayName: "Fabrikam Test",
        domains: [{ name: TEST.fabrikamDomain, isDefault: true, isInitial: true }],
        users: [user("eeeeeeee-0000-4000-8000-000000000010", TEST.fabrikamAdmin, "Fabrikam Admin", { roles: ["Global Administrator"] })],
      },
      {
        id: TEST.northwindId,
        displayName: "Northwind Test",
        domains: [{ name: TEST.northwindDomain, isDefault: true, isInitial: true }],
        users: [user("eeeeeeee-0000-4000-8000-000000000020", `admin@${TEST.northwindDomain}`, "Northwind Admin", { roles: ["Global Administrator"] })],
        consents: [{ clientId: TEST.providerClientId, applicationPermissions: ["Organization.Read.All"], delegatedPermissions: ["User.Read"] }],
      },
      {
        id: TEST.tailspinId,
        displayName: "Tailspin Test",
        domains: [{ name: TEST.tailspinDomain, isDefault: true, isInitial: true }],
        users: [user("eeeeeeee-0000-4000-8000-000000000030", `admin@${TEST.tailspinDomain}`, "Tailspin Admin", { roles: ["Global Administrator"] })],
        appRegistrations: [
          {
            clientId: TEST.tailspinAppId,
            displayName: "Tailspin console access",
            secrets: [{ keyId: "dddddddd-0000-4000-8000-000000000010", secretText: TEST.tailspinSecret, hint: "tsp", endDateTime: far }],
            applicationPermissions: ["Organization.Read.All", "User.Read.All", "Application.Read.All"],
            consented: true,
          },
          {
            clientId: TEST.tailspinExpiredAppId,
            displayName: "Tailspin old app",
            secrets: [
              { keyId: "dddddddd-0000-4000-8000-000000000011", secretText: TEST.tailspinExpiredSecret, hint: "exp", endDateTime: "2023-06-30T00:00:00Z" },
            ],
            applicationPermissions: ["Organization.Read.All"],
            consented: true,
          },
        ],
      },
    ],
    refreshTokens: [
      { token: TEST.staleRefreshToken, upn: TEST.admin, clientId: TEST.providerClientId, scopes: ["User.Read"], lastUsedAt: "2020-01-01T00:00:00Z" },
    ],
  };
}

/** Starts an in-process emulator on free ports with the test CA. */
export function startTestEmulator(options: Omit<StartEmulatorOptions, "dataDir"> = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, graphPort: 0, scenario: buildTestScenario(), ...options, dataDir: testDataDir() });
}

/** Form-encoded POST helper for raw token requests (what msal-node hides). */
export async function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}
