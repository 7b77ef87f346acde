import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";
import { listChannelChoices } from "@/lib/data/alert-rules";
import { listTags } from "@/lib/data/tags";
import { getAlertRule } from "@/lib/notify/rules";
import { AlertRuleForm } from "../alert-rule-form";
import { DeleteAlertRule } from "./delete-alert-rule";

export const metadata: Metadata = { title: "Alert rule · Settings" };

export default async function AlertRulePage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdmin("ADMINISTRATOR");
  const { id } = await params;
  const [rule, channels, tags] = await Promise.all([getAlertRule(id), listChannelChoices(), listTags()]);
  if (!rule) notFound();
  return (
    <div className="space-y-3">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/settings/alerts" className="text-blue-700 underline">
          Alerts
        </Link>{" "}
        <span aria-hidden>/</span> {rule.name}
      </nav>
      <AlertRuleForm key={rule.version} rule={rule} channels={channels} tags={tags} />
      <div className="flex justify-end">
        <DeleteAlertRule id={rule.id} name={rule.name} />
      </div>
    </div>
  );
}
