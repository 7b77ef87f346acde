import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Pagination } from "@/components/pagination";
import { StatusBadge } from "@/components/status-badge";
import { buttonClass } from "@/components/ui/button";
import { requireAdmin } from "@/lib/auth/session";
import { permits } from "@/lib/commands/command";
import { syncTenantUsersCommand } from "@/lib/commands/users";
import { getTenantHeading, getUserSyncState, listTenantUsers } from "@/lib/data/users";
import { pageParamsSchema } from "@/lib/pagination";
import { TenantTabs } from "../tenant-tabs";
import { syncView } from "./sync-view";
import { UserSyncPanel } from "./user-sync-panel";

export const metadata: Metadata = { title: "Tenant users" };

const PAGE_SIZE = 50;

/** The tenant's users as last synchronized from Graph (source 004's lookup list), searched and paged on the server. */
export default async function TenantUsersPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenantId: string }>;
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const admin = await requireAdmin();
  const { tenantId } = await params;
  const raw = await searchParams;
  const tenant = await getTenantHeading(tenantId);
  if (!tenant) notFound();
  const q = (raw.q ?? "").trim().slice(0, 200);
  const { page } = pageParamsSchema.parse(raw);
  const [users, sync] = await Promise.all([listTenantUsers(tenantId, { q, page, pageSize: PAGE_SIZE }), getUserSyncState(tenantId)]);
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request; this is that request's time
  const now = Date.now();
  const basePath = `/tenants/${tenantId}/users`;

  return (
    <div className="space-y-5">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/tenants" className="text-blue-700 underline">
          Authentication Status
        </Link>{" "}
        <span aria-hidden>/</span>{" "}
        <Link href={`/tenants/${tenantId}`} className="text-blue-700 underline">
          {tenant.customerId}
        </Link>{" "}
        <span aria-hidden>/</span> Users
      </nav>
      <div>
        <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight">
          {tenant.customerId} <StatusBadge status={tenant.lastStatus} />
        </h1>
        <p className="text-sm text-slate-600">
          {tenant.displayName} · {tenant.primaryDomain ?? tenant.entraTenantId ?? "tenant not identified yet"}
        </p>
      </div>
      <TenantTabs tenantId={tenantId} current="users" />

      <section aria-labelledby="sync-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <h2 id="sync-heading" className="text-base font-semibold">
          User sync
        </h2>
        <div className="mt-3">
          <UserSyncPanel tenantId={tenantId} initial={syncView(sync)} canSync={permits(admin.role, syncTenantUsersCommand)} renderedAt={now} />
        </div>
      </section>

      <section aria-labelledby="users-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <div>
            <h2 id="users-heading" className="text-base font-semibold">
              Users
            </h2>
            <p className="text-sm text-slate-600">As of the last sync, by user principal name.</p>
          </div>
          <form role="search" action={basePath} className="flex items-end gap-2">
            <div>
              <label htmlFor="user-search" className="block text-xs font-medium text-slate-600">
                Search users
              </label>
              <input
                id="user-search"
                name="q"
                type="search"
                defaultValue={q}
                maxLength={200}
                placeholder="UPN, name or mail"
                className="mt-1 h-9 w-72 rounded-md border border-slate-300 px-3 text-sm focus:border-blue-500 focus:outline-none focus:ring-2 focus:ring-blue-500/30"
              />
            </div>
            <button type="submit" className={buttonClass("secondary")}>
              Search
            </button>
            {q && (
              <Link href={basePath} className={buttonClass("ghost")}>
                Clear
              </Link>
            )}
          </form>
        </div>
        <div className="mt-4 overflow-x-auto rounded-lg border border-slate-200">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Synchronized users{q ? ` matching “${q}”` : ""}</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="whitespace-nowrap px-3 py-2.5">
                  User principal name
                </th>
                <th scope="col" className="whitespace-nowrap px-3 py-2.5">
                  Display name
                </th>
                <th scope="col" className="whitespace-nowrap px-3 py-2.5">
                  Mail
                </th>
                <th scope="col" className="whitespace-nowrap px-3 py-2.5">
                  Type
                </th>
                <th scope="col" className="whitespace-nowrap px-3 py-2.5">
                  Sign-in
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.items.length === 0 && (
                <tr>
                  <td colSpan={5} className="px-4 py-8 text-center text-slate-600">
                    {q
                      ? `No user matches “${q}”.`
                      : sync.lastSyncAt
                        ? "The tenant has no users."
                        : "No users yet: synchronize to read them from Microsoft Graph."}
                  </td>
                </tr>
              )}
              {users.items.map((u) => (
                <tr key={u.id}>
                  <td className="whitespace-nowrap px-3 py-2 font-medium text-slate-900">{u.userPrincipalName}</td>
                  <td className="whitespace-nowrap px-3 py-2">{u.displayName ?? "—"}</td>
                  <td className="whitespace-nowrap px-3 py-2 text-slate-700">{u.mail ?? "—"}</td>
                  <td className="px-3 py-2">{u.userType ?? "—"}</td>
                  <td className="px-3 py-2">
                    {u.accountEnabled === false ? (
                      <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">Disabled</span>
                    ) : u.accountEnabled ? (
                      <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-800">Enabled</span>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pagination basePath={basePath} page={page} pageSize={PAGE_SIZE} total={users.total} params={q ? { q } : {}} />
      </section>
    </div>
  );
}
