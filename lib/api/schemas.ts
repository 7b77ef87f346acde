import { z } from "zod";
import { auditActions } from "@/lib/audit";
import { env } from "@/lib/env";
import { reasonCodes, remediationActions } from "@/lib/entra/reasons";
import { ownAppSchema } from "@/lib/validations/own-app";
import { authorizationStates, credentialKinds, methodIds, methods } from "@/lib/methods";
import { clouds, tenantInputSchema, tenantSortColumns, verificationStatuses } from "@/lib/validations/tenant";
import { diagnosticsSchema, outcomeDetailsSchema, resultStatuses, verificationOutcomeSchema } from "@/lib/verification/outcome";
import { consentLinkDaysSchema } from "@/lib/validations/consent";
import { problemSchema } from "@/lib/http/problem";

/**
 * The REST API's own schemas: query parameters (strict: an unknown or invalid parameter is a 400, where
 * the console's URL parser silently falls back to defaults) and the JSON shapes of responses. Request
 * bodies reuse the console's schemas from lib/validations. Every response schema is registered in
 * `apiComponents` under the name it has in the OpenAPI document.
 */

export const apiComponents = z.registry<{ id: string }>();

function named<T extends z.ZodType>(id: string, schema: T): T {
  apiComponents.add(schema, { id });
  return schema;
}

const dateTime = z.iso.datetime();
const nullableDateTime = dateTime.nullable();

/** A comma-separated list of allowed values, e.g. `FAILED,WARNING`. */
function csvList<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .describe(`Comma-separated, any of: ${values.join(", ")}`)
    .transform((v) => [
      ...new Set(
        v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.enum(values)));
}

const page = z.coerce.number().int().min(1).max(1_000_000).default(1).describe("1-based page number.");
const pageSize = z.coerce.number().int().min(1).max(200).default(50).describe("Items per page, at most 200.");

// ---- Path parameters ----

export const tenantPathSchema = z.strictObject({
  id: z.string().min(1).max(64).describe("The tenant's internal id or its customer id."),
});

export const runPathSchema = z.strictObject({
  id: z.string().min(1).max(64).describe("The verification run's id."),
});

// ---- Query parameters ----

export const tenantListQuerySchema = z.strictObject({
  status: csvList(verificationStatuses).optional(),
  method: csvList(methodIds).optional(),
  cloud: csvList(clouds).optional(),
  q: z.string().trim().min(1).max(200).optional().describe("Text searched in customer id, name, admin email and domain."),
  reason: csvList(reasonCodes as unknown as [string, ...string[]])
    .optional()
    .describe("Comma-separated reason codes of the last verification (a failure group's `filter.reason`)."),
  app: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional()
    .describe("The app registration the tenants use: an app registration's id, `default` (their cloud's default) or `own` (the customer's own)."),
  sort: z
    .enum(tenantSortColumns)
    .default("customerId")
    .describe(
      "`attention`: failed first, then warnings, then not verified, then verified, each by soonest `accessBreaksAt`; `lastStatus` sorts by severity. Empty dates sort last.",
    ),
  order: z.enum(["asc", "desc"]).default("asc"),
  page,
  pageSize,
});

export const runResultsQuerySchema = z.strictObject({
  status: csvList(resultStatuses).optional(),
  page,
  pageSize,
});

export const auditQuerySchema = z
  .strictObject({
    actor: z.string().min(1).max(320).optional().describe("Exact actor label: an admin's email, an API token's name, an Entra client's name."),
    actorType: z.enum(["admin", "anonymous", "system", "api_token", "entra_client"]).optional(),
    action: csvList(auditActions).optional(),
    targetType: z.string().min(1).max(64).optional(),
    targetId: z.string().min(1).max(128).optional(),
    requestId: z.string().min(1).max(128).optional(),
    from: dateTime.optional().describe("Events at or after this time (ISO 8601, UTC)."),
    to: dateTime.optional().describe("Events before this time (ISO 8601, UTC)."),
    page,
    pageSize,
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ["to"], message: "Must be later than from." });

export const tenantUsersQuerySchema = z.strictObject({
  q: z.string().trim().min(1).max(200).optional().describe("Text searched in user principal name, display name and mail (case-insensitive)."),
  page,
  pageSize,
});

// ---- Request bodies ----

/** Creating a tenant: the console's form schema, refusing unknown fields. */
export const tenantCreateSchema = tenantInputSchema.strict();

/** A partial update: any of the create fields; the rest keep their values. */
export const tenantPatchSchema = tenantInputSchema
  .partial()
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "Send at least one field to change." });

export const consentLinkCreateSchema = z.strictObject({
  expiresInDays: consentLinkDaysSchema.optional().describe(`Days the link stays valid; default and maximum ${env.CONSENT_LINK_DAYS}.`),
});

export const runCreateSchema = z.strictObject({
  tenantIds: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(100_000)
    .optional()
    .describe("Internal ids or customer ids; omit to verify every tenant. Ignored when the call joins a run that is already active."),
});

// ---- Responses ----

export const tenantSchema = named(
  "Tenant",
  z.object({
    id: z.string(),
    customerId: z.string(),
    displayName: z.string(),
    entraTenantId: z.string().nullable(),
    primaryDomain: z.string().nullable(),
    adminEmail: z.string(),
    authMethod: z.enum(methodIds).describe(methods.map((m) => `${m.id}: ${m.description}`).join(" ")),
    cloud: z.enum(clouds),
    lastVerifiedAt: nullableDateTime,
    lastStatus: z.enum(verificationStatuses),
    lastStatusCode: z.string().nullable(),
    lastStatusMessage: z.string().nullable(),
    accessBreaksAt: nullableDateTime.describe(
      "Earliest known moment access breaks: the credential's or certificate's expiry (read from Graph), or the refresh token's inactivity deadline. Null for a broken (FAILED) tenant, when the deadline is unknown or already past, or more than 10 years away.",
    ),
    version: z.number().int().describe("Optimistic-concurrency version; also the ETag of GET /tenants/{id}."),
    authorization: z
      .enum(authorizationStates)
      .describe(
        "Source 002's authorization status: NOT_AUTHORIZED (the console holds nothing to sign in with: no password, token, consent or app credential), AUTHORIZED (it holds one and the last verification did not fail), BROKEN (Microsoft rejected it: lastStatusCode says why).",
      ),
  }),
);

export const tenantPageSchema = named(
  "TenantPage",
  z.object({ items: z.array(tenantSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
);

export const failureGroupSchema = named(
  "FailureGroup",
  z.object({
    key: z.string().describe("Identifies the group among today's groups: reason, method, cloud and app registration."),
    count: z.number().int().describe("Failed tenants with this cause."),
    reasonCode: z.string(),
    reason: z.string().describe("The reason's title."),
    method: z.enum(methodIds),
    cloud: z.enum(clouds),
    registration: z.object({
      value: z.string().describe("The `app` filter value."),
      kind: z.enum(["chosen", "default", "own"]),
      id: z.string().nullable().describe("The MSP app registration the tenants use; null for the customer's own or none."),
      name: z.string(),
    }),
    fix: z.object({
      kind: z.enum(["apply_credential", "consent_links", "switch_method", "verify", "review"]),
      label: z.string().describe("The one bulk action that fixes the group."),
      action: z.enum(remediationActions),
      text: z.string().describe("What to do, for the group's method."),
    }),
    filter: z
      .object({
        status: z.tuple([z.literal("FAILED")]),
        reason: z.tuple([z.string()]),
        method: z.tuple([z.enum(methodIds)]),
        cloud: z.tuple([z.enum(clouds)]),
        app: z.string(),
      })
      .describe("GET /tenants with these parameters (lists joined by commas) lists the group's tenants."),
  }),
);

export const failureGroupListSchema = named(
  "FailureGroupList",
  z.object({ failed: z.number().int().describe("Failed tenants in all groups."), groups: z.array(failureGroupSchema).describe("Largest first.") }),
);

const outcome = verificationOutcomeSchema.shape;
const details = outcomeDetailsSchema.shape;

/**
 * A verification outcome (lib/verification/outcome.ts) as the API sends it: the details flattened beside
 * the status, dates as ISO strings, and reason codes, warnings and actions as open strings, so a client
 * written today keeps parsing results after the console learns a new reason.
 */
export const verificationResultSchema = named(
  "VerificationResult",
  z.object({
    tenantId: outcome.tenantId,
    customerId: z.string(),
    runId: z.string().nullable(),
    status: outcome.status,
    reasonCode: z.string().describe(`A closed set of reasons; today: ${reasonCodes.join(", ")}.`),
    message: outcome.message.describe("The reason's title, with specifics."),
    explanation: details.explanation,
    remediation: details.remediation.extend({ action: z.string().describe(`One of: ${remediationActions.join(", ")}.`) }),
    warnings: z.array(z.string()),
    notes: details.notes,
    diagnostics: diagnosticsSchema.nullable(),
    permissions: details.permissions.unwrap().nullable(),
    timings: details.timings,
    accessBreaksAt: nullableDateTime,
    startedAt: dateTime,
    finishedAt: dateTime,
    durationMs: outcome.durationMs,
  }),
);

export const credentialSchema = named(
  "CredentialMetadata",
  z.object({
    id: z.string(),
    kind: z.enum(credentialKinds),
    label: z.string().nullable(),
    hint: z.string().nullable(),
    expiresAt: nullableDateTime,
    updatedAt: dateTime,
  }),
);

export const tenantDetailSchema = named(
  "TenantDetail",
  tenantSchema.extend({
    appClientId: z.string().nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
    credentials: z.array(credentialSchema).describe("Stored credentials as metadata only: secrets never leave the console."),
    lastVerification: verificationResultSchema.nullable(),
  }),
);

/** How a credential's expiry was last read from Graph (lib/provider/expiry.ts). */
const expiryCheckSchema = z
  .enum(["read", "forbidden", "not_found", "no_match", "failed", "no_home_tenant"])
  .nullable()
  .describe(
    "How the secret's or certificate's expiry was last read from Microsoft Graph (passwordCredentials/keyCredentials endDateTime): read; forbidden (the app may not read its own registration: expiry unknown); not_found; no_match (no credential with the stored hint or thumbprint); failed; no_home_tenant. Null: never read.",
  );

export const tenantAppRegistrationSchema = named(
  "TenantAppRegistration",
  z.object({
    clientId: z.string().nullable().describe("The customer-owned app registration's client id; null when the tenant uses an MSP app registration."),
    entraTenantId: z.string().nullable(),
    environment: z.enum(clouds).describe("Source 004's Environment Type as the tenant's cloud: GLOBAL (Azure Public Cloud) or USGOV (Azure US Government)."),
    hasSecret: z.boolean().describe("The client secret itself is write-only."),
    secretHint: z.string().nullable().describe("The secret's first three characters, as Entra shows them."),
    secretExpiresAt: nullableDateTime,
    hasCertificate: z.boolean(),
    certificateThumbprint: z.string().nullable(),
    certificateExpiresAt: nullableDateTime,
    expiryCheck: expiryCheckSchema,
  }),
);

export const tenantAppRegistrationSavedSchema = named(
  "TenantAppRegistrationSaved",
  tenantAppRegistrationSchema.extend({
    changedFields: z.array(z.string()),
    verification: z.object({ status: z.string(), reasonCode: z.string(), message: z.string() }).describe("The verification run right after saving."),
  }),
);

export const tenantAppRegistrationBodySchema = named(
  "TenantAppRegistrationInput",
  ownAppSchema.extend({
    certificatePem: z
      .string()
      .max(64 * 1024)
      .optional()
      .describe("Write-only: a PEM with the private key and the certificate, instead of a client secret (a .cer without its private key is refused)."),
  }),
);

export const consentLinkSchema = named(
  "ConsentLink",
  z.object({
    url: z.url().describe("Send this to the customer's administrator. Shown once: only its hash is stored."),
    expiresAt: dateTime,
    flow: z.enum(["ADMIN_CONSENT", "AUTH_CODE"]),
  }),
);

export const consentLinkMetadataSchema = named(
  "ConsentLinkMetadata",
  z.object({
    id: z.string(),
    flow: z.enum(["ADMIN_CONSENT", "AUTH_CODE"]),
    createdAt: dateTime,
    createdBy: z.string(),
    expiresAt: dateTime,
    lastUsedAt: nullableDateTime.describe("When the customer last opened the link."),
  }),
);

export const runProgressSchema = named(
  "VerificationRun",
  z.object({
    id: z.string(),
    status: z.enum(["RUNNING", "COMPLETED", "CANCELLED", "FAILED"]),
    trigger: z.string(),
    requestedBy: z.string(),
    concurrency: z.number().int(),
    total: z.number().int(),
    done: z.number().int(),
    verified: z.number().int(),
    warnings: z.number().int(),
    failed: z.number().int(),
    remaining: z.number().int(),
    ratePerSecond: z.number(),
    etaSeconds: z.number().nullable(),
    inFlight: z.number().int(),
    recentFailures: z.array(
      z.object({ tenantId: z.string(), customerId: z.string(), displayName: z.string(), reasonCode: z.string(), message: z.string(), finishedAt: dateTime }),
    ),
    summary: z
      .object({
        verified: z.number().int().describe("Working (Verified or Warning) and not Failed before the run."),
        recovered: z.number().int().describe("Failed before the run, working now."),
        newlyFailed: z.number().int().describe("Failed now, not Failed before the run."),
        stillFailing: z.number().int().describe("Failed before the run and still."),
        blocked: z.number().int().describe("Not checked: Microsoft rejected the app registration's own credential for another tenant of the run."),
        retrying: z.number().int().describe("The check failed but the status was kept: a transient failure, or a consent still being confirmed."),
      })
      .describe("What the run did to the tenants' statuses; the counts add up to `done`."),
    startedAt: dateTime,
    finishedAt: nullableDateTime,
  }),
);

export const runStartedSchema = named(
  "VerificationRunStarted",
  runProgressSchema.extend({ joined: z.boolean().describe("True when a run was already active and this call joined it instead of starting one.") }),
);

export const runCancelledSchema = named(
  "VerificationRunCancelled",
  z.object({ cancelled: z.boolean().describe("False when the run had already ended."), run: runProgressSchema }),
);

export const runResultPageSchema = named(
  "VerificationResultPage",
  z.object({ items: z.array(verificationResultSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
);

export const userSyncStateSchema = named(
  "UserSyncState",
  z.object({
    status: z.enum(["NEVER", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]).describe("The last sync's outcome, or RUNNING while one runs."),
    userCount: z.number().int().describe("Users in the list after the last completed sync."),
    lastSyncAt: nullableDateTime.describe("When the last sync completed successfully."),
    lastSyncMode: z.enum(["full", "delta"]).nullable().describe("full: every user was read; delta: only the changes since the sync before."),
    reasonCode: z.string().nullable().describe("Why the last sync failed (the verification's reason codes)."),
    message: z.string().nullable(),
    runId: z.string().nullable().describe("The job run syncing the tenant now."),
    startedAt: nullableDateTime,
    finishedAt: nullableDateTime,
    progressUsers: z.number().int().describe("Users (for a delta: changes) read by the sync in progress, or by the last one."),
    progressPages: z.number().int().describe("Graph pages read by the sync in progress, or by the last one."),
  }),
);

export const tenantUserSchema = named(
  "TenantUser",
  z.object({
    id: z.string().describe("The user's Graph object id."),
    userPrincipalName: z.string(),
    displayName: z.string().nullable(),
    mail: z.string().nullable(),
    accountEnabled: z.boolean().nullable(),
    userType: z.string().nullable().describe("Member or Guest."),
  }),
);

export const tenantUserPageSchema = named(
  "TenantUserPage",
  z.object({
    items: z.array(tenantUserSchema),
    total: z.number().int().describe("Users matching the search."),
    page: z.number().int(),
    pageSize: z.number().int(),
    sync: userSyncStateSchema,
  }),
);

export const userSyncStartedSchema = named(
  "UserSyncStarted",
  z.object({
    runId: z.string().describe("The job run of the sync."),
    joined: z.boolean().describe("True when the tenant's sync was already running and this call joined it."),
    state: userSyncStateSchema,
  }),
);

export const userSyncCancelledSchema = named(
  "UserSyncCancelled",
  z.object({ cancelled: z.boolean().describe("False when no sync of the tenant was running."), state: userSyncStateSchema }),
);

export const providerSettingsViewSchema = named(
  "ProviderSettings",
  z.object({
    id: z.string().describe("The registration's id; \"provider\" is the default registration (source 003's form)."),
    name: z.string(),
    isDefault: z.boolean().describe("Whether tenants of its cloud use it unless they chose another registration."),
    configured: z.boolean(),
    clientId: z.string(),
    hasSecret: z.boolean().describe("The client secret itself is write-only."),
    secretHint: z.string().nullable().describe("The secret's first three characters, as Entra shows them."),
    secretExpiresAt: nullableDateTime,
    hasCertificate: z.boolean(),
    certificateThumbprint: z.string().nullable(),
    certificateExpiresAt: nullableDateTime,
    redirectUrl: z.string(),
    defaultRedirectUrl: z.string(),
    cloud: z.enum(clouds),
    customAuthorityHost: z.string(),
    customGraphHost: z.string(),
    customGraphResource: z.string(),
    tokenVersion: z.enum(["v1", "v2"]).describe("v2: tokens from /oauth2/v2.0/token with scopes; v1: from /oauth2/token with `resource` (required)."),
    resource: z.string(),
    scopes: z.string().describe("Space-separated delegated scopes."),
    requiredAppPermissions: z.string().describe("Space-separated application permissions every tenant must grant."),
    requestOfflineAccess: z.boolean(),
    loginParameters: z.string().describe("Extra sign-in request parameters, one name=value per line (response_type is always code)."),
    loginUrl: z.string().nullable().describe("The authorization endpoint; {tenant} stands for the customer's tenant."),
    tokenUrl: z.string().nullable().describe("The token endpoint; {tenant} stands for the customer's tenant."),
    homeTenantId: z.string(),
    expiryCheck: expiryCheckSchema,
    expiryCheckedAt: nullableDateTime.describe("When the credentials' expiry was last read from Graph."),
    version: z.number().int().describe("Also the ETag; send it back in If-Match."),
    updatedAt: nullableDateTime,
  }),
);

export const providerSettingsSavedSchema = named("ProviderSettingsSaved", providerSettingsViewSchema.extend({ changedFields: z.array(z.string()) }));

export const auditEventSchema = named(
  "AuditEvent",
  z.object({
    id: z.string(),
    at: dateTime,
    action: z.string(),
    actorType: z.string(),
    actorLabel: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    requestId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  }),
);

export const auditPageSchema = named(
  "AuditEventPage",
  z.object({ items: z.array(auditEventSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
);

export const problemComponent = named("Problem", problemSchema);

/** The OpenAPI document is JSON too; described as an object rather than re-stating OpenAPI's schema. */
export const openApiDocumentSchema = named("OpenApiDocument", z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }));
