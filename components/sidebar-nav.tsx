"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const items = [
  { href: "/tenants", label: "Tenants" },
  { href: "/incidents", label: "Incidents" },
  { href: "/campaigns", label: "Campaigns" },
  { href: "/settings", label: "Settings" },
  { href: "/audit", label: "Audit log" },
  { href: "/api-docs", label: "API reference" },
] as const;

/** `counts`: a number shown beside an item (the unresolved incidents beside Incidents); zero shows nothing. */
export function SidebarNav({ counts = {} }: { counts?: Partial<Record<(typeof items)[number]["href"], number>> }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex flex-wrap gap-1 md:flex-col">
      {items.map((item) => {
        const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
        const count = counts[item.href] ?? 0;
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            className={`flex items-center justify-between gap-2 rounded-md px-3 py-2 text-sm font-medium ${active ? "bg-slate-800 text-white" : "text-slate-300 hover:bg-slate-800/60 hover:text-white"}`}
          >
            {item.label}
            {count > 0 && (
              <span className="nav-count">
                {count.toLocaleString("en-US")}
                <span className="sr-only"> unresolved</span>
              </span>
            )}
          </Link>
        );
      })}
    </nav>
  );
}
