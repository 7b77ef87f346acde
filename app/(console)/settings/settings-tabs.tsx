"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const tabs = [
  { href: "/settings/provider", label: "App registrations", adminOnly: false },
  { href: "/settings/entra", label: "Entra Authentication", adminOnly: false },
  { href: "/settings/alerts", label: "Alerts", adminOnly: false },
  { href: "/settings/admins", label: "Admins", adminOnly: true },
  { href: "/settings/api-tokens", label: "API tokens", adminOnly: true },
  { href: "/settings/channels", label: "Channels", adminOnly: true },
  { href: "/settings/tags", label: "Tags", adminOnly: false },
  { href: "/settings/branding", label: "Branding", adminOnly: false },
  { href: "/settings/instance", label: "This instance", adminOnly: false },
] as const;

/**
 * `showAdmins`: show the administrator-only tabs (Admins, API tokens, Channels). Their pages enforce the role too;
 * hiding the tabs only spares other roles a link to a refusal.
 */
export function SettingsTabs({ showAdmins = true }: { showAdmins?: boolean }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings sections" className="flex gap-1 border-b border-slate-200">
      {tabs
        .filter((t) => showAdmins || !t.adminOnly)
        .map((t) => {
          const active = pathname === t.href || pathname.startsWith(`${t.href}/`);
          return (
            <Link
              key={t.href}
              href={t.href}
              aria-current={active ? "page" : undefined}
              className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${active ? "border-blue-700 text-blue-800" : "border-transparent text-slate-600 hover:text-slate-900"}`}
            >
              {t.label}
            </Link>
          );
        })}
    </nav>
  );
}
