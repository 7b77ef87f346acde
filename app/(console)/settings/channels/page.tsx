import type { Metadata } from "next";
import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/local-time";
import { requireAdmin } from "@/lib/auth/session";
import { listChannels } from "@/lib/data/channels";
import { OutcomeBadge } from "./outcome-badge";

export const metadata: Metadata = { title: "Channels · Settings" };

/** Where notifications go. Administrators only: channels hold passwords and signing secrets. */
export default async function ChannelsPage() {
  await requireAdmin("ADMINISTRATOR");
  const channels = await listChannels();
  const renderedAt = new Date().getTime();
  return (
    <section aria-labelledby="channels-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="max-w-2xl">
          <h2 id="channels-heading" className="text-base font-semibold">
            Channels
          </h2>
          <p className="text-sm text-slate-600">
            Where notifications go: email over SMTP or Microsoft Graph, a Microsoft Teams channel through a workflow, or a signed webhook for a PSA or RMM
            system. Alert rules choose which events go to which channels.
          </p>
        </div>
        <Link href="/settings/channels/new" className={buttonClass("primary")}>
          Add channel
        </Link>
      </div>
      {channels.length === 0 ? (
        <p className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-600">No channel yet. Add one, then send a test message.</p>
      ) : (
        <div className="-mx-6 -mb-6 overflow-x-auto rounded-b-xl">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Notification channels</caption>
            <thead className="border-y border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="py-2 pl-6 pr-3">
                  Name
                </th>
                <th scope="col" className="px-3 py-2">
                  Kind
                </th>
                <th scope="col" className="px-3 py-2">
                  Enabled
                </th>
                <th scope="col" className="py-2 pl-3 pr-6">
                  Last delivery
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {channels.map((c) => (
                <tr key={c.id} className="align-top">
                  <td className="py-3 pl-6 pr-3">
                    <Link href={`/settings/channels/${c.id}`} className="font-medium text-blue-700 hover:underline">
                      {c.name}
                    </Link>
                    {c.secretHint && <div className="text-xs text-slate-500">{c.secretHint}</div>}
                  </td>
                  <td className="px-3 py-3">{c.label}</td>
                  <td className="px-3 py-3">{c.enabled ? "Yes" : <span className="text-slate-500">No (paused)</span>}</td>
                  <td className="py-3 pl-3 pr-6">
                    {c.lastDelivery ? (
                      <span className="flex flex-wrap items-center gap-2">
                        <OutcomeBadge outcome={c.lastDelivery.outcome} />
                        {c.lastDelivery.responseCode !== null && <span className="font-mono text-xs">{c.lastDelivery.responseCode}</span>}
                        <LocalTime value={c.lastDelivery.at} renderedAt={renderedAt} className="text-xs text-slate-500" />
                      </span>
                    ) : (
                      <span className="text-slate-500">Nothing sent yet</span>
                    )}
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
