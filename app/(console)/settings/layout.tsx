import { SettingsTabs } from "./settings-tabs";

export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="max-w-4xl space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Settings</h1>
        <p className="text-sm text-slate-600">The provider app customers consent to, and how this console is configured.</p>
      </div>
      <SettingsTabs />
      {children}
    </div>
  );
}
