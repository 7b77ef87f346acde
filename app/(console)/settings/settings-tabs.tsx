"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const tabs = [
  { href: "/settings/provider", label: "Provider app" },
  { href: "/settings/entra", label: "Entra Authentication" },
  { href: "/settings/admins", label: "Admins" },
  { href: "/settings/instance", label: "This instance" },
] as const;

/** `showAdmins`: the Admins tab is for administrators only (the page itself enforces it too). */
export function SettingsTabs({ showAdmins = true }: { showAdmins?: boolean }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings sections" className="flex gap-1 border-b border-slate-200">
      {tabs.filter((t) => showAdmins || t.href !== "/settings/admins").map((t) => {
        const active = pathname === t.href;
        return (
          <Link key={t.href} href={t.href} aria-current={active ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${active ? "border-blue-700 text-blue-800" : "border-transparent text-slate-600 hover:text-slate-900"}`}>
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
