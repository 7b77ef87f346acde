import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Pagination } from "@/components/pagination";
import { LocalTime } from "@/components/ui/local-time";
import { requireAdmin } from "@/lib/auth/session";
import { channelDeliveries } from "@/lib/data/channels";
import { getChannelView } from "@/lib/notify/channels/store";
import { pageParamsSchema } from "@/lib/pagination";
import { listRegistrations } from "@/lib/provider/settings";
import { ChannelForm } from "../channel-form";
import { ChannelTest } from "../channel-test";
import { DeleteChannel } from "../delete-channel";
import { OutcomeBadge } from "../outcome-badge";
import { SigningSecrets } from "../signing-secrets";

export const metadata: Metadata = { title: "Channel · Settings" };

/** One channel: Test, its settings (secrets write-only), a webhook's signing secret, and its delivery log. */
export default async function ChannelPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string>> }) {
  await requireAdmin("ADMINISTRATOR");
  const { id } = await params;
  const { page, pageSize } = pageParamsSchema.parse({ pageSize: 25, ...(await searchParams) });
  const [channel, deliveries, registrations] = await Promise.all([getChannelView(id), channelDeliveries(id, page, pageSize), listRegistrations()]);
  if (!channel || !deliveries) notFound();
  const renderedAt = new Date().getTime();
  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/settings/channels" className="text-blue-700 underline">
          Channels
        </Link>{" "}
        <span aria-hidden>/</span> {channel.name}
      </nav>
      <section aria-labelledby="channel-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <h2 id="channel-heading" className="text-base font-semibold">
              {channel.name}
            </h2>
            <p className="text-sm text-slate-600">
              {channel.label}
              {channel.enabled ? "" : " · paused"}
            </p>
          </div>
          <DeleteChannel id={channel.id} name={channel.name} />
        </div>
        <ChannelTest id={channel.id} codeLabel={channel.kind === "SMTP" ? "SMTP" : "HTTP"} />
      </section>
      <ChannelForm
        channel={{
          id: channel.id,
          name: channel.name,
          kind: channel.kind,
          enabled: channel.enabled,
          config: channel.config,
          secretHint: channel.secretHint,
          version: channel.version,
        }}
        registrations={registrations.map((r) => ({ id: r.id, name: r.name }))}
      />
      {channel.kind === "WEBHOOK" && <SigningSecrets id={channel.id} hint={channel.secretHint} rotating={channel.rotating} />}
      <section aria-labelledby="log-heading" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="log-heading" className="text-base font-semibold">
          Delivery log
        </h2>
        {deliveries.total === 0 ? (
          <p className="mt-2 text-sm text-slate-600">Nothing sent yet. Send a test to check the channel.</p>
        ) : (
          <>
            <div className="-mx-6 mt-3 overflow-x-auto">
              <table className="w-full text-left text-sm">
                <caption className="sr-only">Delivery attempts, newest first</caption>
                <thead className="border-y border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
                  <tr>
                    <th scope="col" className="py-2 pl-6 pr-3">
                      Time
                    </th>
                    <th scope="col" className="px-3 py-2">
                      Status
                    </th>
                    <th scope="col" className="px-3 py-2">
                      Response
                    </th>
                    <th scope="col" className="px-3 py-2">
                      Duration
                    </th>
                    <th scope="col" className="px-3 py-2">
                      Attempt
                    </th>
                    <th scope="col" className="py-2 pl-3 pr-6">
                      Error
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {deliveries.items.map((d) => (
                    <tr key={d.id} className="align-top">
                      <td className="whitespace-nowrap py-2 pl-6 pr-3">
                        <LocalTime value={d.at} renderedAt={renderedAt} />
                      </td>
                      <td className="whitespace-nowrap px-3 py-2">
                        <OutcomeBadge outcome={d.outcome} />
                      </td>
                      <td className="px-3 py-2 font-mono text-xs">{d.responseCode ?? "—"}</td>
                      <td className="whitespace-nowrap px-3 py-2">{d.durationMs} ms</td>
                      <td className="px-3 py-2">{d.notificationId ? d.attempt : "test"}</td>
                      <td className="max-w-md break-words py-2 pl-3 pr-6 text-slate-700">{d.error ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination basePath={`/settings/channels/${channel.id}`} page={deliveries.page} pageSize={deliveries.pageSize} total={deliveries.total} />
          </>
        )}
      </section>
    </div>
  );
}
