import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/ui/local-time";
import { Pagination } from "@/components/pagination";
import { auditActions } from "@/lib/audit";
import { requireAdmin } from "@/lib/auth/session";
import { listAdmins } from "@/lib/data/admins";
import { auditViewFilters, listAuditEvents } from "@/lib/data/audit";
import { auditViewQuery, auditViewSchema } from "@/lib/validations/audit";

export const metadata: Metadata = { title: "Audit log" };

function detailsText(details: Record<string, unknown>) {
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`)
    .join(" · ");
}

const field = "rounded-md border border-slate-300 px-2 py-1.5 text-sm";

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdmin();
  const view = auditViewSchema.parse(await searchParams);
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request; this is that request's time
  const now = Date.now();
  const { filters, tenantFound } = await auditViewFilters(view);
  const [result, admins] = await Promise.all([listAuditEvents({ page: view.page, pageSize: view.pageSize, filters }), listAdmins()]);
  const query = auditViewQuery(view);
  const filtered = Object.keys(query).length > 0;
  const exportHref = `/audit/export${filtered ? `?${new URLSearchParams(query)}` : ""}`;
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Audit log</h1>
        <p className="text-sm text-slate-600">Who did what, newest first. Secrets are never recorded.</p>
      </div>
      <form
        method="get"
        action="/audit"
        aria-label="Filter the audit log"
        className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
      >
        <label className="flex flex-col text-sm">
          Actor
          <input name="actor" defaultValue={view.actor ?? ""} list="audit-actors" placeholder="email or token name" className={field} />
          <datalist id="audit-actors">
            {admins.map((a) => (
              <option key={a.id} value={a.email} />
            ))}
          </datalist>
        </label>
        <div className="flex flex-col text-sm">
          <label htmlFor="audit-action">Action</label>
          <select
            id="audit-action"
            name="action"
            multiple
            defaultValue={view.action}
            size={4}
            aria-describedby="audit-action-hint"
            className={`${field} font-mono text-xs`}
          >
            {auditActions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
          <span id="audit-action-hint" className="max-w-xs text-xs text-slate-500">
            {view.action.length ? `Chosen: ${view.action.join(", ")}` : "Ctrl or ⌘ + click to choose several."}
          </span>
        </div>
        <label className="flex flex-col text-sm">
          Tenant
          <input name="tenant" defaultValue={view.tenant ?? ""} placeholder="customer id or name" className={field} />
        </label>
        <label className="flex flex-col text-sm">
          From (UTC)
          <input type="date" name="from" defaultValue={view.from ?? ""} className={field} />
        </label>
        <label className="flex flex-col text-sm">
          To (UTC, included)
          <input type="date" name="to" defaultValue={view.to ?? ""} className={field} />
        </label>
        <label className="flex flex-col text-sm">
          Request id
          <input name="requestId" defaultValue={view.requestId ?? ""} className={`${field} font-mono text-xs`} />
        </label>
        <div className="flex gap-2">
          <button type="submit" className="btn btn-primary btn-md">
            Apply filters
          </button>
          {filtered && (
            <Link href="/audit" className="btn btn-secondary btn-md">
              Clear
            </Link>
          )}
          <a href={exportHref} download className="btn btn-secondary btn-md">
            Export CSV
          </a>
        </div>
      </form>
      {!tenantFound && (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          No tenant has the customer id or name “{view.tenant}”.
        </p>
      )}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Audit events</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-3">
                Time
              </th>
              <th scope="col" className="px-4 py-3">
                Action
              </th>
              <th scope="col" className="px-4 py-3">
                Actor
              </th>
              <th scope="col" className="px-4 py-3">
                Target
              </th>
              <th scope="col" className="px-4 py-3">
                Request
              </th>
              <th scope="col" className="px-4 py-3">
                Details
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {result.items.length === 0 && (
              <tr>
                <td colSpan={6} className="px-4 py-8 text-center text-slate-600">
                  {filtered ? "No events match these filters." : "No events recorded yet."}
                </td>
              </tr>
            )}
            {result.items.map((e) => (
              <tr key={e.id}>
                <td className="whitespace-nowrap px-4 py-2.5 text-slate-700">
                  <LocalTime value={e.at} renderedAt={now} />
                </td>
                <td className="px-4 py-2.5 font-mono text-xs">{e.action}</td>
                <td className="px-4 py-2.5">{e.actorLabel}</td>
                <td className="px-4 py-2.5 text-xs text-slate-600">{e.targetType ? `${e.targetType} ${e.targetId ?? ""}` : "—"}</td>
                <td className="px-4 py-2.5 font-mono text-xs text-slate-500">
                  {e.requestId ? (
                    <Link
                      href={`/audit?${new URLSearchParams({ requestId: e.requestId })}`}
                      className="hover:underline"
                      title="Events of this request"
                      aria-label={`Events of request ${e.requestId}`}
                    >
                      {e.requestId.slice(0, 8)}
                    </Link>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="px-4 py-2.5 text-xs text-slate-600">{detailsText(e.details) || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination basePath="/audit" page={view.page} pageSize={view.pageSize} total={result.total} params={query} />
    </div>
  );
}
