import Link from "next/link";
import { formatDuration } from "@/components/format";
import { IncidentStateBadge } from "@/components/incident-state-badge";
import { LocalTime } from "@/components/ui/local-time";
import { incidentStats, listIncidents } from "@/lib/data/incidents";

const SHOWN = 10;

/**
 * The tenant's incidents (lost access, until it verified again), unresolved first, then the latest resolved,
 * and its mean time to resolve. `id="incidents"` is the anchor notifications link to.
 */
export async function TenantIncidents({ tenantId, now }: { tenantId: string; now: number }) {
  const [history, stats] = await Promise.all([listIncidents({ page: 1, pageSize: SHOWN, filters: { tenantId } }), incidentStats({ tenantId })]);
  const unresolved = stats.open + stats.acknowledged;
  return (
    <section id="incidents" aria-labelledby="section-incidents" className="scroll-mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h2 id="section-incidents" className="text-base font-semibold">
          Incidents
        </h2>
        {history.total > 0 && (
          <p className="text-sm text-slate-600">
            {history.total.toLocaleString("en-US")} in all{unresolved > 0 ? `, ${unresolved} unresolved` : ""} · mean time to resolve{" "}
            <span className="font-medium text-slate-900">{formatDuration(stats.meanSecondsToResolve)}</span>
          </p>
        )}
      </div>
      <p className="mt-0.5 text-sm text-slate-600">Each time access to this tenant was lost, until it verified again.</p>
      <div className="mt-4">
        {history.total === 0 ? (
          <p className="text-sm text-slate-600">No incidents: access to this tenant has never been lost since the console started tracking it.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-sm">
              <caption className="sr-only">Incidents of this tenant</caption>
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-4">
                    State
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Reason
                  </th>
                  {/* Under 640 px these give way (when it opened moves under the reason): no sideways scrolling on a phone. */}
                  <th scope="col" className="py-2 pr-4 max-sm:hidden">
                    Opened
                  </th>
                  <th scope="col" className="py-2 pr-4 max-sm:hidden">
                    Resolved
                  </th>
                  <th scope="col" className="py-2">
                    Duration
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {history.items.map((i) => (
                  <tr key={i.id}>
                    <td className="py-2 pr-4">
                      <IncidentStateBadge state={i.state} />
                      {i.acknowledgedBy && <div className="mt-0.5 max-w-44 truncate text-xs text-slate-500">by {i.acknowledgedBy}</div>}
                    </td>
                    <td className="py-2 pr-4">
                      {i.reasonTitle}
                      <div className="text-xs text-slate-500 sm:hidden">
                        Opened <LocalTime value={i.openedAt} renderedAt={now} />
                      </div>
                    </td>
                    <td className="whitespace-nowrap py-2 pr-4 max-sm:hidden">
                      <LocalTime value={i.openedAt} renderedAt={now} />
                    </td>
                    <td className="whitespace-nowrap py-2 pr-4 max-sm:hidden">
                      {i.resolvedAt ? <LocalTime value={i.resolvedAt} renderedAt={now} /> : <span className="text-slate-400">—</span>}
                    </td>
                    <td className="py-2 tabular-nums sm:whitespace-nowrap">
                      {formatDuration(i.durationSeconds)}
                      {!i.resolvedAt && <span className="text-xs text-slate-500"> so far</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {history.total > SHOWN && (
              <p className="mt-2 text-sm text-slate-600">
                The {SHOWN} most recent of {history.total.toLocaleString("en-US")}.{" "}
                <Link href="/incidents?state=all" className="font-medium text-blue-700 underline">
                  All incidents
                </Link>
              </p>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
