"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionResult } from "@/lib/action-result";
import { actorOf, currentRequestId, getSessionAdmin, hasRole, type SessionAdmin } from "@/lib/auth/session";
import { createConsentLink, revokeConsentLinks } from "@/lib/consent/links";
import type { AdminRole } from "@/lib/generated/prisma/enums";
import { refreshDelegatedToken, setLegacyPassword } from "@/lib/tenants/lifecycle";

const idSchema = z.object({ id: z.string().min(1).max(64) });

type Authorized = { ok: true; admin: SessionAdmin } | { ok: false; error: string };

async function authorize(minimum: AdminRole): Promise<Authorized> {
  const admin = await getSessionAdmin();
  if (!admin) return { ok: false, error: "Your session has ended. Sign in again." };
  if (!hasRole(admin, minimum)) return { ok: false, error: "Your role does not allow this action." };
  return { ok: true, admin };
}

/** Seed 000's "Obtain Authorization": a fresh consent link the signed-in admin opens or forwards. */
export async function obtainAuthorizationAction(input: { id: string }): Promise<ActionResult<{ url: string }>> {
  const auth = await authorize("OPERATOR");
  if (!auth.ok) return auth;
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: "Invalid tenant." };
  const link = await createConsentLink({ tenantId: parsed.data.id, actor: actorOf(auth.admin), requestId: await currentRequestId() });
  return link.ok ? { ok: true, data: { url: link.data.url } } : link;
}

/** Seed 000's "Refresh Access Token": redeems the stored refresh token now. */
export async function refreshAccessTokenAction(input: { id: string }): Promise<ActionResult<{ expiresAt: string | null }>> {
  const auth = await authorize("OPERATOR");
  if (!auth.ok) return auth;
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: "Invalid tenant." };
  const result = await refreshDelegatedToken({ tenantId: parsed.data.id, actor: actorOf(auth.admin), requestId: await currentRequestId() });
  revalidatePath(`/tenants/${parsed.data.id}`);
  return result.ok ? { ok: true, data: { expiresAt: result.data.expiresAt?.toISOString() ?? null } } : result;
}

const legacySchema = z.object({
  id: z.string().min(1).max(64),
  username: z.string().trim().toLowerCase().pipe(z.email("Enter the account's user principal name, e.g. admin@contoso.onmicrosoft.com")),
  // ROPC refuses passwords with leading or trailing whitespace, so they are refused here too.
  password: z.string().min(1, "Enter the password").max(256).refine((v) => v.trim() === v, "Leading or trailing spaces are not supported"),
});

/** Enters or replaces the legacy username + password (flagged legacy; switching to a token is recommended). */
export async function setLegacyPasswordAction(formData: FormData): Promise<ActionResult> {
  const auth = await authorize("ADMINISTRATOR");
  if (!auth.ok) return auth;
  const parsed = legacySchema.safeParse({ id: formData.get("id"), username: formData.get("username"), password: formData.get("password") });
  if (!parsed.success) return { ok: false, error: "Check the highlighted fields.", fieldErrors: parsed.error.flatten().fieldErrors };
  const result = await setLegacyPassword({ tenantId: parsed.data.id, username: parsed.data.username, password: parsed.data.password, actor: actorOf(auth.admin), requestId: await currentRequestId() });
  revalidatePath(`/tenants/${parsed.data.id}`);
  return result.ok ? { ok: true, data: undefined } : result;
}

/** Revokes every unused consent link of the tenant (for example one sent to the wrong person). */
export async function revokeConsentLinksAction(input: { id: string }): Promise<ActionResult<{ revoked: number }>> {
  const auth = await authorize("OPERATOR");
  if (!auth.ok) return auth;
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: "Invalid tenant." };
  const revoked = await revokeConsentLinks({ tenantId: parsed.data.id, actor: actorOf(auth.admin), requestId: await currentRequestId() });
  revalidatePath(`/tenants/${parsed.data.id}`);
  return { ok: true, data: { revoked } };
}
