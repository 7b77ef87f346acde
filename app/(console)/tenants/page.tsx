import type { Metadata } from "next";
import { cloudLabels, formatDateTime, methodLabels } from "@/components/format";
import { Pagination } from "@/components/pagination";
import { StatusBadge } from "@/components/status-badge";
import { requireAdmin } from "@/lib/auth/session";
import { listTenants } from "@/lib/data/tenants";
import { pageParamsSchema } from "@/lib/pagination";

export const metadata: Metadata = { title: "Tenants" };

export default async function TenantsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  await requireAdmin();
  const { page, pageSize } = pageParamsSchema.parse(await searchParams);
  const result = await listTenants({ page, pageSize });
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Authentication Status</h1>
        <p className="text-sm text-slate-600">Every customer tenant the console manages, with the result of its last verification.</p>
      </div>
      {result.total === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center">
          <h2 className="text-base font-semibold">No tenants yet</h2>
          <p className="mt-1 text-sm text-slate-600">Tenants you add or import appear here with their verification status.</p>
        </div>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Customer tenants</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-3">Customer Id</th>
                <th scope="col" className="px-4 py-3">M365 Email</th>
                <th scope="col" className="px-4 py-3">Authentication Method</th>
                <th scope="col" className="px-4 py-3">Cloud</th>
                <th scope="col" className="px-4 py-3">When Last Verified</th>
                <th scope="col" className="px-4 py-3">Last Verification Status</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {result.items.map((t) => (
                <tr key={t.id}>
                  <td className="px-4 py-3">
                    <div className="font-medium">{t.customerId}</div>
                    <div className="text-xs text-slate-500">{t.displayName}</div>
                  </td>
                  <td className="px-4 py-3">{t.adminEmail}</td>
                  <td className="px-4 py-3">{methodLabels[t.authMethod]}</td>
                  <td className="px-4 py-3">{cloudLabels[t.cloud]}</td>
                  <td className="px-4 py-3 whitespace-nowrap">{formatDateTime(t.lastVerifiedAt)}</td>
                  <td className="px-4 py-3">
                    <StatusBadge status={t.lastStatus} />
                    {t.lastStatusMessage && <div className="mt-1 max-w-xs text-xs text-slate-600">{t.lastStatusMessage}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination basePath="/tenants" page={page} pageSize={pageSize} total={result.total} />
    </div>
  );
}
