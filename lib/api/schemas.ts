import { z } from "zod";
import { campaignInputSchema } from "@/lib/validations/campaign";
import { declineReasons, invitationStates } from "@/lib/campaigns/states";
import { auditActions } from "@/lib/audit";
import { env } from "@/lib/env";
import { reasonCodes, remediationActions } from "@/lib/entra/reasons";
import { ownAppSchema } from "@/lib/validations/own-app";
import { authorizationStates, credentialKinds, methodIds, methods } from "@/lib/methods";
import { clouds, tenantInputSchema, tenantSortColumns, verificationStatuses } from "@/lib/validations/tenant";
import { diagnosticsSchema, outcomeDetailsSchema, resultStatuses, verificationOutcomeSchema } from "@/lib/verification/outcome";
import { consentLinkDaysSchema } from "@/lib/validations/consent";
import { problemSchema } from "@/lib/http/problem";
import { channelKinds } from "@/lib/notify/channels/config";
import { eventTypeInfo, eventTypes, incidentStates, severities } from "@/lib/notify/events";
import { alertRuleInputSchema } from "@/lib/validations/alert-rule";
import { channelCreateSchema, channelPatchSchema } from "@/lib/validations/channel";
import { tagColors } from "@/lib/tags/palette";
import { tagColorSchema, tagNameSchema } from "@/lib/tags/validation";

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

// ---- Tags (lib/tags) ----

const tagIdList = z
  .string()
  .transform((v) => [
    ...new Set(
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ])
  .pipe(
    z
      .array(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "Not a tag id."))
      .min(1)
      .max(20),
  );

export const tagPathSchema = z.strictObject({ id: z.string().min(1).max(64).describe("The tag's id.") });

export const tagSchema = named("Tag", z.object({ id: z.string(), name: z.string(), color: z.enum(tagColors).describe("A colour of the console's palette.") }));

export const tagWithCountSchema = named("TagWithTenants", tagSchema.extend({ tenants: z.number().int().describe("Tenants that have the tag.") }));

export const tagListSchema = named("TagList", z.object({ items: z.array(tagWithCountSchema).describe("By name, case ignored.") }));

export const tagCreateBodySchema = z.strictObject({
  name: tagNameSchema.describe("1–40 characters, no semicolon; unique, case ignored."),
  color: tagColorSchema.optional().describe("Default `slate`."),
});

export const tagPatchBodySchema = z
  .strictObject({ name: tagNameSchema.optional(), color: tagColorSchema.optional() })
  .refine((v) => v.name !== undefined || v.color !== undefined, { message: "Send name, color or both." });

export const tenantTagsBodySchema = z.strictObject({
  tagIds: z.array(z.string().min(1).max(64)).max(100).describe("The tenant's tags after the call: every tag id it should have, none to clear them."),
});

export const tagAssignBodySchema = z.strictObject({
  tenantIds: z.array(z.string().min(1).max(64)).min(1).max(10_000).describe("Internal ids or customer ids."),
});

export const tagAssignedSchema = named(
  "TagAssignment",
  z.object({ tag: tagSchema, tenants: z.number().int().describe("Tenants named."), changed: z.number().int().describe("Tenants whose tags changed.") }),
);

export const tenantTagsSchema = named("TenantTags", z.object({ tags: z.array(tagSchema).describe("By name.") }));

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
  tag: tagIdList.optional().describe("Comma-separated tag ids: tenants with any of these tags."),
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
    tags: z.array(tagSchema).describe("The tenant's tags, by name."),
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
    standbyCertificate: z
      .object({ thumbprint: z.string(), expiresAt: nullableDateTime, retiredAt: nullableDateTime })
      .nullable()
      .describe(
        "Certificate overlap: a second certificate kept beside the one in use, never used to sign. `retiredAt` null: a new one waiting for the switch; set: the one it replaced.",
      ),
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

// ---- Client-secret rotation (lib/provider/rotation.ts) ----

export const appRegistrationPathSchema = z.strictObject({
  id: z.string().min(1).max(64).describe("The app registration's id (`provider` for the default one)."),
});
export const rotationPathSchema = appRegistrationPathSchema.extend({ rotationId: z.string().min(1).max(64).describe("The rotation's id.") });

export const rotationStartBodySchema = z
  .discriminatedUnion("mode", [
    z.strictObject({ mode: z.literal("graph").describe("Create the new secret through Microsoft Graph (addPassword; needs Application.ReadWrite.OwnedBy).") }),
    z.strictObject({
      mode: z.literal("pasted").describe("Use a secret created by an administrator in the Entra admin center."),
      secret: z.string().min(1).max(1024).describe("The new secret's Value (write-only; never returned)."),
    }),
    z.strictObject({
      mode: z
        .literal("certificate")
        .describe(
          "Switch a certificate registration to its standby certificate (uploaded under Certificate rollover and to the app in Entra), after the same checks.",
        ),
    }),
  ])
  .describe("How the new secret comes about.");

export const secretRotationSchema = named(
  "SecretRotation",
  z.object({
    id: z.string(),
    appRegistrationId: z.string(),
    mode: z.enum(["graph", "pasted", "certificate"]),
    state: z
      .enum(["accepting", "canary", "grace", "completed", "rolled_back", "failed"])
      .describe(
        "accepting: waiting until Microsoft accepts the new secret; canary: verifying tenants with it; grace: switched, the old secret is kept until the grace period ends; then completed. rolled_back: a check failed and the old secret stays; failed: stopped (the registration changed or was deleted).",
      ),
    trigger: z.string(),
    requestedBy: z.string(),
    newHint: z
      .string()
      .nullable()
      .describe("The new secret's first three characters, as Entra shows them (a certificate: the first eight of its SHA-1 thumbprint)."),
    oldHint: z.string().nullable(),
    newExpiresAt: nullableDateTime,
    startedAt: dateTime,
    finishedAt: nullableDateTime,
    nextStepAt: nullableDateTime,
    graceUntil: nullableDateTime,
    error: z.string().nullable(),
    timeline: z.array(z.object({ at: dateTime, step: z.string(), outcome: z.enum(["ok", "waiting", "failed", "info"]), message: z.string() })),
  }),
);

export const rotationListQuerySchema = z.strictObject({ page, pageSize });

export const secretRotationPageSchema = named(
  "SecretRotationPage",
  z.object({ items: z.array(secretRotationSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
);

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

// ---- Notification channels (Settings → Channels) ----

export const channelPathSchema = z.strictObject({ id: z.string().min(1).max(64).describe("The channel's id.") });

export const channelDeliveriesQuerySchema = z.strictObject({ page, pageSize });

export const channelCreateBodySchema = channelCreateSchema;
export const channelPatchBodySchema = channelPatchSchema.describe(
  "Any of the kind's fields (as on creation); `kind` cannot change. A write-only field (`password`, a Teams `url`) sent empty or left out keeps the stored secret.",
);

export const channelSchema = named(
  "Channel",
  z.object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(channelKinds),
    label: z.string().describe("The kind as the console names it."),
    enabled: z.boolean(),
    config: z
      .record(z.string(), z.unknown())
      .describe(
        "The kind's settings, never a secret. SMTP: host, port, security (tls, starttls, none), user, from, to. GRAPH_MAIL: appRegistrationId, mailbox, to. TEAMS: none (the workflow URL is a secret). WEBHOOK: url.",
      ),
    secretHint: z
      .string()
      .nullable()
      .describe(
        "What may be shown of the write-only secrets: `password set`, `workflow on <host>`, `1 signing secret`, `2 signing secrets (rotation in progress)`.",
      ),
    rotating: z.boolean().describe("A webhook signing with two secrets until its rotation is finished."),
    version: z.number().int().describe("Also the ETag; send it back in If-Match."),
    createdAt: dateTime,
    updatedAt: dateTime,
    lastDelivery: z
      .object({ at: dateTime, outcome: z.string(), responseCode: z.number().int().nullable() })
      .nullable()
      .optional()
      .describe("The newest delivery attempt (in lists)."),
  }),
);

export const channelListSchema = named("ChannelList", z.object({ items: z.array(channelSchema) }));

export const channelCreatedSchema = named(
  "ChannelCreated",
  channelSchema.extend({
    signingSecret: z
      .string()
      .nullable()
      .describe("A webhook's new signing secret (`whsec_…`): shown only in this answer; configure the receiver with it. Null for other kinds."),
  }),
);

export const channelTestResultSchema = named(
  "ChannelTestResult",
  z.object({
    ok: z.boolean(),
    responseCode: z.number().int().nullable().describe("HTTP status or SMTP reply code, when the receiver answered."),
    durationMs: z.number().int(),
    error: z.string().nullable(),
    at: dateTime,
  }),
);

export const deliveryAttemptSchema = named(
  "DeliveryAttempt",
  z.object({
    id: z.string(),
    at: dateTime,
    outcome: z.enum(["delivered", "retry", "failed", "test_ok", "test_failed"]).describe("retry: failed, will be tried again; failed: given up."),
    notificationId: z.string().nullable().describe("Null for a Test."),
    attempt: z.number().int().describe("1 for the first attempt of a notification."),
    responseCode: z.number().int().nullable(),
    durationMs: z.number().int(),
    error: z.string().nullable(),
  }),
);

export const deliveryAttemptPageSchema = named(
  "DeliveryAttemptPage",
  z.object({ items: z.array(deliveryAttemptSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
);

const webhookData = z
  .looseObject({
    title: z.string().describe("One line: the email subject, the card's title."),
    severity: z.enum(severities),
    text: z.string().describe("Plain text, several lines."),
    link: z.string().nullable().describe("The console's page about it."),
  })
  .describe("The event's own fields (tenant, incident, run… ids and names) and the rendered message.");

/**
 * The body of every webhook delivery (lib/notify/channels/webhook.ts), one variant per event type. Headers:
 * `webhook-id` (stable across retries), `webhook-timestamp`, `webhook-signature` (Standard Webhooks).
 */
export const webhookEventSchema = named(
  "WebhookEvent",
  z
    .discriminatedUnion("type", [
      ...eventTypes.map((t) =>
        z.object({ type: z.literal(t).describe(`${eventTypeInfo[t].label}: ${eventTypeInfo[t].description}`), timestamp: dateTime, data: webhookData }),
      ),
      z.object({
        type: z.literal("digest").describe("Several events at once: quiet hours ended, or the daily digest."),
        timestamp: dateTime,
        data: webhookData,
      }),
      z.object({ type: z.literal("test").describe("Sent by a channel's Test button."), timestamp: dateTime, data: webhookData }),
    ] as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]])
    .describe(
      "What a webhook channel POSTs, signed per Standard Webhooks (https://www.standardwebhooks.com/): headers `webhook-id` (the notification's id, the same on every retry), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `<id>.<timestamp>.<body>` with the base64 key after `whsec_`; during a rotation two signatures, space-separated). Verify with any Standard Webhooks library and reject timestamps older than five minutes.",
    ),
);
// ---- Incidents and alert rules (lib/notify) ----

export const incidentPathSchema = z.strictObject({ id: z.string().min(1).max(64).describe("The incident's id.") });
export const alertRulePathSchema = z.strictObject({ id: z.string().min(1).max(64).describe("The alert rule's id.") });

export const incidentListQuerySchema = z.strictObject({
  state: csvList(incidentStates).optional().describe("Comma-separated, any of: open, acknowledged, resolved. Default: all."),
  tag: z.string().min(1).max(64).optional().describe("Only tenants with this tag (its id)."),
  reason: z.string().min(1).max(64).optional().describe("Only incidents opened with this reason code."),
  tenant: z.string().min(1).max(64).optional().describe("Only this tenant's incidents (internal id)."),
  page,
  pageSize,
});

const tagRefSchema = z.object({ id: z.string(), name: z.string(), color: z.string() });

export const incidentSchema = named(
  "Incident",
  z.object({
    id: z.string(),
    tenantId: z.string(),
    customerId: z.string(),
    tenantName: z.string(),
    state: z.enum(incidentStates).describe("open: access lost, nobody acknowledged; acknowledged: someone is on it; resolved: the tenant verified again."),
    reasonCode: z.string().describe("The reason the tenant failed when the incident opened."),
    reasonTitle: z.string(),
    reasonMessage: z.string().nullable(),
    openedAt: dateTime,
    acknowledgedAt: nullableDateTime,
    acknowledgedBy: z.string().nullable(),
    resolvedAt: nullableDateTime.describe("When the tenant verified again."),
    durationSeconds: z.number().int().describe("Opened to resolved; for an open incident, so far."),
    tags: z.array(tagRefSchema),
  }),
);

export const incidentStatsSchema = named(
  "IncidentStats",
  z.object({
    open: z.number().int(),
    acknowledged: z.number().int(),
    resolved: z.number().int(),
    meanSecondsToResolve: z.number().int().nullable(),
    medianSecondsToResolve: z.number().int().nullable(),
  }),
);

export const incidentPageSchema = named(
  "IncidentPage",
  z.object({ items: z.array(incidentSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), stats: incidentStatsSchema }),
);

export const alertRuleBodySchema = named("AlertRuleInput", alertRuleInputSchema);

export const alertRuleSchema = named(
  "AlertRule",
  z.object({
    id: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    events: z.array(z.string()).describe(`Event types; empty: every type. Today: ${eventTypes.join(", ")}.`),
    minSeverity: z.enum(severities),
    expiringWithinDays: z.number().int(),
    quietStart: z.string().nullable(),
    quietEnd: z.string().nullable(),
    digestAt: z.string().nullable(),
    timeZone: z.string(),
    channels: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })),
    tags: z.array(tagRefSchema),
    version: z.number().int(),
  }),
);

export const alertRuleListSchema = named("AlertRuleList", z.object({ items: z.array(alertRuleSchema) }));

// ---- Consent campaigns (lib/campaigns) ----

export const campaignCreateBodySchema = named("ConsentCampaignInput", campaignInputSchema);
export const campaignPathSchema = z.strictObject({ id: z.string().min(1).max(64).describe("The campaign's id.") });
export const invitationPathSchema = z.strictObject({ id: z.string().min(1).max(64).describe("The invitation's id.") });
export const campaignListQuerySchema = z.strictObject({ page, pageSize });
export const invitationListQuerySchema = z.strictObject({
  state: csvList(invitationStates)
    .optional()
    .describe(`Comma-separated, any of: ${invitationStates.join(", ")}. Default: all.`),
  page,
  pageSize,
});

const exportedLinkSchema = z.object({
  customerId: z.string(),
  adminEmail: z.string(),
  url: z.url().describe("Send this to the customer's administrator. Shown once: the console keeps it only encrypted, for reminders."),
  expiresAt: dateTime,
});

export const campaignCreatedSchema = named(
  "ConsentCampaignCreated",
  z.object({
    id: z.string(),
    name: z.string(),
    delivery: z.enum(["email", "export"]),
    invitations: z.number().int(),
    links: z.array(exportedLinkSchema).nullable().describe("export: every tenant's link, returned this once; email: null."),
    refused: z.array(z.object({ customerId: z.string(), error: z.string() })).describe("Tenants whose consent link could not be created, and why."),
  }),
);

const campaignSummarySchema = z.object({
  invited: z.number().int(),
  pending: z.number().int().describe("Queued or sent, not opened yet."),
  opened: z.number().int().describe("Opened, at Microsoft, consented or confirming."),
  verified: z.number().int(),
  failed: z.number().int().describe("Delivery failed or declined."),
  closed: z.number().int().describe("Expired or revoked."),
  byState: z.record(z.enum(invitationStates), z.number().int()),
});

export const campaignSchema = named(
  "ConsentCampaign",
  z.object({
    id: z.string(),
    name: z.string(),
    delivery: z.enum(["email", "export"]),
    channelId: z.string().nullable(),
    channelName: z.string().nullable(),
    reminderDays: z.array(z.number().int()),
    linkDays: z.number().int(),
    createdBy: z.string(),
    createdAt: dateTime,
    summary: campaignSummarySchema,
  }),
);

export const campaignPageSchema = named(
  "ConsentCampaignPage",
  z.object({ items: z.array(campaignSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
);

export const invitationSchema = named(
  "Invitation",
  z.object({
    id: z.string(),
    campaignId: z.string(),
    tenantId: z.string(),
    customerId: z.string(),
    tenantName: z.string(),
    email: z.string(),
    state: z.enum(invitationStates),
    sentAt: nullableDateTime,
    deliveryFailedAt: nullableDateTime,
    openedAt: nullableDateTime,
    sentToMicrosoftAt: nullableDateTime,
    consentedAt: nullableDateTime,
    confirmingAt: nullableDateTime,
    verifiedAt: nullableDateTime,
    declinedAt: nullableDateTime,
    declineReason: z.enum(declineReasons).nullable(),
    declineDetail: z.string().nullable().describe("wrong_directory: the account or directory used; not_admin: the roles needed; failed: the reason."),
    expiredAt: nullableDateTime,
    revokedAt: nullableDateTime,
    closedAt: nullableDateTime,
    remindersSent: z.number().int(),
    nextReminderAt: nullableDateTime,
    lastError: z.string().nullable(),
    linkExpiresAt: dateTime,
  }),
);

export const invitationPageSchema = named(
  "InvitationPage",
  z.object({ items: z.array(invitationSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
);

export const invitationResentSchema = named(
  "InvitationResent",
  z.object({ state: z.enum(invitationStates), link: exportedLinkSchema.nullable().describe("export campaigns: the new link, returned this once.") }),
);
export const invitationRevokedSchema = named("InvitationRevoked", z.object({ state: z.enum(invitationStates) }));

// ---- Admins (lib/commands/admins.ts) ----

const adminRoleSchema = z.enum(["ADMINISTRATOR", "OPERATOR", "VIEWER"]);

export const adminPathSchema = z.strictObject({ id: z.string().min(1).max(64).describe("The admin's id.") });

export const adminSchema = named(
  "Admin",
  z.object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: adminRoleSchema.describe("An Entra admin's role follows their group mappings."),
    disabled: z.boolean(),
    source: z.enum(["local", "entra"]).describe("`local`: email and password; `entra`: signs in with Microsoft."),
    lastSignInAt: z.string().nullable(),
    oneTimeSignIn: z.boolean().describe("Holds a one-time password (added or reset): must choose their own at the next sign-in."),
    createdAt: z.string(),
  }),
);

export const adminListSchema = named("AdminList", z.object({ items: z.array(adminSchema).describe("By email.") }));

export const adminCreateBodySchema = z.strictObject({
  email: z.string().max(254).describe("Unique, case ignored."),
  name: z.string().max(200).optional(),
  role: adminRoleSchema,
});

export const adminPatchBodySchema = z
  .strictObject({ role: adminRoleSchema.optional(), name: z.string().max(200).optional(), disabled: z.boolean().optional() })
  .refine((v) => v.role !== undefined || v.name !== undefined || v.disabled !== undefined, { message: "Send role, name, disabled or several." });

const oneTimePasswordSchema = z.string().describe("Shown once: the console keeps only its hash. Hand it to the admin over a channel you trust.");

export const adminCreatedSchema = named("AdminCreated", adminSchema.extend({ oneTimePassword: oneTimePasswordSchema }));

export const adminPasswordResetSchema = named(
  "AdminPasswordReset",
  z.object({ id: z.string(), email: z.string(), oneTimePassword: oneTimePasswordSchema, sessionsEnded: z.number().int() }),
);

export const adminInvitationSchema = named(
  "AdminInvitation",
  z.object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: adminRoleSchema,
    state: z.enum(["pending", "accepted", "expired", "revoked"]),
    expiresAt: z.string(),
    acceptedAt: z.string().nullable(),
    createdAt: z.string(),
  }),
);

export const adminInvitationListSchema = named(
  "AdminInvitationList",
  z.object({ items: z.array(adminInvitationSchema).describe("Pending ones and those of the last 30 days, newest first.") }),
);

export const adminInvitationCreateBodySchema = z.strictObject({
  email: z.string().max(254).describe("Must not belong to an admin yet."),
  name: z.string().max(200).optional(),
  role: adminRoleSchema,
  channelId: z.string().max(64).describe("An enabled email channel (SMTP or Graph mail) of /channels."),
});

export const adminInvitationCreatedSchema = named("AdminInvitationSent", adminInvitationSchema.extend({ channel: z.string().describe("The channel's name.") }));

export const adminInvitationPathSchema = z.strictObject({ id: z.string().min(1).max(64).describe("The invitation's id.") });

export const adminSessionsRevokedSchema = named("AdminSessionsRevoked", z.object({ sessions: z.number().int().describe("Sessions that were still open.") }));

export const accessTokenRequestBodySchema = named(
  "AccessTokenRequest",
  z
    .strictObject({
      resource: z.string().max(300).optional().describe("The resource the token is for, e.g. `https://graph.microsoft.com` (asks for `<resource>/.default`)."),
      scopes: z
        .array(z.string().max(300))
        .min(1)
        .max(50)
        .optional()
        .describe("Or scopes of one resource, e.g. `https://graph.microsoft.com/User.Read.All` (delegated: auth-token tenants), or `<resource>/.default`."),
    })
    .describe("Exactly one of `resource` and `scopes`."),
);

export const accessTokenSchema = named(
  "AccessToken",
  z.object({
    tenantId: z.string(),
    customerId: z.string(),
    method: z
      .enum(["APP_REGISTRATION", "AUTH_TOKEN"])
      .describe("APP_REGISTRATION: client credentials (application permissions); AUTH_TOKEN: delegated, from the stored refresh token."),
    tokenType: z.literal("Bearer"),
    accessToken: z.string().describe("Send as `Authorization: Bearer <accessToken>` to the resource. Never a refresh token."),
    expiresOn: dateTime,
    expiresIn: z.number().int().describe("Seconds until `expiresOn`."),
    resource: z.string(),
    scopes: z.array(z.string()),
  }),
);
