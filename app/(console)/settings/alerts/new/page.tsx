import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { listChannelChoices } from "@/lib/data/alert-rules";
import { listTags } from "@/lib/data/tags";
import { AlertRuleForm } from "../alert-rule-form";

export const metadata: Metadata = { title: "New alert rule · Settings" };

/** Administrators only: a rule decides who is told what (the command refuses other roles too). */
export default async function NewAlertRulePage() {
  await requireAdmin("ADMINISTRATOR");
  const [channels, tags] = await Promise.all([listChannelChoices(), listTags()]);
  return (
    <div className="space-y-3">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/settings/alerts" className="text-blue-700 underline">
          Alerts
        </Link>{" "}
        <span aria-hidden>/</span> New rule
      </nav>
      <AlertRuleForm rule={null} channels={channels} tags={tags} />
    </div>
  );
}
