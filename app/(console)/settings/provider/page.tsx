import type { Metadata } from "next";
import { hasRole, requireAdmin } from "@/lib/auth/session";
import { getProviderSettingsView } from "@/lib/provider/settings";
import { ProviderSettingsForm } from "./provider-settings-form";

export const metadata: Metadata = { title: "Provider app · Settings" };

export default async function ProviderSettingsPage() {
  const admin = await requireAdmin();
  const settings = await getProviderSettingsView();
  return (
    <ProviderSettingsForm
      settings={settings}
      canEdit={hasRole(admin, "ADMINISTRATOR")}
      canTest={hasRole(admin, "OPERATOR")}
    />
  );
}
