"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionResult } from "@/lib/action-result";
import { ApiTokenError, createApiToken, revokeApiToken } from "@/lib/api-tokens/manage";
import { actorOf, currentRequestId, getSessionAdmin, hasRole } from "@/lib/auth/session";
import { apiTokenFormSchema, type ApiTokenRole } from "@/lib/validations/api-token";

const SIGNED_OUT = "Your session has ended. Sign in again.";

export type CreatedApiToken = { id: string; name: string; role: ApiTokenRole; expiresAt: string; prefix: string; token: string };

/** The form's own values come back on failure so the dialog keeps them; none of them is secret. */
export type CreateApiTokenState = (ActionResult<CreatedApiToken> & { values?: Record<string, string> }) | null;

/**
 * The only place the token leaves the server: in this action's result, once. The page lists prefixes only.
 * Administrators only, checked here as well as by the page (a server action is a public endpoint).
 */
export async function createApiTokenAction(_prev: CreateApiTokenState, formData: FormData): Promise<CreateApiTokenState> {
  const admin = await getSessionAdmin();
  if (!admin) return { ok: false, error: SIGNED_OUT };
  if (!hasRole(admin, "ADMINISTRATOR")) return { ok: false, error: "Only administrators can create API tokens." };

  const values = {
    name: String(formData.get("name") ?? ""),
    role: String(formData.get("role") ?? ""),
    expiry: String(formData.get("expiry") ?? ""),
    expiresOn: String(formData.get("expiresOn") ?? ""),
  };
  const parsed = apiTokenFormSchema(new Date()).safeParse(values);
  if (!parsed.success) return { ok: false, error: "Fix the highlighted fields.", fieldErrors: parsed.error.flatten().fieldErrors, values };

  try {
    const created = await createApiToken(parsed.data, { actor: actorOf(admin), requestId: await currentRequestId() });
    revalidatePath("/settings/api-tokens");
    return {
      ok: true,
      data: { ...created, name: parsed.data.name, role: parsed.data.role, expiresAt: parsed.data.expiresAt.toISOString() },
    };
  } catch (e) {
    if (!(e instanceof ApiTokenError)) throw e;
    const { expiresAt, ...fieldErrors } = e.fieldErrors ?? {};
    // The form names the expiry "expiry" (or "expiresOn" for a custom date); show the library's message there.
    const expiryField = values.expiry === "custom" ? "expiresOn" : "expiry";
    return { ok: false, error: e.message, fieldErrors: expiresAt ? { ...fieldErrors, [expiryField]: expiresAt } : fieldErrors, values };
  }
}

const revokeSchema = z.object({ id: z.string().min(1).max(64) });

export async function revokeApiTokenAction(input: { id: string }): Promise<ActionResult<{ name: string }>> {
  const admin = await getSessionAdmin();
  if (!admin) return { ok: false, error: SIGNED_OUT };
  if (!hasRole(admin, "ADMINISTRATOR")) return { ok: false, error: "Only administrators can revoke API tokens." };
  const parsed = revokeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: "This API token does not exist." };
  try {
    const revoked = await revokeApiToken(parsed.data.id, { actor: actorOf(admin), requestId: await currentRequestId() });
    revalidatePath("/settings/api-tokens");
    return { ok: true, data: revoked };
  } catch (e) {
    if (e instanceof ApiTokenError) return { ok: false, error: e.message };
    throw e;
  }
}
