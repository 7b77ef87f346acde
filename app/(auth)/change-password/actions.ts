"use server";

import { redirect } from "next/navigation";
import { changeOwnPassword, changePasswordSchema } from "@/lib/auth/change-password";
import { getPasswordChangeAdmin } from "@/lib/auth/session";
import { currentRequestId } from "@/lib/commands/action";
import { CHECK_FIELDS } from "@/lib/errors";
import type { PasswordFormState } from "../password-form";

/** The forced change of a one-time password; only the signed-in admin who holds one may call it. */
export async function changePasswordAction(_previous: PasswordFormState, form: FormData): Promise<PasswordFormState> {
  const admin = await getPasswordChangeAdmin();
  if (!admin) return { error: "Your session has ended, or your password was already changed. Sign in again." };
  const parsed = changePasswordSchema.safeParse({
    current: form.get("current") ?? "",
    password: form.get("password") ?? "",
    confirm: form.get("confirm") ?? "",
  });
  if (!parsed.success) return { error: CHECK_FIELDS, fieldErrors: parsed.error.flatten().fieldErrors };
  const result = await changeOwnPassword(admin, parsed.data, await currentRequestId());
  if (!result.ok) return { error: CHECK_FIELDS, fieldErrors: result.fieldErrors };
  redirect("/tenants");
}
