import type { Metadata } from "next";
import Form from "next/form";
import Link from "next/link";
import { formatDuration } from "@/components/format";
import { IncidentStateBadge } from "@/components/incident-state-badge";
import { Pagination } from "@/components/pagination";
import { TagChips } from "@/components/tag-chip";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { LocalTime } from "@/components/ui/local-time";
import { requireAdmin } from "@/lib/auth/session";
import { acknowledgeIncidentCommand } from "@/lib/commands/alerts";
import { permits } from "@/lib/commands/command";
import { listTags } from "@/lib/data/tags";
import { incidentReasons, incidentStats, listIncidents, type IncidentItem, type IncidentStats } from "@/lib/data/incidents";
import { incidentPageParamsSchema, incidentPageQuery, incidentViewInfo, incidentViews, type IncidentPageParams } from "@/lib/validations/incident";
import { AcknowledgeButton, AutoSubmitSelect, IncidentsShell } from "./incident-controls";

export const metadata: Metadata = { title: "Incidents" };

/**
 * Lost access to customer tenants: one incident per tenant from the moment the failure policy marks it
 * Failed until it verifies again (lib/notify/incidents.ts). The URL is the view (state, tag, reason, page);
 * the counts and times to resolve follow the tag and reason filters, not the state.
 */
export default async function IncidentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const admin = await requireAdmin();
  const params = incidentPageParamsSchema.parse(await searchParams);
  const filters = { tagId: params.tag, reasonCode: params.reason };
  const [result, stats, reasons, tags] = await Promise.all([
    listIncidents({ page: params.page, pageSize: params.pageSize, filters: { ...filters, state: incidentViewInfo[params.state].states } }),
    incidentStats(filters),
    incidentReasons(),
    listTags(),
  ]);
  const canAcknowledge = permits(admin.role, acknowledgeIncidentCommand);
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request; this is that request's time
  const now = Date.now();
  const filtered = Boolean(params.tag || params.reason);
  const tagName = tags.find((t) => t.id === params.tag)?.name;
  const reasonTitle = reasons.find((r) => r.code === params.reason)?.title;

  return (
    <IncidentsShell>
      <div className="space-y-4">
        <div>
          <h1 className="text-2xl font-semibold">Incidents</h1>
          <p className="max-w-3xl text-sm text-slate-600">
            Lost access to a customer tenant, from the moment the failure policy marks it Failed until it verifies again. Brief throttling or a single transient
            error opens none. Acknowledge an incident to tell your colleagues that someone is on it.
          </p>
        </div>

        <SummaryCards stats={stats} scope={filtered ? [tagName && `tag ${tagName}`, reasonTitle].filter(Boolean).join(", ") : null} />

        <div className="flex flex-wrap items-end justify-between gap-3">
          <StateTabs params={params} stats={stats} />
          <Form key={`${params.tag}:${params.reason}`} action="/incidents" className="flex flex-wrap items-end gap-2" aria-label="Filter incidents">
            {params.state !== "unresolved" && <input type="hidden" name="state" value={params.state} />}
            <div>
              <label htmlFor="incident-tag" className="block text-xs font-medium text-slate-600">
                Tag
              </label>
              <AutoSubmitSelect
                id="incident-tag"
                name="tag"
                defaultValue={params.tag ?? ""}
                className="mt-0.5 block h-9 w-44 rounded-md border border-slate-300 bg-white px-2 text-sm"
              >
                <option value="">Every tag</option>
                {tags.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </AutoSubmitSelect>
            </div>
            <div>
              <label htmlFor="incident-reason" className="block text-xs font-medium text-slate-600">
                Reason
              </label>
              <AutoSubmitSelect
                id="incident-reason"
                name="reason"
                defaultValue={params.reason ?? ""}
                className="mt-0.5 block h-9 w-60 rounded-md border border-slate-300 bg-white px-2 text-sm"
              >
                <option value="">Every reason</option>
                {reasons.map((r) => (
                  <option key={r.code} value={r.code}>
                    {r.title}
                  </option>
                ))}
              </AutoSubmitSelect>
            </div>
            <button type="submit" className={buttonClass("secondary")}>
              Apply
            </button>
            {filtered && (
              <Link href={`/incidents?${new URLSearchParams(incidentPageQuery({ state: params.state }))}`} className="btn btn-ghost btn-md">
                Clear filters
              </Link>
            )}
          </Form>
        </div>

        <div id="incidents-table" tabIndex={-1} className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm focus:outline-none">
          <table className="dt min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">
              {incidentViewInfo[params.state].label} incidents{filtered ? " (filtered)" : ""}: {result.total}
            </caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="sm:pl-4">
                  Tenant
                </th>
                <th scope="col">State</th>
                {/* Under 640 px these give way (the reason and duration move under the tenant and state), so a phone needs no sideways scrolling. */}
                <th scope="col" className="max-sm:hidden">
                  Reason
                </th>
                <th scope="col" className="max-sm:hidden">
                  Opened
                </th>
                <th scope="col" className="max-sm:hidden">
                  Resolved
                </th>
                <th scope="col" className="max-sm:hidden">
                  Duration
                </th>
                {canAcknowledge && (
                  <th scope="col" className="sm:pr-4">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {result.items.length === 0 && (
                <tr>
                  <td colSpan={canAcknowledge ? 7 : 6} className="px-4 py-10 text-center text-slate-600">
                    <EmptyText params={params} filtered={filtered} />
                  </td>
                </tr>
              )}
              {result.items.map((i) => (
                <IncidentRow key={i.id} incident={i} now={now} canAcknowledge={canAcknowledge} />
              ))}
            </tbody>
          </table>
        </div>
        <Pagination
          basePath="/incidents"
          page={params.page}
          pageSize={params.pageSize}
          total={result.total}
          params={incidentPageQuery({ state: params.state, tag: params.tag, reason: params.reason })}
        />
      </div>
    </IncidentsShell>
  );
}

function SummaryCards({ stats, scope }: { stats: IncidentStats; scope: string | null }) {
  const cards = [
    { label: "Open", value: stats.open.toLocaleString("en-US"), hint: "nobody on it yet", tone: "text-red-700", dot: "bg-red-500" },
    { label: "Acknowledged", value: stats.acknowledged.toLocaleString("en-US"), hint: "someone is on it", tone: "text-amber-700", dot: "bg-amber-400" },
    { label: "Resolved", value: stats.resolved.toLocaleString("en-US"), hint: "verified again", tone: "text-emerald-700", dot: "bg-emerald-500" },
    {
      label: "Mean time to resolve",
      value: formatDuration(stats.meanSecondsToResolve),
      hint: stats.resolved ? "from opened to verified again" : "nothing resolved yet",
      tone: "text-slate-900",
      dot: "bg-slate-400",
    },
    {
      label: "Median time to resolve",
      value: formatDuration(stats.medianSecondsToResolve),
      hint: stats.resolved ? "half took longer" : "nothing resolved yet",
      tone: "text-slate-900",
      dot: "bg-slate-400",
    },
  ];
  return (
    <section aria-label={scope ? `Summary for ${scope}` : "Summary"}>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
        {cards.map((c) => (
          <div key={c.label} className="card border-slate-200">
            <dt className="card-label">
              <span aria-hidden className={cn("card-dot", c.dot)} />
              {c.label}
            </dt>
            <dd className={cn("mt-1 text-2xl font-semibold tabular-nums", c.tone)}>{c.value}</dd>
            <dd className="card-hint">{c.hint}</dd>
          </div>
        ))}
      </dl>
      {scope && <p className="mt-1 text-xs text-slate-500">Counts and times for {scope} only.</p>}
    </section>
  );
}

function StateTabs({ params, stats }: { params: IncidentPageParams; stats: IncidentStats }) {
  const count = { unresolved: stats.open + stats.acknowledged, open: stats.open, acknowledged: stats.acknowledged, resolved: stats.resolved, all: null };
  return (
    <nav aria-label="Incident state" className="inline-flex flex-wrap rounded-lg border border-slate-300 bg-white p-0.5 shadow-sm">
      {incidentViews.map((v) => {
        const current = params.state === v;
        const n = count[v];
        return (
          <Link
            key={v}
            href={`/incidents?${new URLSearchParams(incidentPageQuery({ state: v, tag: params.tag, reason: params.reason }))}`}
            aria-current={current ? "page" : undefined}
            className={cn(
              "flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium",
              current ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-100",
            )}
          >
            {incidentViewInfo[v].label}
            {n !== null && <span className={cn("text-xs tabular-nums", current ? "text-slate-300" : "text-slate-500")}>{n.toLocaleString("en-US")}</span>}
          </Link>
        );
      })}
    </nav>
  );
}

function EmptyText({ params, filtered }: { params: IncidentPageParams; filtered: boolean }) {
  if (filtered) return <>No {params.state === "all" ? "" : `${incidentViewInfo[params.state].label.toLowerCase()} `}incidents match these filters.</>;
  if (params.state === "unresolved" || params.state === "open")
    return (
      <>
        <span className="block font-medium text-slate-900">No lost access right now.</span>
        Every tenant the console checks is reachable, or its failure is still within the failure policy&apos;s grace (brief throttling, a single transient
        error).
      </>
    );
  return <>No {params.state === "all" ? "" : `${incidentViewInfo[params.state].label.toLowerCase()} `}incidents yet.</>;
}

function IncidentRow({ incident: i, now, canAcknowledge }: { incident: IncidentItem; now: number; canAcknowledge: boolean }) {
  return (
    <tr className="dt-row">
      <td className="sm:pl-4">
        <Link
          href={`/tenants/${i.tenantId}#incidents`}
          className="dt-link max-sm:inline-block max-sm:max-w-28 max-sm:truncate max-sm:align-bottom"
          title={i.customerId}
        >
          {i.customerId}
        </Link>
        <div className="dt-sub max-w-48 max-sm:max-w-28" title={i.tenantName}>
          {i.tenantName}
        </div>
        <div className="dt-sub max-w-28 font-medium text-slate-700 sm:hidden" title={i.reasonTitle}>
          {i.reasonTitle}
        </div>
        <TagChips tags={i.tags} label={`Tags of ${i.customerId}`} />
      </td>
      <td className="max-w-44">
        <IncidentStateBadge state={i.state} />
        {i.acknowledgedAt && (
          <div className="mt-1 text-xs text-slate-500">
            <div className="truncate max-sm:max-w-24" title={i.acknowledgedBy ?? undefined}>
              by {i.acknowledgedBy ?? "unknown"}
            </div>
            <LocalTime value={i.acknowledgedAt} renderedAt={now} className="sm:whitespace-nowrap" />
          </div>
        )}
        <div className="mt-1 text-xs tabular-nums text-slate-500 sm:hidden">
          {formatDuration(i.durationSeconds)}
          {!i.resolvedAt && " so far"}
        </div>
      </td>
      <td className="max-w-52 max-sm:hidden">
        <div className="font-medium text-slate-900">{i.reasonTitle}</div>
        <div className="dt-sub" title={i.reasonMessage ?? undefined}>
          {i.reasonMessage ?? i.reasonCode}
        </div>
      </td>
      <td className="nw max-sm:hidden">
        <LocalTime value={i.openedAt} renderedAt={now} />
      </td>
      <td className="nw max-sm:hidden">{i.resolvedAt ? <LocalTime value={i.resolvedAt} renderedAt={now} /> : <span className="text-slate-400">—</span>}</td>
      <td className="nw tabular-nums max-sm:hidden">
        {formatDuration(i.durationSeconds)}
        {!i.resolvedAt && <div className="dt-sub">so far</div>}
      </td>
      {canAcknowledge && (
        <td className="sm:pr-4">
          <div className="dt-actions">{i.state === "open" && <AcknowledgeButton id={i.id} customerId={i.customerId} />}</div>
        </td>
      )}
    </tr>
  );
}
