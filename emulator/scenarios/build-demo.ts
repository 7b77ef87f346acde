import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScenario, type ScenarioInput } from "../scenario.js";
import { DEMO_API } from "./demo-api.js";

/**
 * Writes emulator/scenarios/demo.json: the provider's home tenant plus 25 customers across every
 * authentication method and failure mode. Edit this file, then run `npx tsx emulator/scenarios/build-demo.ts`.
 * Fixed GUIDs and secrets keep the demo reproducible; none of them are real.
 */

const PASSWORD = "Demo-Passw0rd!";
const FAR = "2099-12-31T00:00:00Z";
const EXPIRED = "2024-06-30T00:00:00Z";
const APP_PERMISSIONS = ["Organization.Read.All", "User.Read.All", "Group.Read.All", "Application.Read.All"];
const DELEGATED = ["User.Read", "Organization.Read.All", "User.Read.All", "Group.Read.All", "offline_access", "openid", "profile", "email"];

export const DEMO = {
  providerClientId: "7ac0ffee-0000-4000-8000-000000000001",
  providerSecret: "tac8Q~demo-provider-secret-not-for-prod-001",
  homeTenantId: "d0000000-0000-4000-8000-000000000000",
  redirectUri: "http://localhost:3000/authenticate/OAuth2Callback",
  password: PASSWORD,
  mfaCode: "123456",
} as const;

type TenantInput = ScenarioInput["tenants"][number];
type Method = "PASSWORD" | "AUTH_TOKEN" | "APP_REGISTRATION";

let counter = 0;
function tenantId(n: number): string {
  return `d0000000-0000-4000-8000-${n.toString().padStart(12, "0")}`;
}
function userId(t: number, u: number): string {
  return `d1${t.toString().padStart(6, "0")}-0000-4000-8000-${u.toString().padStart(12, "0")}`;
}
function appId(t: number, k: number): string {
  return `d2${t.toString().padStart(6, "0")}-0000-4000-8000-${k.toString().padStart(12, "0")}`;
}

interface TenantSpec {
  name: string;
  slug: string;
  method: Method;
  expectedState: string;
  consent?: "full" | "partial" | "none";
  disabled?: boolean;
  admin?: { mfa?: boolean; conditionalAccessBlock?: boolean; disabled?: boolean };
  staff?: number;
  tenantApp?: "valid" | "expired" | "wrongSecret";
  consoleHints?: Record<string, unknown>;
}

const staffNames = [
  "Avery Brooks",
  "Jordan Lee",
  "Riley Chen",
  "Sam Patel",
  "Morgan Diaz",
  "Casey Nguyen",
  "Quinn Murphy",
  "Drew Okafor",
  "Taylor Kim",
  "Jamie Rossi",
];

function build(spec: TenantSpec): TenantInput {
  const n = ++counter;
  const id = tenantId(n);
  const initial = `${spec.slug}.onmicrosoft.com`;
  const custom = `${spec.slug}.example`;
  const adminUpn = `admin@${initial}`;
  const groupId = `d3${n.toString().padStart(6, "0")}-0000-4000-8000-000000000001`;
  const users: NonNullable<TenantInput["users"]> = [
    {
      id: userId(n, 1),
      userPrincipalName: adminUpn,
      displayName: `${spec.name} Admin`,
      givenName: spec.name.split(" ")[0],
      surname: "Admin",
      mail: adminUpn,
      password: PASSWORD,
      roles: ["Global Administrator"],
      groups: [groupId],
      ...spec.admin,
    },
  ];
  for (let i = 0; i < (spec.staff ?? 4); i++) {
    const name = staffNames[i % staffNames.length]!;
    const upn = `${name.split(" ")[0]!.toLowerCase()}${i >= staffNames.length ? i : ""}@${initial}`;
    users.push({
      id: userId(n, i + 2),
      userPrincipalName: upn,
      displayName: name,
      givenName: name.split(" ")[0],
      surname: name.split(" ")[1],
      mail: upn,
      password: PASSWORD,
      groups: i % 2 === 0 ? [groupId] : [],
    });
  }
  const consents =
    spec.consent === "full" || (spec.consent === undefined && spec.method !== "APP_REGISTRATION")
      ? [{ clientId: DEMO.providerClientId, applicationPermissions: APP_PERMISSIONS, delegatedPermissions: DELEGATED }]
      : spec.consent === "partial"
        ? [{ clientId: DEMO.providerClientId, applicationPermissions: ["Organization.Read.All"], delegatedPermissions: ["User.Read"] }]
        : [];
  const hints: Record<string, unknown> = {
    customerId: spec.slug,
    authMethod: spec.method,
    adminEmail: adminUpn,
    expectedState: spec.expectedState,
    ...spec.consoleHints,
  };
  const appRegistrations: NonNullable<TenantInput["appRegistrations"]> = [];
  if (spec.tenantApp) {
    const clientId = appId(n, 1);
    const secretText = `${spec.slug.slice(0, 3)}8Q~demo-tenant-app-secret-${n.toString().padStart(4, "0")}`;
    appRegistrations.push({
      clientId,
      displayName: `${spec.name} console access`,
      secrets: [
        { keyId: appId(n, 2), displayName: "console", secretText, hint: secretText.slice(0, 3), endDateTime: spec.tenantApp === "expired" ? EXPIRED : FAR },
      ],
      applicationPermissions: APP_PERMISSIONS,
      consented: true,
    });
    hints.appClientId = clientId;
    hints.appClientSecret = spec.tenantApp === "wrongSecret" ? "wrong8Q~this-is-not-the-registered-secret" : secretText;
  }
  if (spec.method === "PASSWORD") {
    hints.username = adminUpn;
    hints.password = spec.expectedState === "wrong_password" ? "Old-Passw0rd!" : PASSWORD;
  }
  return {
    id,
    displayName: spec.name,
    domains: [
      { name: initial, isDefault: false, isInitial: true },
      { name: custom, isDefault: true, isInitial: false },
    ],
    disabled: spec.disabled,
    countryLetterCode: "US",
    users,
    groups: [{ id: groupId, displayName: `${spec.name} Staff` }],
    consents,
    appRegistrations,
    console: hints,
  };
}

const customers: TenantSpec[] = [
  { name: "Contoso Dental", slug: "contosodental", method: "APP_REGISTRATION", consent: "full", expectedState: "verified" },
  { name: "Fabrikam Legal", slug: "fabrikamlegal", method: "APP_REGISTRATION", consent: "full", expectedState: "verified" },
  { name: "Adatum Accounting", slug: "adatumaccounting", method: "APP_REGISTRATION", consent: "full", expectedState: "verified", staff: 10 },
  { name: "Woodgrove Clinic", slug: "woodgroveclinic", method: "APP_REGISTRATION", consent: "full", expectedState: "verified", staff: 120 },
  { name: "Consolidated Messenger", slug: "consolidatedmessenger", method: "APP_REGISTRATION", consent: "full", expectedState: "verified" },
  { name: "Wide World Importers", slug: "wideworldimporters", method: "APP_REGISTRATION", consent: "full", expectedState: "verified" },
  { name: "Litware Logistics", slug: "litwarelogistics", method: "APP_REGISTRATION", consent: "none", expectedState: "consent_missing" },
  {
    name: "Proseware Architects",
    slug: "prosewarearchitects",
    method: "APP_REGISTRATION",
    consent: "none",
    expectedState: "consent_declined",
    consoleHints: { consentDecision: "cancel" },
  },
  { name: "Coho Winery", slug: "cohowinery", method: "APP_REGISTRATION", consent: "partial", expectedState: "insufficient_permissions" },
  { name: "Fourth Coffee", slug: "fourthcoffee", method: "APP_REGISTRATION", consent: "full", expectedState: "throttled" },
  { name: "Tailspin Travel", slug: "tailspintravel", method: "APP_REGISTRATION", consent: "none", tenantApp: "valid", expectedState: "verified_tenant_app" },
  { name: "Wingtip Toys", slug: "wingtiptoys", method: "APP_REGISTRATION", consent: "none", tenantApp: "expired", expectedState: "secret_expired" },
  { name: "Alpine Ski House", slug: "alpineskihouse", method: "APP_REGISTRATION", consent: "none", tenantApp: "wrongSecret", expectedState: "secret_invalid" },
  { name: "Margie's Travel", slug: "margiestravel", method: "AUTH_TOKEN", expectedState: "verified_after_sign_in" },
  { name: "Relecloud Media", slug: "relecloudmedia", method: "AUTH_TOKEN", admin: { mfa: true }, expectedState: "verified_after_sign_in_with_mfa" },
  {
    name: "Trey Research",
    slug: "treyresearch",
    method: "AUTH_TOKEN",
    expectedState: "refresh_token_expired",
    consoleHints: { refreshToken: "1.AEMU-demo-trey-research-stale-refresh-token" },
  },
  { name: "Southridge Video", slug: "southridgevideo", method: "AUTH_TOKEN", consent: "none", expectedState: "consent_on_sign_in" },
  { name: "Humongous Insurance", slug: "humongousinsurance", method: "PASSWORD", admin: { mfa: true }, expectedState: "mfa_required" },
  {
    name: "Lucerne Publishing",
    slug: "lucernepublishing",
    method: "PASSWORD",
    admin: { conditionalAccessBlock: true },
    expectedState: "conditional_access_blocked",
  },
  { name: "Northwind Traders", slug: "northwindtraders", method: "PASSWORD", admin: { disabled: true }, expectedState: "user_disabled" },
  { name: "Blue Yonder Airlines", slug: "blueyonderairlines", method: "PASSWORD", expectedState: "verified_legacy_password" },
  { name: "Graphic Design Institute", slug: "graphicdesigninstitute", method: "PASSWORD", expectedState: "wrong_password" },
  { name: "VanArsdel Foods", slug: "vanarsdelfoods", method: "PASSWORD", expectedState: "verified_legacy_password" },
  { name: "Bellows College", slug: "bellowscollege", method: "APP_REGISTRATION", consent: "full", disabled: true, expectedState: "tenant_disabled" },
  {
    name: "First Up Consultants",
    slug: "firstupconsultants",
    method: "AUTH_TOKEN",
    expectedState: "refresh_token_revoked_after_sign_in",
    consoleHints: { note: "sign in, then call control revokeUserRefreshTokens for the admin" },
  },
];

/**
 * The console's REST API and its automation clients (see demo-api.ts). App roles allow Application
 * members only: the console maps them from app-only tokens' `roles` claim. The API asks for security
 * groups in its tokens (groupMembershipClaims), which the console maps through its group → role mapping.
 */
function consoleApiRegistrations(): NonNullable<TenantInput["appRegistrations"]> {
  const clients = [
    { ...DEMO_API.admin, displayName: "Automation Admin", keyId: "7ac0ffee-0000-4000-8000-0000000001b1" },
    { ...DEMO_API.operator, displayName: "Automation Operator", keyId: "7ac0ffee-0000-4000-8000-0000000001b2" },
    { ...DEMO_API.viewer, displayName: "Automation Viewer", keyId: "7ac0ffee-0000-4000-8000-0000000001b3" },
    { ...DEMO_API.noRole, displayName: "Automation No Role", keyId: "7ac0ffee-0000-4000-8000-0000000001b4" },
    { ...DEMO_API.groupOperator, displayName: "Automation Group Operator", keyId: "7ac0ffee-0000-4000-8000-0000000001b5" },
  ];
  const roles = Object.entries(DEMO_API.roleIds).map(([value, id]) => ({
    id,
    value,
    displayName: value,
    description:
      value === "AccessToken.Request" ? "Request access tokens for customer tenants from the console's broker" : `Console ${value} for automation clients`,
    allowedMemberTypes: ["Application" as const],
  }));
  return [
    {
      clientId: DEMO_API.apiAppId,
      displayName: "Tenant Access Console API",
      identifierUris: [DEMO_API.identifierUri],
      appRoles: roles,
      appRoleAssignments: clients.filter((c) => c.role).map((c) => ({ clientAppId: c.clientId, roles: [c.role!] })),
      groupMembershipClaims: DEMO_API.groupMembershipClaims,
    },
    ...clients.map((c) => ({
      clientId: c.clientId,
      displayName: c.displayName,
      secrets: [
        { keyId: c.keyId, displayName: "demo", secretText: c.secret, hint: c.secret.slice(0, 3), startDateTime: "2025-01-01T00:00:00Z", endDateTime: FAR },
      ],
    })),
  ];
}

const home: TenantInput = {
  id: DEMO.homeTenantId,
  displayName: "Lakeshore IT Partners",
  domains: [
    { name: "lakeshoreit.onmicrosoft.com", isDefault: false, isInitial: true },
    { name: "lakeshoreit.example", isDefault: true, isInitial: false },
  ],
  countryLetterCode: "US",
  users: [
    {
      id: userId(0, 1),
      userPrincipalName: "owner@lakeshoreit.onmicrosoft.com",
      displayName: "Lakeshore Owner",
      password: PASSWORD,
      roles: ["Global Administrator"],
    },
    { id: userId(0, 2), userPrincipalName: "tech@lakeshoreit.onmicrosoft.com", displayName: "Lakeshore Technician", password: PASSWORD },
    // A shared mailbox (its account is disabled, as Exchange creates them) that the console's Graph mail channel sends from.
    {
      id: userId(0, 3),
      userPrincipalName: "alerts@lakeshoreit.onmicrosoft.com",
      displayName: "Lakeshore Alerts",
      password: PASSWORD,
      mail: "alerts@lakeshoreit.onmicrosoft.com",
      disabled: true,
    },
  ],
  groups: [
    {
      id: DEMO_API.operatorsGroupId,
      displayName: "Console Automation Operators",
      description: "Automation clients that the console maps to Operator (Settings → Entra Authentication → Group role mappings)",
      servicePrincipalMembers: [DEMO_API.groupOperator.clientId],
    },
  ],
  consents: [
    // Mail.Send: the console's Graph mail channel sends alerts from alerts@ (application permission, admin-consented here only).
    {
      clientId: DEMO.providerClientId,
      applicationPermissions: ["Application.Read.All", "Organization.Read.All", "Mail.Send"],
      delegatedPermissions: ["User.Read"],
    },
  ],
  appRegistrations: consoleApiRegistrations(),
  console: { role: "provider-home-tenant" },
};

const tenants = [home, ...customers.map(build)];
const byName = (name: string) => tenants.find((t) => t.displayName === name)!;

const scenario: ScenarioInput = {
  name: "demo",
  description: "Lakeshore IT Partners (the MSP) and 25 customers in every authentication method and failure mode.",
  providerApp: {
    clientId: DEMO.providerClientId,
    displayName: "Tenant Access Console",
    homeTenantId: DEMO.homeTenantId,
    secrets: [
      {
        keyId: "7ac0ffee-0000-4000-8000-0000000000a1",
        displayName: "demo",
        secretText: DEMO.providerSecret,
        hint: DEMO.providerSecret.slice(0, 3),
        startDateTime: "2025-01-01T00:00:00Z",
        endDateTime: FAR,
      },
    ],
    redirectUris: [DEMO.redirectUri],
    requiredApplicationPermissions: APP_PERMISSIONS,
    requiredDelegatedPermissions: DELEGATED,
    multiTenant: true,
    consentPropagationSeconds: 0,
  },
  tenants,
  refreshTokens: [
    {
      token: "1.AEMU-demo-trey-research-stale-refresh-token",
      upn: byName("Trey Research").users![0]!.userPrincipalName,
      clientId: DEMO.providerClientId,
      scopes: ["User.Read", "Organization.Read.All", "User.Read.All"],
      lastUsedAt: "2024-01-15T09:00:00Z",
    },
  ],
  faults: { throttleTenantIds: [byName("Fourth Coffee").id], throttleScope: "graph", retryAfterSeconds: 2.5 },
  console: {
    customersWithoutTenant: [
      {
        customerId: "school-of-fine-art",
        displayName: "School of Fine Art",
        tenantDomain: "schooloffineart.onmicrosoft.com",
        authMethod: "APP_REGISTRATION",
        expectedState: "tenant_not_found",
      },
    ],
  },
};

if (DEMO_API.homeTenantId !== DEMO.homeTenantId) throw new Error("DEMO_API.homeTenantId must be the provider's home tenant");
if (DEMO_API.groupOperator.groupId !== DEMO_API.operatorsGroupId) throw new Error("DEMO_API.groupOperator.groupId must be DEMO_API.operatorsGroupId");
parseScenario(scenario);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "demo.json");
writeFileSync(out, `${JSON.stringify(scenario, null, 2)}\n`);
console.log(`wrote ${out}: ${tenants.length} tenants`);
