import type { Metadata } from "next";
import { formatDateTime } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { requireAdmin } from "@/lib/auth/session";
import { listAuditEvents } from "@/lib/data/audit";
import { pageParamsSchema } from "@/lib/pagination";

export const metadata: Metadata = { title: "Audit log" };

function detailsText(details: Record<string, unknown>) {
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`)
    .join(" · ");
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  await requireAdmin();
  const { page, pageSize } = pageParamsSchema.parse(await searchParams);
  const result = await listAuditEvents({ page, pageSize });
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Audit log</h1>
        <p className="text-sm text-slate-600">Who did what, newest first. Secrets are never recorded.</p>
      </div>
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
                Details
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {result.items.length === 0 && (
              <tr>
                <td colSpan={5} className="px-4 py-8 text-center text-slate-600">
                  No events recorded yet.
                </td>
              </tr>
            )}
            {result.items.map((e) => (
              <tr key={e.id}>
                <td className="whitespace-nowrap px-4 py-2.5 text-slate-700">{formatDateTime(e.at)}</td>
                <td className="px-4 py-2.5 font-mono text-xs">{e.action}</td>
                <td className="px-4 py-2.5">{e.actorLabel}</td>
                <td className="px-4 py-2.5 text-xs text-slate-600">{e.targetType ? `${e.targetType} ${e.targetId ?? ""}` : "—"}</td>
                <td className="px-4 py-2.5 text-xs text-slate-600">{detailsText(e.details) || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination basePath="/audit" page={page} pageSize={pageSize} total={result.total} />
    </div>
  );
}
