import "server-only";
import { z } from "zod";
import { applyEntraSettings } from "@/lib/auth/entra/settings";
import { CertificateError, parsePemBundle, parsePfx, type ParsedCertificate } from "@/lib/crypto/certificates";
import { CHECK_FIELDS, CommandError, unwrap } from "@/lib/errors";
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

async function readCertificate(file: File, password: string): Promise<ParsedCertificate> {
  try {
    if (file.size > MAX_CERT_BYTES) throw new CertificateError("The certificate file is larger than 64 KB.");
    const data = Buffer.from(await file.arrayBuffer());
    const isPem = data.toString("utf8").includes("-----BEGIN");
    return isPem ? parsePemBundle(data.toString("utf8")) : parsePfx(data, password);
  } catch (e) {
    const message = e instanceof CertificateError ? e.message : "The certificate could not be read.";
    throw new CommandError("validation", CHECK_FIELDS, { fieldErrors: { certificateFile: [message] } });
  }
}

/** A certificate is uploaded in the console only; the REST API changes the other fields. */
export const applyProviderSettingsCommand = defineCommand({
  name: "provider_settings.apply",
  role: "ADMINISTRATOR",
  audit: "provider_settings.updated",
  denied: "Only administrators can change the provider app.",
  input: z.intersection(
    providerSettingsSchema,
    expectedVersion.extend({ certificateFile: z.instanceof(File).nullable().optional(), certificatePassword: z.string().max(1024).optional() }),
  ),
  run: async (ctx, { version, certificateFile, certificatePassword, ...values }) => {
    const certificate = certificateFile && certificateFile.size > 0 ? await readCertificate(certificateFile, certificatePassword ?? "") : null;
    const applied = unwrap(await applyProviderSettings({ values, certificate, expectedVersion: version, actor: ctx.actor, requestId: ctx.requestId }));
    // A new credential: the tenants the old one failed (or blocked) are verified again at once.
    const newCredential = applied.changedFields.includes("clientSecret") || applied.changedFields.includes("certificate");
    const reverify = newCredential ? await reverifyAfterProviderCredential({ requestedBy: ctx.actor.label, actor: ctx.actor, requestId: ctx.requestId }) : null;
    return { ...applied, reverify };
  },
});

/** Acquires a token for the provider's home tenant with the stored credentials; the result is audited. */
export const testProviderAppCommand = defineCommand({
  name: "provider_settings.test",
  role: "OPERATOR",
  audit: "provider_settings.tested",
  denied: "Viewers cannot run the provider app test.",
  input: z.object({}).optional(),
  run: async (ctx) => {
    const result = await testProviderApp();
    await ctx.audit({ target: { type: "provider_settings", id: PROVIDER_ID }, details: { ok: result.ok, reason: result.ok ? "OK" : result.reason } });
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
