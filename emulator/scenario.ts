import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * The directory state the emulator serves. Documented in emulator/README.md;
 * every field the console's demo seeder reads lives under `tenants[].console`.
 */

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");
const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO date");

export const secretSchema = z.object({
  keyId: guid,
  displayName: z.string().optional(),
  secretText: z.string().min(1),
  hint: z.string().optional(),
  startDateTime: isoDate.optional(),
  endDateTime: isoDate,
});
export type Secret = z.infer<typeof secretSchema>;

export const certificateSchema = z.object({
  keyId: guid.optional(),
  displayName: z.string().optional(),
  /** Hex SHA-1 of the DER certificate, as the Entra portal shows it. Derived from certPem when absent. */
  thumbprintSha1: z.string().optional(),
  thumbprintSha256: z.string().optional(),
  certPem: z.string().min(1),
  endDateTime: isoDate.optional(),
});
export type Certificate = z.infer<typeof certificateSchema>;

export const userSchema = z.object({
  id: guid,
  userPrincipalName: z.string().min(3),
  displayName: z.string(),
  givenName: z.string().optional(),
  surname: z.string().optional(),
  jobTitle: z.string().optional(),
  mail: z.string().optional(),
  password: z.string(),
  mfa: z.boolean().optional(),
  mfaCode: z.string().optional(),
  disabled: z.boolean().optional(),
  conditionalAccessBlock: z.boolean().optional(),
  passwordExpired: z.boolean().optional(),
  roles: z.array(z.string()).optional(),
  groups: z.array(guid).optional(),
});
export type User = z.infer<typeof userSchema>;

/**
 * A group of the tenant. Users join through `users[].groups`; service principals (which have no entry of
 * their own in a scenario) through `servicePrincipalMembers`, the client ids of app registrations of this
 * tenant or of the provider app whose service principal in this tenant is a direct member.
 */
export const groupSchema = z.object({
  id: guid,
  displayName: z.string(),
  description: z.string().optional(),
  /** A security group (the default); `false` with mailEnabled is a distribution group. */
  securityEnabled: z.boolean().default(true),
  mailEnabled: z.boolean().default(false),
  servicePrincipalMembers: z.array(guid).default([]),
});
export type Group = z.infer<typeof groupSchema>;

/**
 * The application manifest's groupMembershipClaims: which groups the `groups` claim of tokens issued for
 * this app (as the resource) carries. One value or a comma-separated combination, e.g. "SecurityGroup" or
 * "SecurityGroup, ApplicationGroup"; absent means "None".
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-app-manifest#groupmembershipclaims-attribute
 */
export const GROUP_MEMBERSHIP_CLAIM_VALUES = ["None", "SecurityGroup", "DirectoryRole", "ApplicationGroup", "All"] as const;
export type GroupMembershipClaim = (typeof GROUP_MEMBERSHIP_CLAIM_VALUES)[number];

export function parseGroupMembershipClaims(value: string | null | undefined): Set<GroupMembershipClaim> {
  const out = new Set<GroupMembershipClaim>();
  for (const part of (value ?? "None").split(",")) {
    const trimmed = part.trim();
    if (trimmed && trimmed !== "None") out.add(trimmed as GroupMembershipClaim);
  }
  return out;
}

const groupMembershipClaimsSchema = z
  .string()
  .refine(
    (v) => v.split(",").every((part) => (GROUP_MEMBERSHIP_CLAIM_VALUES as readonly string[]).includes(part.trim())),
    `must be one of ${GROUP_MEMBERSHIP_CLAIM_VALUES.join(", ")}, or a comma-separated combination`,
  );

export const consentSchema = z.object({
  clientId: guid,
  applicationPermissions: z.array(z.string()).default([]),
  delegatedPermissions: z.array(z.string()).default([]),
  /** When the grant was made; drives the consent propagation delay. Defaults to long ago. */
  grantedAt: isoDate.optional(),
});
export type Consent = z.infer<typeof consentSchema>;

/**
 * An app role the registration exposes (the application manifest's `appRoles`). Only roles whose
 * allowedMemberTypes include "Application" can be assigned to client apps and appear in app-only tokens.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/howto-add-app-roles-in-apps
 */
export const appRoleSchema = z.object({
  id: guid,
  value: z.string().min(1),
  displayName: z.string().optional(),
  description: z.string().optional(),
  /** Entra requires this in the manifest; the emulator defaults to both kinds. */
  allowedMemberTypes: z
    .array(z.enum(["Application", "User"]))
    .min(1)
    .default(["Application", "User"]),
  isEnabled: z.boolean().default(true),
});
export type AppRole = z.infer<typeof appRoleSchema>;

/**
 * App roles of this registration granted to a client app's service principal (Entra's appRoleAssignment,
 * one entry per client with the role values instead of role ids). The client is another registration of
 * the same tenant or the provider app.
 */
export const appRoleAssignmentSchema = z.object({
  clientAppId: guid,
  roles: z.array(z.string().min(1)).default([]),
});
export type AppRoleAssignment = z.infer<typeof appRoleAssignmentSchema>;

/**
 * App roles of this registration assigned to a user or a group of its tenant (Enterprise applications →
 * Users and groups). A group's roles reach its direct members, as in Entra (nested groups do not inherit
 * assignments). They appear in the `roles` claim of ID tokens issued to this registration for the user.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/howto-add-app-roles-in-apps#assign-users-and-groups-to-microsoft-entra-roles
 */
export const userRoleAssignmentSchema = z.object({
  /** The object id of a user or a group of the registration's tenant. */
  principalId: guid,
  roles: z.array(z.string().min(1)).default([]),
});
export type UserRoleAssignment = z.infer<typeof userRoleAssignmentSchema>;

export const appRegistrationSchema = z
  .object({
    clientId: guid,
    /** Object id of the application; derived from clientId when absent. */
    id: guid.optional(),
    displayName: z.string(),
    secrets: z.array(secretSchema).default([]),
    certificates: z.array(certificateSchema).default([]),
    redirectUris: z.array(z.string()).default([]),
    applicationPermissions: z.array(z.string()).default([]),
    delegatedPermissions: z.array(z.string()).default([]),
    /** Whether an admin granted applicationPermissions in this tenant. */
    consented: z.boolean().default(true),
    /** Application ID URIs (e.g. `api://<clientId>`): what clients may name as resource besides the client id. */
    identifierUris: z.array(z.string().min(1)).default([]),
    appRoles: z.array(appRoleSchema).default([]),
    /** The manifest's accessTokenAcceptedVersion (api.requestedAccessTokenVersion): null or 1 → v1.0 tokens, 2 → v2.0. */
    accessTokenAcceptedVersion: z
      .union([z.literal(1), z.literal(2)])
      .nullable()
      .optional(),
    appRoleAssignments: z.array(appRoleAssignmentSchema).default([]),
    userRoleAssignments: z.array(userRoleAssignmentSchema).default([]),
    /** See GROUP_MEMBERSHIP_CLAIM_VALUES; absent = "None" (no `groups` claim). */
    groupMembershipClaims: groupMembershipClaimsSchema.nullable().optional(),
    /**
     * Groups of the tenant assigned to this app (Enterprise applications → Users and groups). Only used by
     * groupMembershipClaims "ApplicationGroup", which emits just these of the subject's groups.
     */
    assignedGroups: z.array(guid).default([]),
  })
  .superRefine((reg, ctx) => {
    const values = new Set<string>();
    reg.appRoles.forEach((role, i) => {
      if (values.has(role.value)) ctx.addIssue({ code: "custom", path: ["appRoles", i, "value"], message: `duplicate app role value '${role.value}'` });
      values.add(role.value);
    });
    reg.appRoleAssignments.forEach((assignment, i) => {
      assignment.roles.forEach((value, j) => {
        const role = reg.appRoles.find((r) => r.value === value);
        // Entra refuses the assignment itself, so a scenario cannot hold one either.
        if (!role) ctx.addIssue({ code: "custom", path: ["appRoleAssignments", i, "roles", j], message: `no app role with value '${value}'` });
        else if (!role.allowedMemberTypes.includes("Application")) {
          ctx.addIssue({ code: "custom", path: ["appRoleAssignments", i, "roles", j], message: `app role '${value}' does not allow member type Application` });
        }
      });
    });
    reg.userRoleAssignments.forEach((assignment, i) => {
      assignment.roles.forEach((value, j) => {
        const role = reg.appRoles.find((r) => r.value === value);
        if (!role) ctx.addIssue({ code: "custom", path: ["userRoleAssignments", i, "roles", j], message: `no app role with value '${value}'` });
        else if (!role.allowedMemberTypes.includes("User")) {
          ctx.addIssue({ code: "custom", path: ["userRoleAssignments", i, "roles", j], message: `app role '${value}' does not allow member type User` });
        }
      });
    });
  });
export type AppRegistration = z.infer<typeof appRegistrationSchema>;

export const domainSchema = z.object({
  name: z.string().min(3),
  isDefault: z.boolean().default(false),
  isInitial: z.boolean().default(false),
});

export const tenantSchema = z.object({
  id: guid,
  displayName: z.string(),
  domains: z.array(domainSchema).min(1),
  disabled: z.boolean().optional(),
  cloud: z.string().optional(),
  countryLetterCode: z.string().optional(),
  createdDateTime: isoDate.optional(),
  users: z.array(userSchema).default([]),
  /**
   * Users made up on demand after `users` (user000000@<default domain>, …), the same for the same seed:
   * a large directory for paging and user sync, free until read. They cannot sign in.
   */
  generatedUsers: z.object({ count: z.number().int().min(0).max(2_000_000), seed: z.string().min(1).default("users") }).optional(),
  groups: z.array(groupSchema).default([]),
  consents: z.array(consentSchema).default([]),
  appRegistrations: z.array(appRegistrationSchema).default([]),
  /** Free-form hints for the console's demo seeder; the emulator ignores them. */
  console: z.record(z.string(), z.unknown()).optional(),
});
export type Tenant = z.infer<typeof tenantSchema>;

export const providerAppSchema = z.object({
  clientId: guid,
  id: guid.optional(),
  displayName: z.string(),
  homeTenantId: guid,
  secrets: z.array(secretSchema).default([]),
  certificates: z.array(certificateSchema).default([]),
  redirectUris: z.array(z.string()).default([]),
  requiredApplicationPermissions: z.array(z.string()).default([]),
  requiredDelegatedPermissions: z.array(z.string()).default([]),
  multiTenant: z.boolean().default(true),
  /** Seconds after a consent during which client credentials still fail with AADSTS700016. */
  consentPropagationSeconds: z.number().min(0).default(0),
  /** Seconds after a secret is added (addPassword, add-secret) during which it is still refused with AADSTS7000215. */
  secretPropagationSeconds: z.number().min(0).default(0),
});
export type ProviderApp = z.infer<typeof providerAppSchema>;

export const seededRefreshTokenSchema = z.object({
  token: z.string().min(8),
  upn: z.string(),
  clientId: guid,
  scopes: z.array(z.string()).default([]),
  lastUsedAt: isoDate,
  issuedAt: isoDate.optional(),
});
export type SeededRefreshToken = z.infer<typeof seededRefreshTokenSchema>;

export const scenarioFaultsSchema = z.object({
  /** Tenants whose requests always get 429 (a persistently throttled customer). */
  throttleTenantIds: z.array(guid).default([]),
  throttleScope: z.enum(["token", "graph", "both"]).default("graph"),
  retryAfterSeconds: z.number().positive().default(2.5),
});

export const scenarioSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    tenants: z.array(tenantSchema),
    providerApp: providerAppSchema,
    refreshTokens: z.array(seededRefreshTokenSchema).default([]),
    faults: scenarioFaultsSchema.optional(),
    /** Hints for the console's demo seeder that are not directory state, e.g. `customersWithoutTenant`. */
    console: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((scenario, ctx) => {
    scenario.tenants.forEach((tenant, t) => checkTenantApis(tenant, scenario.providerApp.clientId, ctx, ["tenants", t, "appRegistrations"]));
  });

/**
 * Identifier URIs are unique in a tenant; app role assignments and group memberships name a client that can
 * exist there; user role assignments name a user or group of the tenant; groups assigned to an app exist in the tenant.
 */
function checkTenantApis(tenant: Tenant, providerClientId: string, ctx: z.RefinementCtx, path: (string | number)[]): void {
  const clients = new Set([providerClientId.toLowerCase(), ...tenant.appRegistrations.map((r) => r.clientId.toLowerCase())]);
  const groupIds = new Set(tenant.groups.map((g) => g.id.toLowerCase()));
  const groupsPath = [...path.slice(0, -1), "groups"];
  tenant.groups.forEach((group, g) => {
    group.servicePrincipalMembers.forEach((clientId, m) => {
      if (!clients.has(clientId.toLowerCase())) {
        ctx.addIssue({
          code: "custom",
          path: [...groupsPath, g, "servicePrincipalMembers", m],
          message: `client ${clientId} is neither an app registration of tenant ${tenant.id} nor the provider app`,
        });
      }
    });
  });
  const uris = new Map<string, string>();
  tenant.appRegistrations.forEach((reg, a) => {
    reg.identifierUris.forEach((uri, u) => {
      const key = uri.replace(/\/+$/, "").toLowerCase();
      const owner = uris.get(key);
      if (owner) ctx.addIssue({ code: "custom", path: [...path, a, "identifierUris", u], message: `identifier URI '${uri}' is already used by ${owner}` });
      uris.set(key, reg.clientId);
    });
    reg.appRoleAssignments.forEach((assignment, i) => {
      if (!clients.has(assignment.clientAppId.toLowerCase())) {
        ctx.addIssue({
          code: "custom",
          path: [...path, a, "appRoleAssignments", i, "clientAppId"],
          message: `client ${assignment.clientAppId} is neither an app registration of tenant ${tenant.id} nor the provider app`,
        });
      }
    });
    reg.userRoleAssignments.forEach((assignment, i) => {
      const id = assignment.principalId.toLowerCase();
      if (!groupIds.has(id) && !tenant.users.some((u) => u.id.toLowerCase() === id)) {
        ctx.addIssue({
          code: "custom",
          path: [...path, a, "userRoleAssignments", i, "principalId"],
          message: `${assignment.principalId} is neither a user nor a group of tenant ${tenant.id}`,
        });
      }
    });
    reg.assignedGroups.forEach((groupId, i) => {
      if (!groupIds.has(groupId.toLowerCase()))
        ctx.addIssue({ code: "custom", path: [...path, a, "assignedGroups", i], message: `group ${groupId} is not a group of tenant ${tenant.id}` });
    });
  });
}

/** What the emulator runs on, after defaults are applied. */
export type Scenario = z.infer<typeof scenarioSchema>;
/** What a scenario file or test may supply: defaults may be omitted. */
export type ScenarioInput = z.input<typeof scenarioSchema>;

export function parseScenario(input: unknown): Scenario {
  return scenarioSchema.parse(input);
}

export function loadScenarioFile(path: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(path, "utf8")));
}
