import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { listRegistrations } from "@/lib/provider/settings";
import { ChannelForm } from "../channel-form";

export const metadata: Metadata = { title: "New channel · Settings" };

export default async function NewChannelPage() {
  await requireAdmin("ADMINISTRATOR");
  const registrations = (await listRegistrations()).map((r) => ({ id: r.id, name: r.name }));
  return (
    <div className="space-y-3">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/settings/channels" className="text-blue-700 underline">
          Channels
        </Link>{" "}
        <span aria-hidden>/</span> New
      </nav>
      <ChannelForm channel={null} registrations={registrations} />
    </div>
  );
}
