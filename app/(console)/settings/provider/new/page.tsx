import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { permits } from "@/lib/commands/command";
import { createAppRegistrationCommand } from "@/lib/commands/settings";
import { cloudIds, type CloudId } from "@/lib/entra/clouds";
import { newRegistrationView } from "@/lib/provider/settings";
import { ProviderSettingsForm } from "../provider-settings-form";

export const metadata: Metadata = { title: "New app registration · Settings" };

/** `?cloud=USGOV`: the cloud a tenant's "No app registration for …" fix came from. */
export default async function NewRegistrationPage({ searchParams }: { searchParams: Promise<{ cloud?: string }> }) {
  const admin = await requireAdmin();
  const { cloud } = await searchParams;
  const chosen = (cloudIds as readonly string[]).includes(cloud ?? "") ? (cloud as CloudId) : "GLOBAL";
  return (
    <div className="space-y-3">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/settings/provider" className="text-blue-700 underline">
          App registrations
        </Link>{" "}
        <span aria-hidden>/</span> New
      </nav>
      <ProviderSettingsForm settings={newRegistrationView(chosen)} canEdit={permits(admin.role, createAppRegistrationCommand)} canTest={false} isNew />
    </div>
  );
}
