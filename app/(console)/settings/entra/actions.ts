"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import { applyEntraSettings } from "@/lib/auth/entra/settings";
import { actorOf, currentRequestId, getSessionAdmin, hasRole } from "@/lib/auth/session";
import { entraAuthSettingsSchema } from "@/lib/validations/entra-auth";

export type ApplyEntraState = ActionResult<{ version: number; changedFields: string[] }> | null;

const textFields = [
  "tenantId", "clientId", "audience", "issuer", "authority", "metadataAddress", "requiredClaims", "clockSkew",
  "jwksCacheDuration", "certificateThumbprint", "groupCacheDuration", "apiAudience", "apiIssuer", "groupRoles",
] as const;

export async function applyEntraSettingsAction(_prev: ApplyEntraState, formData: FormData): Promise<ApplyEntraState> {
  const admin = await getSessionAdmin();
  if (!admin) return { ok: false, error: "Your session has ended. Sign in again." };
  if (!hasRole(admin, "ADMINISTRATOR")) return { ok: false, error: "Only administrators can change how admins sign in." };

  const raw: Record<string, unknown> = {
    enabled: formData.get("enabled") === "on",
    localSignInEnabled: formData.get("localSignInEnabled") === "on",
  };
  for (const field of textFields) raw[field] = String(formData.get(field) ?? "");
  const parsed = entraAuthSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: "Check the highlighted fields.", fieldErrors: parsed.error.flatten().fieldErrors };
  }
  const expectedVersion = Number(formData.get("version") ?? 0);
  const result = await applyEntraSettings({
    values: parsed.data,
    expectedVersion: Number.isInteger(expectedVersion) ? expectedVersion : -1,
    actor: actorOf(admin),
    requestId: await currentRequestId(),
  });
  if (result.ok) revalidatePath("/settings/entra");
  return result;
}
