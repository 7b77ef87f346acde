import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords";
import { getPasswordChangeAdmin, getSessionAdmin } from "@/lib/auth/session";
import { AuthCard } from "../auth-card";
import { PasswordForm } from "../password-form";
import { changePasswordAction } from "./actions";

export const metadata: Metadata = { title: "Choose your password" };

/** Where requireAdmin sends an admin who signed in with a one-time password: nothing else opens until they choose their own. */
export default async function ChangePasswordPage() {
  const admin = await getPasswordChangeAdmin();
  if (!admin) redirect((await getSessionAdmin()) ? "/tenants" : "/sign-in");
  return (
    <AuthCard title="Choose your password" intro="You signed in with a one-time password. Choose your own to continue; the one-time password stops working.">
      <PasswordForm action={changePasswordAction} email={admin.email} withCurrent submitLabel="Save and continue" minLength={PASSWORD_MIN_LENGTH} />
    </AuthCard>
  );
}
