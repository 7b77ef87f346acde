import type { Metadata } from "next";
import Link from "next/link";
import { Fragment } from "react";
import { cloudLabels } from "@/components/format";
import { buttonClass } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/local-time";
import { requireAdmin } from "@/lib/auth/session";
import { permits } from "@/lib/commands/command";
import { applyProviderSettingsCommand, createAppRegistrationCommand, testProviderAppCommand } from "@/lib/commands/settings";
import { getProviderSettingsView, listRegistrations, PROVIDER_ID, type RegistrationSummary } from "@/lib/provider/settings";
import { startSecretRotationCommand, switchCertificateCommand } from "@/lib/commands/rotation";
import { pageParamsSchema } from "@/lib/pagination";
import { ProviderSettingsForm } from "./provider-settings-form";
import { CertificatePanel } from "./certificate-panel";
import { RotationPanel } from "./rotation-panel";

export const metadata: Metadata = { title: "App registrations · Settings" };

function credentialText(r: RegistrationSummary, now: number) {
  const expiry = (at: Date | null) =>
    at ? (
      <>
        expires <LocalTime value={at} renderedAt={now} />
      </>
    ) : (
      "expiry unknown"
    );
  const parts: React.ReactNode[] = [];
  if (r.hasSecret) parts.push(<Fragment key="secret">secret ({expiry(r.secretExpiresAt)})</Fragment>);
  if (r.hasCertificate) parts.push(<Fragment key="certificate">certificate ({expiry(r.certificateExpiresAt)})</Fragment>);
  return parts.length ? parts.flatMap((p, i) => (i ? [", ", p] : [p])) : "none";
}

/** Every app registration, then source 003's form for the default registration. */
export default async function ProviderSettingsPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const { page } = pageParamsSchema.parse(await searchParams);
  const admin = await requireAdmin();
  const [registrations, settings] = await Promise.all([listRegistrations(), getProviderSettingsView()]);
  const canCreate = permits(admin.role, createAppRegistrationCommand);
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request; this is that request's time
  const now = Date.now();
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
                    <td className="py-2 pr-4">{credentialText(r, now)}</td>
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
      <CertificatePanel settings={settings} canEdit={permits(admin.role, switchCertificateCommand)} />
      <RotationPanel
        id={PROVIDER_ID}
        name={settings.name}
        hasSecret={settings.hasSecret}
        canRotate={permits(admin.role, startSecretRotationCommand)}
        page={page}
        basePath="/settings/provider"
      />
    </div>
  );
}
