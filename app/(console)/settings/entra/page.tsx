import type { Metadata } from "next";
import { CERTIFICATE_REMEDIATION, getEntraSettingsView } from "@/lib/auth/entra/settings";
import { hasRole, requireAdmin } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { EntraSettingsForm } from "./entra-settings-form";

export const metadata: Metadata = { title: "Entra Authentication · Settings" };

export default async function EntraSettingsPage() {
  const admin = await requireAdmin();
  const settings = await getEntraSettingsView();
  return (
    <EntraSettingsForm
      settings={settings}
      canEdit={hasRole(admin, "ADMINISTRATOR")}
      remediation={[...CERTIFICATE_REMEDIATION]}
      callbackUrl={new URL("/api/auth/callback/entra", env.APP_URL).toString()}
    />
  );
}
