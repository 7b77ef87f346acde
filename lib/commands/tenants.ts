import "server-only";
import { z } from "zod";
import { switchTargetIds, switchTargets } from "@/lib/methods";
import { createConsentLink, revokeConsentLinks } from "@/lib/consent/links";
import { latestVerification } from "@/lib/data/tenants";
import { CommandError, unwrap } from "@/lib/errors";
import { decodeImportFile, IMPORT_TOO_LARGE, MAX_IMPORT_BYTES } from "@/lib/tenants/csv";
import { refreshDelegatedToken, removeAuthorization, setLegacyPassword, switchAuthMethod } from "@/lib/tenants/lifecycle";
import { createTenant, deleteTenant, importTenants, previewTenantImport, updateTenant, type ImportPreview } from "@/lib/tenants/manage";
import { consentLinkDaysSchema } from "@/lib/validations/consent";
import { tenantInputSchema, tenantUpdateSchema } from "@/lib/validations/tenant";
import { testGraphConnection, TenantNotFoundError, verifyTenant } from "@/lib/verification";
import { chooseRegistration, clearOwnApp, setOwnApp } from "@/lib/tenants/own-app";
import { callPolicy } from "@/lib/entra/http";
import { refreshOwnAppExpiry } from "@/lib/provider/expiry";
import { ownAppSchema } from "@/lib/validations/own-app";
import { defineCommand, defineQuery } from "./command";
import { readCertificate, readCertificatePem } from "./settings";

/** Tenants: viewers read; operators verify and send consent links; administrators change tenants. */

const TENANT_GONE = "This tenant no longer exists.";
const tenantId = z.string().min(1, TENANT_GONE).max(64, TENANT_GONE);
const byId = z.object({ id: tenantId });
const version = z.number().int().min(1, "Reload the page and try again.");

/** The engine throws for a tenant deleted between the request and the check. */
async function ofExistingTenant<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof TenantNotFoundError) throw new CommandError("not-found", TENANT_GONE);
    throw e;
  }
}

export const createTenantCommand = defineCommand({
  name: "tenant.create",
  role: "ADMINISTRATOR",
  audit: "tenant.created",
  input: tenantInputSchema,
  run: async (ctx, input) => unwrap(await createTenant(input, ctx)),
});

export const updateTenantCommand = defineCommand({
  name: "tenant.update",
  role: "ADMINISTRATOR",
  audit: "tenant.updated",
  input: tenantUpdateSchema,
  run: async (ctx, input) => ({ id: input.id, ...unwrap(await updateTenant(input, ctx)) }),
});

export const deleteTenantCommand = defineCommand({
  name: "tenant.delete",
  role: "ADMINISTRATOR",
  audit: "tenant.deleted",
  // Without a version the tenant is deleted whatever its version (the REST API without If-Match).
  input: byId.extend({ version: version.optional() }),
  run: async (ctx, input) => unwrap(await deleteTenant(input, ctx)),
});

export const verifyTenantCommand = defineCommand({
  name: "tenant.verify",
  role: "OPERATOR",
  audit: "tenant.verified",
  input: byId,
  run: (ctx, input) => ofExistingTenant(() => verifyTenant(input.id, { actor: ctx.actor, requestId: ctx.requestId })),
});

/** Acquires a token and reads the organization from Graph; stores nothing. */
export const testConnectionQuery = defineQuery({
  name: "tenant.test_connection",
  role: "OPERATOR",
  input: byId,
  run: (_ctx, input) => ofExistingTenant(() => testGraphConnection(input.id)),
});

export const latestVerificationQuery = defineQuery({
  name: "tenant.latest_verification",
  role: "VIEWER",
  input: byId,
  run: (_ctx, input) => latestVerification(input.id),
});

export const switchAuthMethodCommand = defineCommand({
  name: "tenant.switch_method",
  role: "ADMINISTRATOR",
  audit: "tenant.method_switched",
  input: byId.extend({
    method: z.enum(switchTargetIds, `Choose ${switchTargets.map((m) => m.shortLabel.toLowerCase()).join(" or ")}.`),
    version: version.optional(),
  }),
  run: async (ctx, input) =>
    unwrap(await switchAuthMethod({ tenantId: input.id, method: input.method, expectedVersion: input.version, actor: ctx.actor, requestId: ctx.requestId })),
});

export const removeAuthorizationCommand = defineCommand({
  name: "tenant.remove_authorization",
  role: "ADMINISTRATOR",
  audit: "tenant.authorization_removed",
  input: byId,
  run: async (ctx, input) => unwrap(await removeAuthorization({ tenantId: input.id, actor: ctx.actor, requestId: ctx.requestId })),
});

/** Seed 000's "Refresh Access Token": redeems the stored refresh token now. */
export const refreshTokenCommand = defineCommand({
  name: "tenant.refresh_token",
  role: "OPERATOR",
  audit: "tenant.token_refreshed",
  input: byId,
  run: async (ctx, input) => unwrap(await refreshDelegatedToken({ tenantId: input.id, actor: ctx.actor, requestId: ctx.requestId })),
});

/** Enters or replaces the legacy username + password (flagged legacy; switching to a token is recommended). */
export const setLegacyPasswordCommand = defineCommand({
  name: "tenant.set_legacy_password",
  role: "ADMINISTRATOR",
  audit: "tenant.credentials_updated",
  input: byId.extend({
    username: z.string().trim().toLowerCase().pipe(z.email("Enter the account's user principal name, e.g. admin@contoso.onmicrosoft.com")),
    // ROPC refuses passwords with leading or trailing whitespace, so they are refused here too.
    password: z
      .string()
      .min(1, "Enter the password")
      .max(256, "At most 256 characters")
      .refine((v) => v.trim() === v, "Leading or trailing spaces are not supported"),
  }),
  run: async (ctx, input) =>
    unwrap(await setLegacyPassword({ tenantId: input.id, username: input.username, password: input.password, actor: ctx.actor, requestId: ctx.requestId })),
});

/**
 * Enters or replaces the customer-owned app registration (source 004's Tenant ID, Client ID, Client
 * Secret and Environment Type) and switches the tenant to application registration, then verifies it.
 * The secret is write-only; a certificate comes as an uploaded file (console) or a PEM (REST), with its private key.
 */
export const setTenantOwnAppCommand = defineCommand({
  name: "tenant.set_own_app",
  role: "ADMINISTRATOR",
  audit: "tenant.credentials_updated",
  input: z.intersection(
    ownAppSchema,
    byId.extend({
      certificateFile: z.instanceof(File).nullable().optional(),
      certificatePassword: z.string().max(1024).optional(),
      certificatePem: z
        .string()
        .max(64 * 1024, "At most 64 KB")
        .optional(),
    }),
  ),
  run: async (ctx, { id, certificateFile, certificatePassword, certificatePem, ...values }) => {
    const certificate =
      certificateFile && certificateFile.size > 0
        ? await readCertificate(certificateFile, certificatePassword ?? "")
        : certificatePem?.trim()
          ? readCertificatePem(certificatePem)
          : null;
    const saved = unwrap(await setOwnApp({ tenantId: id, values, certificate, actor: ctx.actor, requestId: ctx.requestId }));
    // Its expiry from Graph when the customer's app may read its own registration (a 403 leaves it unknown).
    await refreshOwnAppExpiry(id, { policy: callPolicy("consent") });
    const verification = await ofExistingTenant(() => verifyTenant(id, { actor: ctx.actor, requestId: ctx.requestId }));
    return { ...saved, verification };
  },
});

/** Stops using the customer's own app: the tenant goes back to the MSP's app registration. */
export const clearTenantOwnAppCommand = defineCommand({
  name: "tenant.clear_own_app",
  role: "ADMINISTRATOR",
  audit: "tenant.credentials_updated",
  input: byId,
  run: async (ctx, input) => unwrap(await clearOwnApp({ tenantId: input.id, actor: ctx.actor, requestId: ctx.requestId })),
});

/** Chooses which MSP app registration the tenant uses; empty: its cloud's default. */
export const chooseTenantRegistrationCommand = defineCommand({
  name: "tenant.choose_app_registration",
  role: "ADMINISTRATOR",
  audit: "tenant.app_registration_chosen",
  input: byId.extend({
    appRegistrationId: z
      .string()
      .trim()
      .max(64)
      .nullable()
      .transform((v) => v || null),
  }),
  run: async (ctx, input) =>
    unwrap(await chooseRegistration({ tenantId: input.id, appRegistrationId: input.appRegistrationId, actor: ctx.actor, requestId: ctx.requestId })),
});

export const createConsentLinkCommand = defineCommand({
  name: "consent_link.create",
  role: "OPERATOR",
  audit: "consent_link.created",
  input: byId.extend({ expiresInDays: consentLinkDaysSchema.optional() }),
  run: async (ctx, input) =>
    unwrap(await createConsentLink({ tenantId: input.id, expiresInDays: input.expiresInDays, actor: ctx.actor, requestId: ctx.requestId })),
});

/** Revokes every unused consent link of the tenant (for example one sent to the wrong person). */
export const revokeConsentLinksCommand = defineCommand({
  name: "consent_link.revoke",
  role: "OPERATOR",
  audit: "consent_link.revoked",
  input: byId,
  run: async (ctx, input) => ({ revoked: await revokeConsentLinks({ tenantId: input.id, actor: ctx.actor, requestId: ctx.requestId }) }),
});

const CHOOSE_FILE = "Choose a CSV file to import.";

const importFile = z.object({
  file: z
    .instanceof(File, { error: CHOOSE_FILE })
    .refine((f) => f.size > 0, CHOOSE_FILE)
    .refine((f) => f.size <= MAX_IMPORT_BYTES, IMPORT_TOO_LARGE),
});

async function importText(file: File): Promise<string> {
  const decoded = decodeImportFile(new Uint8Array(await file.arrayBuffer()));
  if (!decoded.ok) throw new CommandError("validation", decoded.error, { fieldErrors: { file: [decoded.error] } });
  return decoded.text;
}

/** Checks a CSV file against itself and the stored tenants; writes nothing. */
export const previewImportQuery = defineQuery({
  name: "tenant.import_preview",
  role: "ADMINISTRATOR",
  input: importFile,
  run: async (_ctx, input) => unwrap(await previewTenantImport(await importText(input.file))),
});

/** Imports every row of the file, or none: a file with invalid rows comes back as its preview. */
export const importTenantsCommand = defineCommand({
  name: "tenant.import",
  role: "ADMINISTRATOR",
  audit: "tenant.imported",
  input: importFile,
  run: async (ctx, input): Promise<{ imported: number } | { imported: 0; refused: string; preview: ImportPreview }> => {
    const result = await importTenants(await importText(input.file), ctx);
    if (!result.ok && "preview" in result) return { imported: 0, refused: result.error, preview: result.preview };
    return unwrap(result);
  },
});
