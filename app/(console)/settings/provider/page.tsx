import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/session";
import { permits } from "@/lib/commands/command";
import { applyProviderSettingsCommand, testProviderAppCommand } from "@/lib/commands/settings";
import { getProviderSettingsView } from "@/lib/provider/settings";
import { ProviderSettingsForm } from "./provider-settings-form";

export const metadata: Metadata = { title: "Provider app · Settings" };

export default async function ProviderSettingsPage() {
  const admin = await requireAdmin();
  const settings = await getProviderSettingsView();
  return (
    <ProviderSettingsForm
      settings={settings}
      canEdit={permits(admin.role, applyProviderSettingsCommand)}
      canTest={permits(admin.role, testProviderAppCommand)}
    />
  );
}
