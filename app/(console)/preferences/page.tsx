import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/session";
import { getPreferences } from "@/lib/data/preferences";
import { timeZones } from "@/lib/dates";
import { PreferencesForm } from "./preferences-form";

export const metadata: Metadata = { title: "Preferences" };

/** The signed-in admin's own display preferences, kept on the server so every page renders with them at once. */
export default async function PreferencesPage() {
  const admin = await requireAdmin();
  const preferences = await getPreferences(admin.id);
  return (
    <div className="max-w-2xl space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Preferences</h1>
        <p className="text-sm text-slate-600">How the console shows dates and the Tenants table to you ({admin.email}). Other admins keep their own.</p>
      </div>
      <PreferencesForm initial={preferences} zones={timeZones()} />
    </div>
  );
}
