import { hasRole, requireAdmin } from "@/lib/auth/session";
import { SettingsTabs } from "./settings-tabs";

export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  const admin = await requireAdmin();
  return (
    <div className="max-w-6xl space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Settings</h1>
        <p className="text-sm text-slate-600">The app registrations customers consent to, who may sign in, and how this console is configured.</p>
      </div>
      <SettingsTabs showAdmins={hasRole(admin, "ADMINISTRATOR")} />
      {children}
    </div>
  );
}
