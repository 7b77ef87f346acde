import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { Pagination } from "@/components/pagination";
import { cn } from "@/components/ui/cn";
import { LocalTime } from "@/components/ui/local-time";
import { requireAdmin } from "@/lib/auth/session";
import { closedStates, invitationStates, summaryBucket, type InvitationState } from "@/lib/campaigns/states";
import { resendInvitationCommand, revokeInvitationCommand } from "@/lib/commands/campaigns";
import { permits } from "@/lib/commands/command";
import { getCampaign, listInvitations, type CampaignSummary, type InvitationView } from "@/lib/data/campaigns";
import { pageParamsSchema } from "@/lib/pagination";
import { InvitationStateBadge } from "../invitation-state-badge";
import { BoardShell, InvitationActions } from "./invitation-actions";

export const metadata: Metadata = { title: "Campaign" };

const views = ["all", "pending", "opened", "verified", "failed", "closed"] as const;
type View = (typeof views)[number];
const viewLabels: Record<View, string> = {
  all: "All",
  pending: "Pending",
  opened: "Opened",
  verified: "Verified",
  failed: "Failed",
  closed: "Expired or revoked",
};
const viewHints: Record<View, string> = {
  all: "invited",
  pending: "queued or sent, not opened yet",
  opened: "opened, at Microsoft, consented or confirming",
  verified: "the tenant verified",
  failed: "delivery failed or declined",
  closed: "no longer usable",
};
const boardParamsSchema = pageParamsSchema.extend({ state: z.enum(views).catch("all") });

const declineLabels: Record<string, string> = {
  cancelled: "Cancelled at Microsoft",
  wrong_directory: "Wrong directory",
  not_admin: "Not an administrator",
  failed: "Failed",
};

/**
 * The invitations board: each invitation's state and when each step happened, filtered by summary bucket
 * (in the URL); the cards count the same buckets as the rows, so a card's number is its filter's rows.
 */
export default async function CampaignBoardPage({
  params,
  searchParams,
}: {
  params: Promise<{ campaignId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireAdmin();
  const { campaignId } = await params;
  const query = boardParamsSchema.parse(await searchParams);
  const campaign = await getCampaign(campaignId);
  if (!campaign) notFound();
  const states = query.state === "all" ? undefined : invitationStates.filter((s) => summaryBucket(s) === query.state);
  const result = await listInvitations(campaignId, { states, page: query.page, pageSize: query.pageSize });
  const canResend = permits(admin.role, resendInvitationCommand);
  const canRevoke = permits(admin.role, revokeInvitationCommand);
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request; this is that request's time
  const now = Date.now();
  const href = (state: View) => `/campaigns/${campaignId}?${new URLSearchParams(state === "all" ? {} : { state })}`;

  return (
    <BoardShell>
      <div className="space-y-4">
        <div>
          <Link href="/campaigns" className="text-sm text-slate-600 hover:underline">
            ← Campaigns
          </Link>
          <h1 className="text-2xl font-semibold">{campaign.name}</h1>
          <p className="text-sm text-slate-600">
            {campaign.delivery === "email"
              ? `Emailed through ${campaign.channelName ?? "a deleted channel"}; reminders ${campaign.reminderDays.length ? `after ${campaign.reminderDays.join(" and ")} days` : "off"}.`
              : "Links exported for your own mail merge."}{" "}
            Links valid {campaign.linkDays} {campaign.linkDays === 1 ? "day" : "days"}. Created by {campaign.createdBy},{" "}
            <LocalTime value={campaign.createdAt} renderedAt={now} />.
          </p>
        </div>

        <SummaryCards summary={campaign.summary} />

        <nav aria-label="Invitation state" className="inline-flex flex-wrap rounded-lg border border-slate-300 bg-white p-0.5 shadow-sm">
          {views.map((v) => {
            const current = query.state === v;
            const n = v === "all" ? campaign.summary.invited : campaign.summary[v];
            return (
              <Link
                key={v}
                href={href(v)}
                aria-current={current ? "page" : undefined}
                className={cn(
                  "flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium",
                  current ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-100",
                )}
              >
                {viewLabels[v]}
                <span className={cn("text-xs tabular-nums", current ? "text-slate-300" : "text-slate-500")}>{n}</span>
              </Link>
            );
          })}
        </nav>

        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="dt min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">
              {viewLabels[query.state]} invitations: {result.total}
            </caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="pl-4">
                  Tenant
                </th>
                <th scope="col">State</th>
                <th scope="col">Steps</th>
                <th scope="col">Reminders</th>
                <th scope="col">Link expires</th>
                {(canResend || canRevoke) && (
                  <th scope="col" className="pr-4">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {result.items.length === 0 && (
                <tr>
                  <td colSpan={6} className="px-4 py-10 text-center text-slate-600">
                    No {query.state === "all" ? "" : `${viewLabels[query.state].toLowerCase()} `}invitations.
                  </td>
                </tr>
              )}
              {result.items.map((i) => (
                <InvitationRow key={i.id} invitation={i} now={now} canResend={canResend} canRevoke={canRevoke} />
              ))}
            </tbody>
          </table>
        </div>
        <Pagination
          basePath={`/campaigns/${campaignId}`}
          page={query.page}
          pageSize={query.pageSize}
          total={result.total}
          params={query.state === "all" ? {} : { state: query.state }}
        />
      </div>
    </BoardShell>
  );
}

function SummaryCards({ summary }: { summary: CampaignSummary }) {
  const cards: { key: View; dot: string; tone: string }[] = [
    { key: "all", dot: "bg-slate-400", tone: "text-slate-900" },
    { key: "opened", dot: "bg-blue-500", tone: "text-blue-700" },
    { key: "verified", dot: "bg-emerald-500", tone: "text-emerald-700" },
    { key: "pending", dot: "bg-slate-400", tone: "text-slate-900" },
    { key: "failed", dot: "bg-red-500", tone: "text-red-700" },
  ];
  return (
    <section aria-label="Summary">
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
        {cards.map((c) => (
          <div key={c.key} className="card border-slate-200">
            <dt className="card-label">
              <span aria-hidden className={cn("card-dot", c.dot)} />
              {c.key === "all" ? "Invited" : viewLabels[c.key]}
            </dt>
            <dd className={cn("mt-1 text-2xl font-semibold tabular-nums", c.tone)}>{c.key === "all" ? summary.invited : summary[c.key]}</dd>
            <dd className="card-hint">{viewHints[c.key]}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

const steps: { key: keyof InvitationView; label: string }[] = [
  { key: "sentAt", label: "Sent" },
  { key: "deliveryFailedAt", label: "Delivery failed" },
  { key: "openedAt", label: "Link opened" },
  { key: "sentToMicrosoftAt", label: "Sent to Microsoft" },
  { key: "consentedAt", label: "Consented" },
  { key: "confirmingAt", label: "Confirming" },
  { key: "verifiedAt", label: "Verified" },
  { key: "declinedAt", label: "Declined" },
  { key: "expiredAt", label: "Expired" },
  { key: "revokedAt", label: "Revoked" },
];

function InvitationRow({ invitation: i, now, canResend, canRevoke }: { invitation: InvitationView; now: number; canResend: boolean; canRevoke: boolean }) {
  const closed = closedStates.includes(i.state as InvitationState);
  return (
    <tr className="dt-row align-top">
      <td className="pl-4">
        <Link href={`/tenants/${i.tenantId}`} className="dt-link">
          {i.customerId}
        </Link>
        <div className="dt-sub max-w-48" title={i.tenantName}>
          {i.tenantName}
        </div>
        <div className="dt-sub max-w-48" title={i.email}>
          {i.email}
        </div>
      </td>
      <td className="max-w-56">
        <InvitationStateBadge state={i.state} />
        {i.state === "declined" && i.declineReason && (
          <div className="mt-1 text-xs text-slate-700">
            <div className="font-medium">{declineLabels[i.declineReason] ?? i.declineReason}</div>
            {i.declineDetail && <div>{i.declineReason === "not_admin" ? `Needs ${i.declineDetail}` : i.declineDetail}</div>}
          </div>
        )}
        {i.lastError && (i.state === "delivery_failed" || i.state === "sent") && (
          <div className="mt-1 text-xs text-red-700" title={i.lastError}>
            {i.lastError.slice(0, 160)}
          </div>
        )}
      </td>
      <td>
        <dl className="grid grid-cols-[auto_auto] gap-x-2 text-xs">
          {steps
            .filter((s) => i[s.key])
            .map((s) => (
              <div key={s.key} className="contents">
                <dt className="text-slate-500">{s.label}</dt>
                <dd>
                  <LocalTime value={i[s.key] as Date} renderedAt={now} className="whitespace-nowrap" />
                </dd>
              </div>
            ))}
        </dl>
      </td>
      <td className="text-xs">
        {i.remindersSent} sent
        {i.nextReminderAt && !closed && (
          <div className="text-slate-500">
            next <LocalTime value={i.nextReminderAt} renderedAt={now} />
          </div>
        )}
      </td>
      <td className="nw text-xs">
        <LocalTime value={i.linkExpiresAt} renderedAt={now} />
      </td>
      {(canResend || canRevoke) && (
        <td className="pr-4">
          <InvitationActions id={i.id} customerId={i.customerId} canResend={canResend && i.state !== "verified"} canRevoke={canRevoke && !closed} />
        </td>
      )}
    </tr>
  );
}
