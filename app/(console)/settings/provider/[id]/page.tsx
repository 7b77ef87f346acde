import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";
import { permits } from "@/lib/commands/command";
import { applyProviderSettingsCommand, deleteAppRegistrationCommand, testProviderAppCommand } from "@/lib/commands/settings";
import { getProviderSettingsView, PROVIDER_ID } from "@/lib/provider/settings";
import { startSecretRotationCommand, switchCertificateCommand } from "@/lib/commands/rotation";
import { pageParamsSchema } from "@/lib/pagination";
import { ProviderSettingsForm } from "../provider-settings-form";
import { CertificatePanel } from "../certificate-panel";
import { RotationPanel } from "../rotation-panel";
import { DeleteRegistration } from "./delete-registration";

export const metadata: Metadata = { title: "App registration · Settings" };

export default async function RegistrationPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string>> }) {
  const admin = await requireAdmin();
  const { id } = await params;
  const { page } = pageParamsSchema.parse(await searchParams);
  if (id === PROVIDER_ID) redirect("/settings/provider");
  const settings = await getProviderSettingsView(id);
  if (!settings) notFound();
  return (
    <div className="space-y-3">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/settings/provider" className="text-blue-700 underline">
          App registrations
        </Link>{" "}
        <span aria-hidden>/</span> {settings.name}
      </nav>
      <ProviderSettingsForm
        settings={settings}
        canEdit={permits(admin.role, applyProviderSettingsCommand)}
        canTest={permits(admin.role, testProviderAppCommand)}
      />
      <CertificatePanel settings={settings} canEdit={permits(admin.role, switchCertificateCommand)} />
      <RotationPanel
        id={id}
        name={settings.name}
        hasSecret={settings.hasSecret}
        canRotate={permits(admin.role, startSecretRotationCommand)}
        page={page}
        basePath={`/settings/provider/${encodeURIComponent(id)}`}
      />
      {permits(admin.role, deleteAppRegistrationCommand) && (
        <div className="flex justify-end">
          <DeleteRegistration id={id} name={settings.name} version={settings.version} />
        </div>
      )}
    </div>
  );
}
