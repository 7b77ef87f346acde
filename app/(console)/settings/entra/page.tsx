import type { Metadata } from "next";
import { CERTIFICATE_REMEDIATION, getEntraSettingsView } from "@/lib/auth/entra/settings";
import { requireAdmin } from "@/lib/auth/session";
import { permits } from "@/lib/commands/command";
import { applyEntraSettingsCommand } from "@/lib/commands/settings";
import { env } from "@/lib/env";
import { EntraSettingsForm } from "./entra-settings-form";

export const metadata: Metadata = { title: "Entra Authentication · Settings" };

export default async function EntraSettingsPage() {
  const admin = await requireAdmin();
  const settings = await getEntraSettingsView();
  return (
    <EntraSettingsForm
      settings={settings}
      canEdit={permits(admin.role, applyEntraSettingsCommand)}
      remediation={[...CERTIFICATE_REMEDIATION]}
      callbackUrl={new URL("/api/auth/callback/entra", env.APP_URL).toString()}
    />
  );
}
