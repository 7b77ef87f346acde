import "server-only";
import { z } from "zod";
import { applyEntraSettings } from "@/lib/auth/entra/settings";
import { CertificateError, parsePemBundle, parsePfx, type ParsedCertificate } from "@/lib/crypto/certificates";
import { CHECK_FIELDS, CommandError, unwrap } from "@/lib/errors";
import { callPolicy } from "@/lib/entra/http";
import { deleteAppRegistration } from "@/lib/provider/delete";
import { refreshRegistrationExpiry } from "@/lib/provider/expiry";
import { applyProviderSettings, PROVIDER_ID } from "@/lib/provider/settings";
import { testProviderApp } from "@/lib/provider/test-connection";
import { reverifyAfterProviderCredential } from "@/lib/verification/runs";
import { entraAuthSettingsSchema } from "@/lib/validations/entra-auth";
import { providerSettingsSchema } from "@/lib/validations/provider";
import { defineCommand } from "./command";

/**
 * The settings forms (provider app, Entra Authentication) apply over the version they were loaded with:
 * a concurrent change by another administrator is refused as a version conflict, never overwritten.
 */

const MAX_CERT_BYTES = 64 * 1024;
const expectedVersion = z.object({ version: z.number().int() });

/** An uploaded .pfx or PEM; a file without a private key (a .cer) is refused on the field with source 001's warning. */
export async function readCertificate(file: File, password: string, field = "certificateFile"): Promise<ParsedCertificate> {
  try {
    if (file.size > MAX_CERT_BYTES) throw new CertificateError("The certificate file is larger than 64 KB.");
    const data = Buffer.from(await file.arrayBuffer());
    const isPem = data.toString("utf8").includes("-----BEGIN");
    return isPem ? parsePemBundle(data.toString("utf8")) : parsePfx(data, password);
  } catch (e) {
    const message = e instanceof CertificateError ? e.message : "The certificate could not be read.";
    throw new CommandError("validation", CHECK_FIELDS, { fieldErrors: { [field]: [message] } });
  }
}

/** A PEM sent as text (the REST API), with its private key. */
export function readCertificatePem(text: string, field = "certificatePem"): ParsedCertificate {
  try {
    return parsePemBundle(text);
  } catch (e) {
    const message = e instanceof CertificateError ? e.message : "The certificate could not be read.";
    throw new CommandError("validation", CHECK_FIELDS, { fieldErrors: { [field]: [message] } });
  }
}

const registrationId = z.string().trim().min(1).max(64).optional();
const certificateUpload = { certificateFile: z.instanceof(File).nullable().optional(), certificatePassword: z.string().max(1024).optional() };

/**
 * Saves an app registration (`id`; absent: the default registration, source 003's form). A certificate is
 * uploaded in the console only; the REST API changes the other fields.
 */
export const applyProviderSettingsCommand = defineCommand({
  name: "app_registration.apply",
  role: "ADMINISTRATOR",
  audit: "app_registration.updated",
  denied: "Only administrators can change app registrations.",
  input: z.intersection(providerSettingsSchema, expectedVersion.extend({ id: registrationId, ...certificateUpload })),
  run: async (ctx, { id, version, certificateFile, certificatePassword, ...values }) => {
    const certificate = certificateFile && certificateFile.size > 0 ? await readCertificate(certificateFile, certificatePassword ?? "") : null;
    const applied = unwrap(
      await applyProviderSettings({ id: id ?? PROVIDER_ID, values, certificate, expectedVersion: version, actor: ctx.actor, requestId: ctx.requestId }),
    );
    // Expiry always known: read from Graph as soon as the registration (and so a rotated credential) is
    // applied, before the tenants are verified with it. The admin waits: the short interactive policy.
    await refreshRegistrationExpiry(applied.id, { policy: callPolicy("consent") });
    // A new credential: the tenants the old one failed (or blocked) are verified again at once.
    const newCredential = applied.changedFields.includes("clientSecret") || applied.changedFields.includes("certificate");
    const reverify = newCredential
      ? await reverifyAfterProviderCredential({ registrationId: applied.id, requestedBy: ctx.actor.label, actor: ctx.actor, requestId: ctx.requestId })
      : null;
    return { ...applied, reverify };
  },
});

/** Adds an app registration (another cloud's, or a second one of a cloud for tenants that choose it). */
export const createAppRegistrationCommand = defineCommand({
  name: "app_registration.create",
  role: "ADMINISTRATOR",
  audit: "app_registration.created",
  denied: "Only administrators can add app registrations.",
  input: z.intersection(
    providerSettingsSchema.and(z.object({ name: z.string().trim().min(1, "Name the registration, e.g. MSP console (US Government)").max(100) })),
    z.object(certificateUpload),
  ),
  run: async (ctx, { certificateFile, certificatePassword, ...values }) => {
    const certificate = certificateFile && certificateFile.size > 0 ? await readCertificate(certificateFile, certificatePassword ?? "") : null;
    const created = unwrap(await applyProviderSettings({ id: null, values, certificate, expectedVersion: 0, actor: ctx.actor, requestId: ctx.requestId }));
    await refreshRegistrationExpiry(created.id, { policy: callPolicy("consent") });
    return created;
  },
});

/** Deletes an app registration no tenant uses (lib/provider/delete.ts says when it is refused). */
export const deleteAppRegistrationCommand = defineCommand({
  name: "app_registration.delete",
  role: "ADMINISTRATOR",
  audit: "app_registration.deleted",
  denied: "Only administrators can delete app registrations.",
  input: z.object({ id: z.string().trim().min(1).max(64) }).and(expectedVersion),
  run: async (ctx, { id, version }) => {
    const deleted = await deleteAppRegistration({ id, expectedVersion: version });
    await ctx.audit({ target: { type: "app_registration", id }, details: { name: deleted.name } });
    return deleted;
  },
});

/** Acquires a token for the provider's home tenant with a registration's stored credentials; the result is audited. */
export const testProviderAppCommand = defineCommand({
  name: "app_registration.test",
  role: "OPERATOR",
  audit: "app_registration.tested",
  denied: "Viewers cannot run the app registration test.",
  input: z.object({ id: registrationId }).optional(),
  run: async (ctx, input) => {
    const id = input?.id ?? PROVIDER_ID;
    const result = await testProviderApp(id);
    await ctx.audit({ target: { type: "app_registration", id }, details: { ok: result.ok, reason: result.ok ? "OK" : result.reason } });
    return result;
  },
});

export const applyEntraSettingsCommand = defineCommand({
  name: "entra_settings.apply",
  role: "ADMINISTRATOR",
  audit: "entra_settings.updated",
  denied: "Only administrators can change how admins sign in.",
  input: z.intersection(entraAuthSettingsSchema, expectedVersion),
  run: async (ctx, { version, ...values }) =>
    unwrap(await applyEntraSettings({ values, expectedVersion: version, actor: ctx.actor, requestId: ctx.requestId })),
});
