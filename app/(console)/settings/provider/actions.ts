"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import { actorOf, currentRequestId, getSessionAdmin, hasRole } from "@/lib/auth/session";
import { CertificateError, parsePemBundle, parsePfx, type ParsedCertificate } from "@/lib/crypto/certificates";
import { recordAudit } from "@/lib/audit";
import { applyProviderSettings, PROVIDER_ID } from "@/lib/provider/settings";
import { testProviderApp, type ProviderTestResult } from "@/lib/provider/test-connection";
import { providerSettingsSchema } from "@/lib/validations/provider";

const MAX_CERT_BYTES = 64 * 1024;

async function readCertificate(formData: FormData): Promise<ParsedCertificate | null> {
  const file = formData.get("certificateFile");
  if (!(file instanceof File) || file.size === 0) return null;
  if (file.size > MAX_CERT_BYTES) throw new CertificateError("The certificate file is larger than 64 KB.");
  const data = Buffer.from(await file.arrayBuffer());
  const isPem = data.toString("utf8").includes("-----BEGIN");
  return isPem ? parsePemBundle(data.toString("utf8")) : parsePfx(data, String(formData.get("certificatePassword") ?? ""));
}

export type ApplyState = ActionResult<{ version: number; changedFields: string[] }> | null;

export async function applyProviderSettingsAction(_prev: ApplyState, formData: FormData): Promise<ApplyState> {
  const admin = await getSessionAdmin();
  if (!admin) return { ok: false, error: "Your session has ended. Sign in again." };
  if (!hasRole(admin, "ADMINISTRATOR")) return { ok: false, error: "Only administrators can change the provider app." };

  const parsed = providerSettingsSchema.safeParse({
    clientId: formData.get("clientId") ?? "",
    clientSecret: formData.get("clientSecret") ?? "",
    removeCertificate: formData.get("removeCertificate") === "on",
    certificateThumbprint: formData.get("certificateThumbprint") ?? "",
    redirectUrl: formData.get("redirectUrl") ?? "",
    cloud: formData.get("cloud") ?? "",
    customAuthorityHost: formData.get("customAuthorityHost") ?? "",
    customGraphHost: formData.get("customGraphHost") ?? "",
    tokenVersion: formData.get("tokenVersion") ?? "",
    resource: formData.get("resource") ?? "",
    scopes: formData.get("scopes") ?? "",
    requiredAppPermissions: formData.get("requiredAppPermissions") ?? "",
    requestOfflineAccess: formData.get("requestOfflineAccess") === "on",
    homeTenantId: formData.get("homeTenantId") ?? "",
  });
  if (!parsed.success) {
    return { ok: false, error: "Check the highlighted fields.", fieldErrors: parsed.error.flatten().fieldErrors };
  }
  let certificate: ParsedCertificate | null;
  try {
    certificate = await readCertificate(formData);
  } catch (e) {
    const message = e instanceof CertificateError ? e.message : "The certificate could not be read.";
    return { ok: false, error: "Check the highlighted fields.", fieldErrors: { certificateFile: [message] } };
  }
  const expectedVersion = Number(formData.get("version") ?? 0);
  const result = await applyProviderSettings({
    values: parsed.data,
    certificate,
    expectedVersion: Number.isInteger(expectedVersion) ? expectedVersion : -1,
    actor: actorOf(admin),
    requestId: await currentRequestId(),
  });
  if (result.ok) revalidatePath("/settings/provider");
  return result;
}

export async function testProviderAppAction(): Promise<ActionResult<ProviderTestResult>> {
  const admin = await getSessionAdmin();
  if (!admin) return { ok: false, error: "Your session has ended. Sign in again." };
  if (!hasRole(admin, "OPERATOR")) return { ok: false, error: "Viewers cannot run the provider app test." };
  const result = await testProviderApp();
  await recordAudit({
    action: "provider_settings.tested",
    actor: actorOf(admin),
    target: { type: "provider_settings", id: PROVIDER_ID },
    requestId: await currentRequestId(),
    details: { ok: result.ok, reason: result.ok ? "OK" : result.reason },
  });
  revalidatePath("/settings/provider");
  return { ok: true, data: result };
}
