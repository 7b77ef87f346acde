import type { Metadata } from "next";
import Link from "next/link";
import { Pagination } from "@/components/pagination";
import { LocalTime } from "@/components/ui/local-time";
import { requireAdmin } from "@/lib/auth/session";
import { listCampaigns } from "@/lib/data/campaigns";
import { pageParamsSchema } from "@/lib/pagination";

export const metadata: Metadata = { title: "Campaigns" };

/**
 * Consent campaigns, newest first, each with its summary. A campaign is started with "Request consent" on
 * the Tenants page (a selection, a tag, or a root-cause group); its page is the invitations board.
 */
export default async function CampaignsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdmin();
  const params = pageParamsSchema.parse(await searchParams);
  const result = await listCampaigns(params);
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request; this is that request's time
  const now = Date.now();
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Campaigns</h1>
        <p className="max-w-3xl text-sm text-slate-600">
          Consent requests to many customers at once: each tenant&apos;s admin gets a consent link, by email with reminders or exported for your own mail merge,
          and each invitation is tracked until the tenant verifies. Start one with <strong>Request consent</strong> on the Tenants page.
        </p>
      </div>
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="dt min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Consent campaigns: {result.total}</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="pl-4">
                Campaign
              </th>
              <th scope="col">Delivery</th>
              <th scope="col">Created</th>
              <th scope="col" className="text-right">
                Invited
              </th>
              <th scope="col" className="text-right">
                Opened
              </th>
              <th scope="col" className="text-right">
                Verified
              </th>
              <th scope="col" className="text-right">
                Pending
              </th>
              <th scope="col" className="pr-4 text-right">
                Failed
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {result.items.length === 0 && (
              <tr>
                <td colSpan={8} className="px-4 py-10 text-center text-slate-600">
                  No campaigns yet. Select tenants on the{" "}
                  <Link href="/tenants" className="dt-link">
                    Tenants
                  </Link>{" "}
                  page and choose Request consent.
                </td>
              </tr>
            )}
            {result.items.map((c) => (
              <tr key={c.id} className="dt-row">
                <td className="pl-4">
                  <Link href={`/campaigns/${c.id}`} className="dt-link">
                    {c.name}
                  </Link>
                  <div className="dt-sub">by {c.createdBy}</div>
                </td>
                <td>{c.delivery === "email" ? `Email${c.channelName ? ` · ${c.channelName}` : ""}` : "Exported links"}</td>
                <td className="nw">
                  <LocalTime value={c.createdAt} renderedAt={now} />
                </td>
                <td className="text-right tabular-nums">{c.summary.invited}</td>
                <td className="text-right tabular-nums">{c.summary.opened}</td>
                <td className="text-right tabular-nums">{c.summary.verified}</td>
                <td className="text-right tabular-nums">{c.summary.pending}</td>
                <td className="pr-4 text-right tabular-nums">{c.summary.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination basePath="/campaigns" page={params.page} pageSize={params.pageSize} total={result.total} />
    </div>
  );
}
