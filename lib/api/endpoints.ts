import { cancelVerificationRunCommand, startVerificationRunCommand } from "@/lib/commands/runs";
import { applyProviderSettingsCommand } from "@/lib/commands/settings";
import {
  clearTenantOwnAppCommand,
  createConsentLinkCommand,
  createTenantCommand,
  deleteTenantCommand,
  setTenantOwnAppCommand,
  updateTenantCommand,
  verifyTenantCommand,
} from "@/lib/commands/tenants";
import { cancelUserSyncCommand, syncTenantUsersCommand } from "@/lib/commands/users";
import { providerSettingsSchema } from "@/lib/validations/provider";
import { defineEndpoint, type EndpointSpec } from "./endpoint";
import {
  auditPageSchema,
  auditQuerySchema,
  consentLinkCreateSchema,
  consentLinkMetadataSchema,
  consentLinkSchema,
  failureGroupListSchema,
  openApiDocumentSchema,
  providerSettingsSavedSchema,
  providerSettingsViewSchema,
  runCancelledSchema,
  runCreateSchema,
  runPathSchema,
  runProgressSchema,
  runResultPageSchema,
  runResultsQuerySchema,
  runStartedSchema,
  tenantAppRegistrationBodySchema,
  tenantAppRegistrationSavedSchema,
  tenantAppRegistrationSchema,
  tenantCreateSchema,
  tenantDetailSchema,
  tenantListQuerySchema,
  tenantPageSchema,
  tenantPatchSchema,
  tenantPathSchema,
  tenantUserPageSchema,
  tenantUsersQuerySchema,
  userSyncCancelledSchema,
  userSyncStartedSchema,
  verificationResultSchema,
} from "./schemas";

/**
 * The registry: every /api/v1 endpoint, once. Viewers read; an endpoint that runs a command takes the
 * command's minimum role (lib/commands), the same the console's server action over it has.
 */

const etag = { ETag: "The tenant's version, quoted. Send it back in If-Match." };

export const endpoints = {
  openApi: defineEndpoint({
    operationId: "getOpenApiDocument",
    method: "GET",
    path: "/openapi.json",
    tag: "Meta",
    summary: "This OpenAPI 3.1 document",
    description: "Public: no token needed.",
    role: null,
    responses: { 200: { description: "The document.", schema: openApiDocumentSchema } },
  }),

  listTenants: defineEndpoint({
    operationId: "listTenants",
    method: "GET",
    path: "/tenants",
    tag: "Tenants",
    summary: "List tenants",
    description: "Filtered, sorted and paged like the console's tenant table. `total` counts every tenant matching the filters.",
    role: "VIEWER",
    query: tenantListQuerySchema,
    responses: { 200: { description: "One page of tenants.", schema: tenantPageSchema } },
  }),

  listFailureGroups: defineEndpoint({
    operationId: "listFailureGroups",
    method: "GET",
    path: "/failure-groups",
    tag: "Tenants",
    summary: "Failed tenants grouped by cause",
    description:
      "Failed tenants grouped by reason × app registration × cloud (and method, whose fix differs), largest group first, each with the one bulk action that fixes it and the filter that lists its tenants.",
    role: "VIEWER",
    responses: { 200: { description: "The groups.", schema: failureGroupListSchema } },
  }),

  createTenant: defineEndpoint({
    operationId: "createTenant",
    method: "POST",
    path: "/tenants",
    tag: "Tenants",
    summary: "Add a tenant",
    description: "`tenantRef` is the Entra tenant id (GUID) or a verified domain of the tenant.",
    role: createTenantCommand.role,
    body: tenantCreateSchema,
    responses: {
      201: { description: "Created; Location names the new tenant.", schema: tenantDetailSchema, headers: { ...etag, Location: "The new tenant's URL." } },
    },
    problems: [422],
  }),

  getTenant: defineEndpoint({
    operationId: "getTenant",
    method: "GET",
    path: "/tenants/{id}",
    tag: "Tenants",
    summary: "Get a tenant",
    description: "With its stored credentials (metadata only) and its latest verification.",
    role: "VIEWER",
    params: tenantPathSchema,
    responses: { 200: { description: "The tenant.", schema: tenantDetailSchema, headers: etag } },
    problems: [404],
  }),

  updateTenant: defineEndpoint({
    operationId: "updateTenant",
    method: "PATCH",
    path: "/tenants/{id}",
    tag: "Tenants",
    summary: "Change a tenant",
    description:
      'Send only the fields to change. With `If-Match: "<version>"` the change applies only if nobody changed the tenant since that version; otherwise the answer is 409 and nothing changes.',
    role: updateTenantCommand.role,
    params: tenantPathSchema,
    body: tenantPatchSchema,
    ifMatch: true,
    responses: { 200: { description: "The changed tenant.", schema: tenantDetailSchema, headers: etag } },
    problems: [404, 409, 422],
  }),

  deleteTenant: defineEndpoint({
    operationId: "deleteTenant",
    method: "DELETE",
    path: "/tenants/{id}",
    tag: "Tenants",
    summary: "Delete a tenant",
    description: "Deletes the tenant with its stored credentials, results and consent links. Honours If-Match like PATCH.",
    role: deleteTenantCommand.role,
    params: tenantPathSchema,
    ifMatch: true,
    responses: { 204: { description: "Deleted." } },
    problems: [404, 409],
  }),

  verifyTenant: defineEndpoint({
    operationId: "verifyTenant",
    method: "POST",
    path: "/tenants/{id}/verify",
    tag: "Tenants",
    summary: "Verify a tenant now",
    description: "Acquires a fresh token the way the tenant's method works and answers with the result; the tenant's status is updated.",
    role: verifyTenantCommand.role,
    params: tenantPathSchema,
    responses: { 200: { description: "The verification result.", schema: verificationResultSchema } },
    problems: [404],
  }),

  getTenantAppRegistration: defineEndpoint({
    operationId: "getTenantAppRegistration",
    method: "GET",
    path: "/tenants/{id}/app-registration",
    tag: "Tenants",
    summary: "The tenant's customer-owned app registration",
    description: "Metadata only: whether a secret or certificate is stored, the secret's hint and expiry, the certificate's thumbprint. Never a secret.",
    role: "VIEWER",
    params: tenantPathSchema,
    responses: { 200: { description: "The customer-owned app registration.", schema: tenantAppRegistrationSchema } },
    problems: [404],
  }),

  putTenantAppRegistration: defineEndpoint({
    operationId: "putTenantAppRegistration",
    method: "PUT",
    path: "/tenants/{id}/app-registration",
    tag: "Tenants",
    summary: "Enter the customer-owned app registration",
    description:
      "Source 004's connector: Tenant ID, Client ID, Client Secret (its Value, not its ID) or a certificate PEM, and Environment Type. Write-only secrets: an empty `clientSecret` keeps the stored one. Switches the tenant to application registration and verifies it.",
    role: setTenantOwnAppCommand.role,
    params: tenantPathSchema,
    body: tenantAppRegistrationBodySchema,
    responses: { 200: { description: "The stored metadata, the changed fields and the verification.", schema: tenantAppRegistrationSavedSchema } },
    problems: [404, 422],
  }),

  deleteTenantAppRegistration: defineEndpoint({
    operationId: "deleteTenantAppRegistration",
    method: "DELETE",
    path: "/tenants/{id}/app-registration",
    tag: "Tenants",
    summary: "Stop using the customer-owned app registration",
    description: "Forgets its client id and its secret or certificate; the tenant uses the MSP's app registration again.",
    role: clearTenantOwnAppCommand.role,
    params: tenantPathSchema,
    responses: { 204: { description: "Removed." } },
    problems: [404],
  }),

  listTenantUsers: defineEndpoint({
    operationId: "listTenantUsers",
    method: "GET",
    path: "/tenants/{id}/users",
    tag: "Users",
    summary: "The tenant's synchronized users",
    description:
      "The lookup list of the tenant's users as of its last user sync (Graph id, UPN, display name, mail, accountEnabled, userType), by UPN, searched and paged, with the sync's state and progress.",
    role: "VIEWER",
    params: tenantPathSchema,
    query: tenantUsersQuerySchema,
    responses: { 200: { description: "One page of users and the sync state.", schema: tenantUserPageSchema } },
    problems: [404],
  }),

  syncTenantUsers: defineEndpoint({
    operationId: "syncTenantUsers",
    method: "POST",
    path: "/tenants/{id}/users/sync",
    tag: "Users",
    summary: "Synchronize the tenant's users",
    description:
      "Starts a user sync in the background: the first sync reads every user, later ones only the changes since (Graph delta query), falling back to a full read when Graph refuses the delta link. When the tenant's sync is already running this call joins it (`joined: true`). Follow it with GET /tenants/{id}/users (`sync`).",
    role: syncTenantUsersCommand.role,
    params: tenantPathSchema,
    responses: { 202: { description: "The sync (started or joined).", schema: userSyncStartedSchema } },
    problems: [404],
  }),

  cancelTenantUserSync: defineEndpoint({
    operationId: "cancelTenantUserSync",
    method: "POST",
    path: "/tenants/{id}/users/sync/cancel",
    tag: "Users",
    summary: "Cancel the tenant's user sync",
    description: "Users already written stay in the list; the next sync continues from the last completed one.",
    role: cancelUserSyncCommand.role,
    params: tenantPathSchema,
    responses: { 200: { description: "Whether a running sync was cancelled, and the sync state.", schema: userSyncCancelledSchema } },
    problems: [404],
  }),

  getConsentLink: defineEndpoint({
    operationId: "getConsentLink",
    method: "GET",
    path: "/tenants/{id}/consent-link",
    tag: "Consent links",
    summary: "The tenant's active consent link (metadata)",
    description:
      "The newest consent link that is neither expired, revoked nor used. Its URL cannot be returned: only the hash of a link's token is stored, and the URL is shown once when the link is created (POST). 404 when the tenant has no active link.",
    role: "VIEWER",
    params: tenantPathSchema,
    responses: { 200: { description: "The active link's metadata.", schema: consentLinkMetadataSchema } },
    problems: [404],
  }),

  createConsentLink: defineEndpoint({
    operationId: "createConsentLink",
    method: "POST",
    path: "/tenants/{id}/consent-link",
    tag: "Consent links",
    summary: "Create a consent link",
    description:
      "A new link for the tenant's administrator (admin consent for application registration, authorization code for an auth token). Earlier links stay valid until they expire or are revoked in the console. 409 when the provider app or the tenant is not ready for consent.",
    role: createConsentLinkCommand.role,
    params: tenantPathSchema,
    body: consentLinkCreateSchema,
    bodyOptional: true,
    responses: { 201: { description: "The link; its URL is shown only now.", schema: consentLinkSchema } },
    problems: [404, 409, 422],
  }),

  startRun: defineEndpoint({
    operationId: "startVerificationRun",
    method: "POST",
    path: "/verification-runs",
    tag: "Verification runs",
    summary: "Start Verify All",
    description:
      "Verifies every tenant, or the listed ones, in the background. Only one run is active at a time: when one is already running this call joins it (`joined: true`). Poll the run, or follow its events.",
    role: startVerificationRunCommand.role,
    body: runCreateSchema,
    bodyOptional: true,
    responses: { 202: { description: "The run (started or joined); Location names it.", schema: runStartedSchema, headers: { Location: "The run's URL." } } },
    problems: [422],
  }),

  getRun: defineEndpoint({
    operationId: "getVerificationRun",
    method: "GET",
    path: "/verification-runs/{id}",
    tag: "Verification runs",
    summary: "Progress and counts of a run",
    role: "VIEWER",
    params: runPathSchema,
    responses: { 200: { description: "The run.", schema: runProgressSchema } },
    problems: [404],
  }),

  runEvents: defineEndpoint({
    operationId: "streamVerificationRunEvents",
    method: "GET",
    path: "/verification-runs/{id}/events",
    tag: "Verification runs",
    summary: "Follow a run as server-sent events",
    description:
      "`event: progress` with a VerificationRun object as `data`, at least once a second while the run is active and once more when it ends; then the stream closes. Comment lines keep idle connections open.",
    role: "VIEWER",
    params: runPathSchema,
    responses: { 200: { description: "An event stream of VerificationRun objects.", contentType: "text/event-stream" } },
    problems: [404],
  }),

  cancelRun: defineEndpoint({
    operationId: "cancelVerificationRun",
    method: "POST",
    path: "/verification-runs/{id}/cancel",
    tag: "Verification runs",
    summary: "Cancel a run",
    description: "Tenants already verified keep their results. Cancelling a run that has ended changes nothing (`cancelled: false`).",
    role: cancelVerificationRunCommand.role,
    params: runPathSchema,
    responses: { 200: { description: "Whether this call cancelled the run, and the run.", schema: runCancelledSchema } },
    problems: [404],
  }),

  runResults: defineEndpoint({
    operationId: "listVerificationRunResults",
    method: "GET",
    path: "/verification-runs/{id}/results",
    tag: "Verification runs",
    summary: "Results of a run",
    description: "One result per tenant verified so far, by customer id.",
    role: "VIEWER",
    params: runPathSchema,
    query: runResultsQuerySchema,
    responses: { 200: { description: "One page of results.", schema: runResultPageSchema } },
    problems: [404],
  }),

  getProviderSettings: defineEndpoint({
    operationId: "getProviderSettings",
    method: "GET",
    path: "/settings/provider",
    tag: "Settings",
    summary: "The default app registration",
    description: "No secret values: whether a secret or certificate is set, the secret's hint and expiry.",
    role: "VIEWER",
    responses: { 200: { description: "The settings.", schema: providerSettingsViewSchema, headers: { ETag: "The settings' version, quoted." } } },
  }),

  putProviderSettings: defineEndpoint({
    operationId: "putProviderSettings",
    method: "PUT",
    path: "/settings/provider",
    tag: "Settings",
    summary: "Change the default app registration",
    description:
      "The default app registration (source 003's form), with the same fields and rules as Settings → App registrations. An empty or missing `clientSecret` keeps the stored secret. Certificates are uploaded in the console. With If-Match the change applies only to that version (409 otherwise).",
    role: applyProviderSettingsCommand.role,
    body: providerSettingsSchema,
    ifMatch: true,
    responses: {
      200: {
        description: "The saved settings and the names of the changed fields.",
        schema: providerSettingsSavedSchema,
        headers: { ETag: "The new version, quoted." },
      },
    },
    problems: [409, 422],
  }),

  listAudit: defineEndpoint({
    operationId: "listAuditEvents",
    method: "GET",
    path: "/audit",
    tag: "Audit",
    summary: "The audit log",
    description: "Newest first, filtered by actor, action, target and time range.",
    role: "VIEWER",
    query: auditQuerySchema,
    responses: { 200: { description: "One page of events.", schema: auditPageSchema } },
  }),
} satisfies Record<string, EndpointSpec>;

export type EndpointName = keyof typeof endpoints;

export const endpointList: EndpointSpec[] = Object.values(endpoints);
