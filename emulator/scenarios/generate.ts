import type { ScenarioInput } from "../scenario.js";

/**
 * Synthetic directories for benchmarks: N tenants in mixed states, deterministic by seed. Nothing here
 * generates keys, so 10,000 tenants take milliseconds; every tenant shares the one provider app.
 */

export type TenantState =
  | "verified"
  | "consentMissing"
  | "insufficientPermissions"
  | "tenantAppValid"
  | "tenantAppExpiredSecret"
  | "mfaRequired"
  | "conditionalAccessBlocked"
  | "userDisabled"
  | "tenantDisabled"
  | "throttled";

export const DEFAULT_MIX: Record<TenantState, number> = {
  verified: 60,
  consentMissing: 8,
  insufficientPermissions: 6,
  tenantAppValid: 8,
  tenantAppExpiredSecret: 4,
  mfaRequired: 4,
  conditionalAccessBlocked: 3,
  userDisabled: 3,
  tenantDisabled: 2,
  throttled: 2,
};

export const GENERATED = {
  providerClientId: "5eed0000-0000-4000-8000-00000000a001",
  providerSecret: "gen8Q~generated-provider-secret-000000001",
  homeTenantId: "5eed0000-0000-4000-8000-000000000000",
  tenantAppSecret: "tap8Q~generated-tenant-app-secret-0000001",
  password: "Gen-Passw0rd!",
  redirectUri: "http://localhost:3000/authenticate/OAuth2Callback",
} as const;

const APP_PERMISSIONS = ["Organization.Read.All", "User.Read.All", "Group.Read.All", "Application.Read.All"];
const DELEGATED_PERMISSIONS = ["User.Read", "Organization.Read.All", "User.Read.All", "offline_access", "openid", "profile"];
const WORDS = [
  "Contoso",
  "Fabrikam",
  "Adatum",
  "Litware",
  "Proseware",
  "Tailspin",
  "Wingtip",
  "Coho",
  "Trey",
  "Lucerne",
  "Fourth",
  "Alpine",
  "Woodgrove",
  "Northwind",
  "Relecloud",
  "Humongous",
];
const KINDS = [
  "Dental",
  "Legal",
  "Accounting",
  "Clinic",
  "Logistics",
  "Architects",
  "Travel",
  "Foods",
  "Media",
  "Research",
  "Insurance",
  "Publishing",
  "Winery",
  "Outfitters",
];

/** mulberry32: tiny, fast and good enough to pick states reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function guid(prefix: string, n: number): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

export interface GenerateOptions {
  tenants: number;
  seed?: number;
  mix?: Partial<Record<TenantState, number>>;
  usersPerTenant?: number;
}

export interface GeneratedScenario {
  scenario: ScenarioInput;
  /** Which state each tenant was given, by tenant id: what a benchmark should expect. */
  states: Record<string, TenantState>;
}

export function generateScenario(options: GenerateOptions): GeneratedScenario {
  const random = prng(options.seed ?? 1);
  const mix = { ...DEFAULT_MIX, ...options.mix };
  const entries = (Object.entries(mix) as [TenantState, number][]).filter(([, w]) => w > 0);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  const pick = (): TenantState => {
    let r = random() * total;
    for (const [state, weight] of entries) {
      r -= weight;
      if (r < 0) return state;
    }
    return entries[entries.length - 1]![0];
  };
  const usersPerTenant = options.usersPerTenant ?? 3;
  const far = "2099-01-01T00:00:00Z";
  const states: Record<string, TenantState> = {};
  const throttled: string[] = [];
  const tenants: ScenarioInput["tenants"] = [
    {
      id: GENERATED.homeTenantId,
      displayName: "Generated MSP",
      domains: [{ name: "generated-msp.onmicrosoft.com", isDefault: true, isInitial: true }],
      users: [
        {
          id: guid("5eed0001", 0),
          userPrincipalName: "owner@generated-msp.onmicrosoft.com",
          displayName: "MSP Owner",
          password: GENERATED.password,
          roles: ["Global Administrator"],
        },
      ],
      consents: [{ clientId: GENERATED.providerClientId, applicationPermissions: ["Application.Read.All"], delegatedPermissions: ["User.Read"] }],
    },
  ];

  for (let i = 1; i <= options.tenants; i++) {
    const state = pick();
    const id = guid("7e000000", i);
    states[id] = state;
    const name = `${WORDS[Math.floor(random() * WORDS.length)]} ${KINDS[Math.floor(random() * KINDS.length)]} ${i}`;
    const domain = `t${i}.generated.onmicrosoft.com`;
    const users: NonNullable<ScenarioInput["tenants"][number]["users"]> = [];
    for (let u = 0; u < usersPerTenant; u++) {
      users.push({
        id: guid(`a${(i % 0xfffffff).toString(16).padStart(7, "0")}`, u),
        userPrincipalName: u === 0 ? `admin@${domain}` : `user${u}@${domain}`,
        displayName: u === 0 ? `${name} Admin` : `User ${u}`,
        password: GENERATED.password,
        roles: u === 0 ? ["Global Administrator"] : undefined,
        mfa: u === 0 && state === "mfaRequired" ? true : undefined,
        conditionalAccessBlock: u === 0 && state === "conditionalAccessBlocked" ? true : undefined,
        disabled: u === 0 && state === "userDisabled" ? true : undefined,
      });
    }
    const consents =
      state === "consentMissing" || state === "tenantAppValid" || state === "tenantAppExpiredSecret"
        ? []
        : [
            {
              clientId: GENERATED.providerClientId,
              applicationPermissions: state === "insufficientPermissions" ? ["Organization.Read.All"] : APP_PERMISSIONS,
              delegatedPermissions: DELEGATED_PERMISSIONS,
            },
          ];
    const appRegistrations =
      state === "tenantAppValid" || state === "tenantAppExpiredSecret"
        ? [
            {
              clientId: guid("7a000000", i),
              displayName: `${name} console access`,
              secrets: [
                {
                  keyId: guid("7b000000", i),
                  secretText: GENERATED.tenantAppSecret,
                  hint: "tap",
                  endDateTime: state === "tenantAppExpiredSecret" ? "2023-01-01T00:00:00Z" : far,
                },
              ],
              applicationPermissions: APP_PERMISSIONS,
              consented: true,
            },
          ]
        : [];
    if (state === "throttled") throttled.push(id);
    tenants.push({
      id,
      displayName: name,
      domains: [{ name: domain, isDefault: true, isInitial: true }],
      disabled: state === "tenantDisabled" || undefined,
      users,
      consents,
      appRegistrations,
    });
  }

  return {
    states,
    scenario: {
      name: `generated-${options.tenants}-seed-${options.seed ?? 1}`,
      providerApp: {
        clientId: GENERATED.providerClientId,
        displayName: "Tenant Access Console (generated)",
        homeTenantId: GENERATED.homeTenantId,
        secrets: [{ keyId: guid("5eed0002", 1), secretText: GENERATED.providerSecret, hint: "gen", endDateTime: far }],
        redirectUris: [GENERATED.redirectUri],
        requiredApplicationPermissions: APP_PERMISSIONS,
        requiredDelegatedPermissions: DELEGATED_PERMISSIONS,
      },
      tenants,
      faults: throttled.length > 0 ? { throttleTenantIds: throttled, throttleScope: "graph", retryAfterSeconds: 2.5 } : undefined,
    },
  };
}
