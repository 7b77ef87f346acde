"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const items = [
  { href: "/tenants", label: "Tenants" },
  { href: "/settings", label: "Settings" },
  { href: "/audit", label: "Audit log" },
  { href: "/api-docs", label: "API reference" },
] as const;

export function SidebarNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex gap-1 md:flex-col">
      {items.map((item) => {
        const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            className={`rounded-md px-3 py-2 text-sm font-medium ${active ? "bg-slate-800 text-white" : "text-slate-300 hover:bg-slate-800/60 hover:text-white"}`}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
