import type { Metadata } from "next";
import Link from "next/link";
import { TagChips } from "@/components/tag-chip";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { requireAdmin } from "@/lib/auth/session";
import { createAlertRuleCommand, updateAlertRuleCommand } from "@/lib/commands/alerts";
import { permits } from "@/lib/commands/command";
import { channelKindLabel, listChannelChoices } from "@/lib/data/alert-rules";
import { eventTypeInfo, eventTypes } from "@/lib/notify/events";
import { listAlertRules, type AlertRuleView } from "@/lib/notify/rules";
import { severityLabels } from "./labels";

export const metadata: Metadata = { title: "Alerts · Settings" };

function eventsText(r: AlertRuleView) {
  if (r.events.length === 0 || r.events.length === eventTypes.length) return "Every event";
  return r.events.map((t) => eventTypeInfo[t].label).join(", ");
}

/** The alert rules: which events go to which channels, for which tenants (lib/notify/route.ts applies them). */
export default async function AlertsSettingsPage({ searchParams }: { searchParams: Promise<{ saved?: string }> }) {
  const admin = await requireAdmin();
  const [rules, channels, { saved }] = await Promise.all([listAlertRules(), listChannelChoices(), searchParams]);
  const canCreate = permits(admin.role, createAlertRuleCommand);
  const canEdit = permits(admin.role, updateAlertRuleCommand);
  // The id of the rule just saved (the form's redirect), named from the list: the URL never supplies text to show.
  const savedRule = saved ? rules.find((r) => r.id === saved) : undefined;
  return (
    <section aria-labelledby="alert-rules-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="max-w-2xl">
          <h2 id="alert-rules-heading" className="text-base font-semibold">
            Alert rules
          </h2>
          <p className="text-sm text-slate-600">
            Which events are sent to which channels, for which tenants. An event goes to every channel of every enabled rule that takes it, once per channel.
            Incidents themselves are on the{" "}
            <Link href="/incidents" className="font-medium text-blue-700 underline">
              Incidents
            </Link>{" "}
            page.
          </p>
        </div>
        {canCreate && rules.length > 0 && (
          <Link href="/settings/alerts/new" className={buttonClass("primary")}>
            Add alert rule
          </Link>
        )}
      </div>

      {savedRule && (
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          Saved the rule {savedRule.name}.
        </p>
      )}

      {rules.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 px-6 py-10 text-center">
          <p className="text-sm font-semibold text-slate-900">No alert rules yet: nobody is told when access to a tenant is lost</p>
          <p className="mx-auto mt-1 max-w-lg text-sm text-slate-600">
            A rule sends incidents (access lost, access restored), deadlines (access breaking soon, consent links expiring unused) and failed runs to email,
            Teams or your PSA&apos;s webhook, for all tenants or the ones with certain tags.
            {channels.length === 0 && " Add a channel first, then a rule that uses it."}
          </p>
          {canCreate && (
            <div className="mt-4 flex items-center justify-center gap-3">
              {channels.length === 0 ? (
                <Link href="/settings/channels" className={buttonClass("primary")}>
                  Add a channel
                </Link>
              ) : (
                <Link href="/settings/alerts/new" className={buttonClass("primary")}>
                  Add alert rule
                </Link>
              )}
            </div>
          )}
        </div>
      ) : (
        <div className="-mx-6 -mb-6 overflow-x-auto rounded-b-xl">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Alert rules</caption>
            <thead className="border-y border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="py-2 pl-6 pr-3">
                  Rule
                </th>
                <th scope="col" className="px-3 py-2">
                  Events
                </th>
                <th scope="col" className="px-3 py-2">
                  Channels
                </th>
                <th scope="col" className="px-3 py-2">
                  Tenants
                </th>
                <th scope="col" className="py-2 pl-3 pr-6">
                  Schedule
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rules.map((r) => (
                <tr key={r.id} className={cn("align-top", !r.enabled && "bg-slate-50/60 text-slate-500")}>
                  <td className="min-w-44 py-3 pl-6 pr-3">
                    {canEdit ? (
                      <Link href={`/settings/alerts/${r.id}`} className="font-medium text-blue-700 hover:underline">
                        {r.name}
                      </Link>
                    ) : (
                      <span className="font-medium text-slate-900">{r.name}</span>
                    )}
                    <div className="mt-1">
                      <span className={cn("badge", r.enabled ? "badge-VERIFIED" : "badge-NEVER")}>{r.enabled ? "Enabled" : "Disabled"}</span>
                    </div>
                  </td>
                  <td className="min-w-48 max-w-64 px-3 py-3">
                    <div>{eventsText(r)}</div>
                    <div className="text-xs text-slate-500">
                      {severityLabels[r.minSeverity]} and above
                      {(r.events.length === 0 || r.events.includes("access.expiring")) && ` · access breaking within ${r.expiringWithinDays} days`}
                    </div>
                  </td>
                  <td className="px-3 py-3">
                    <ul>
                      {r.channels.map((c) => (
                        <li key={c.id}>
                          {c.name} <span className="text-xs text-slate-500">{channelKindLabel(c.kind)}</span>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className="px-3 py-3">{r.tags.length === 0 ? "Every tenant" : <TagChips tags={r.tags} label={`Tags of ${r.name}`} max={4} />}</td>
                  <td className="whitespace-nowrap py-3 pl-3 pr-6 text-xs text-slate-600">
                    <div>{r.quietStart ? `Quiet ${r.quietStart}–${r.quietEnd}` : "No quiet hours"}</div>
                    <div>{r.digestAt ? `Daily digest at ${r.digestAt}` : "No daily digest"}</div>
                    {(r.quietStart || r.digestAt) && <div className="text-slate-500">{r.timeZone.replaceAll("_", " ")}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
