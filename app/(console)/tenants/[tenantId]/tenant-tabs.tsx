import Link from "next/link";

/** The tenant page's tabs: Overview (status, authorization, history) and Users (the synchronized lookup list). */
export function TenantTabs({ tenantId, current }: { tenantId: string; current: "overview" | "users" }) {
  const tabs = [
    { id: "overview", label: "Overview", href: `/tenants/${tenantId}` },
    { id: "users", label: "Users", href: `/tenants/${tenantId}/users` },
  ] as const;
  return (
    <nav aria-label="Tenant sections" className="border-b border-slate-200">
      <ul className="-mb-px flex gap-4">
        {tabs.map((t) => (
          <li key={t.id}>
            <Link
              href={t.href}
              aria-current={t.id === current ? "page" : undefined}
              className={
                t.id === current
                  ? "inline-block border-b-2 border-blue-600 px-1 pb-2 text-sm font-semibold text-blue-700"
                  : "inline-block border-b-2 border-transparent px-1 pb-2 text-sm font-medium text-slate-600 hover:border-slate-300 hover:text-slate-900"
              }
            >
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
