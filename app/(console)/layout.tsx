import { requireAdmin } from "@/lib/auth/session";
import Link from "next/link";
import { SidebarNav } from "@/components/sidebar-nav";
import { TimeZoneName, TimeZoneProvider } from "@/components/ui/local-time";
import { displayTimeZone } from "@/lib/data/preferences";
import { unresolvedIncidentCount } from "@/lib/data/incidents";
import { signOutAction } from "./actions";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const admin = await requireAdmin();
  const [unresolvedIncidents, zone] = await Promise.all([unresolvedIncidentCount(), displayTimeZone(admin.id)]);
  return (
    <TimeZoneProvider zone={zone}>
      <div className="flex min-h-screen flex-col md:flex-row">
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <aside className="bg-slate-900 px-3 py-4 md:w-56 md:shrink-0">
          <div className="mb-4 flex items-center gap-2 px-3">
            {/* eslint-disable-next-line @next/next/no-img-element -- a 28 px SVG from public/, nothing to optimise */}
            <img src="/logo.svg" alt="" width={28} height={28} className="h-7 w-7" />
            <span className="text-sm font-semibold text-white">Tenant Access Console</span>
          </div>
          <SidebarNav counts={{ "/incidents": unresolvedIncidents }} />
        </aside>
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex flex-wrap items-center justify-end gap-x-3 gap-y-2 border-b border-slate-200 bg-white px-4 py-3 sm:px-6">
            <Link href="/preferences" className="text-sm text-slate-600 hover:text-slate-900 hover:underline" title="Time zone and table density">
              Times in <TimeZoneName className="font-medium" />
            </Link>
            <span className="min-w-0 text-sm text-slate-700 [overflow-wrap:anywhere]">
              Signed in as <span className="font-medium">{admin.email}</span>
              <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-600">{admin.role.toLowerCase()}</span>
            </span>
            <form action={signOutAction}>
              <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50">
                Sign out
              </button>
            </form>
          </header>
          <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 focus:outline-none sm:px-6">
            {children}
          </main>
        </div>
      </div>
    </TimeZoneProvider>
  );
}
