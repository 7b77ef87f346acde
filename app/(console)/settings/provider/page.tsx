import type { Metadata } from "next";
import Link from "next/link";
import { cloudLabels } from "@/components/format";
import { buttonClass } from "@/components/ui/button";
import { requireAdmin } from "@/lib/auth/session";
import { permits } from "@/lib/commands/command";
import { applyProviderSettingsCommand, createAppRegistrationCommand, testProviderAppCommand } from "@/lib/commands/settings";
import { getProviderSettingsView, listRegistrations, PROVIDER_ID, type RegistrationSummary } from "@/lib/provider/settings";
import { ProviderSettingsForm } from "./provider-settings-form";

export const metadata: Metadata = { title: "App registrations · Settings" };

function day(d: Date | null) {
  return d ? d.toISOString().slice(0, 10) : null;
}

function credentialText(r: RegistrationSummary) {
  const parts = [];
  if (r.hasSecret) parts.push(`secret (${r.secretExpiresAt ? `expires ${day(r.secretExpiresAt)}` : "expiry unknown"})`);
  if (r.hasCertificate) parts.push(`certificate (${r.certificateExpiresAt ? `expires ${day(r.certificateExpiresAt)}` : "expiry unknown"})`);
  return parts.length ? parts.join(", ") : "none";
}

/** Every app registration, then source 003's form for the default registration. */
export default async function ProviderSettingsPage() {
  const admin = await requireAdmin();
  const [registrations, settings] = await Promise.all([listRegistrations(), getProviderSettingsView()]);
  const canCreate = permits(admin.role, createAppRegistrationCommand);
  return (
    <div className="space-y-5">
      <section aria-labelledby="registrations-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <h2 id="registrations-heading" className="text-base font-semibold">
              App registrations
            </h2>
            <p className="text-sm text-slate-600">
              A tenant uses its cloud&apos;s default registration, or one chosen on its page or named in the import file (app_registration). A national cloud
              (US Government, China) needs an app registered in that cloud.
            </p>
          </div>
          {canCreate && (
            <Link href="/settings/provider/new" className={buttonClass("primary")}>
              Add app registration
            </Link>
          )}
        </div>
        {registrations.length === 0 ? (
          <p className="mt-4 rounded-md border border-dashed border-slate-300 p-3 text-sm text-slate-600">
            No app registration yet. Fill in the default registration below.
          </p>
        ) : (
          <div className="mt-4 overflow-x-auto">
            <table className="min-w-full text-sm">
              <caption className="sr-only">App registrations</caption>
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-4">
                    Name
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Cloud
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Client ID
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Credentials
                  </th>
                  <th scope="col" className="py-2">
                    Used by
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {registrations.map((r) => (
                  <tr key={r.id}>
                    <td className="py-2 pr-4">
                      <Link
                        href={r.id === PROVIDER_ID ? "#default-registration" : `/settings/provider/${r.id}`}
                        className="font-medium text-blue-700 hover:underline"
                      >
                        {r.name}
                      </Link>
                      {r.isDefault && <span className="ml-2 rounded bg-blue-50 px-1.5 py-0.5 text-xs font-medium text-blue-800">default</span>}
                      {!r.configured && <span className="ml-2 rounded bg-amber-50 px-1.5 py-0.5 text-xs font-medium text-amber-900">incomplete</span>}
                    </td>
                    <td className="py-2 pr-4">{cloudLabels[r.cloud]}</td>
                    <td className="py-2 pr-4 font-mono text-xs">{r.clientId || "—"}</td>
                    <td className="py-2 pr-4">{credentialText(r)}</td>
                    <td className="py-2">
                      {r.isDefault ? `${cloudLabels[r.cloud]} tenants` : "Tenants that choose it"}
                      {r.tenantCount > 0 && <span className="text-slate-600"> ({r.tenantCount} chose it)</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <div id="default-registration">
        <ProviderSettingsForm
          settings={settings}
          canEdit={permits(admin.role, applyProviderSettingsCommand)}
          canTest={permits(admin.role, testProviderAppCommand)}
        />
      </div>
    </div>
  );
}
