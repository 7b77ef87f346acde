import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/session";
import { getKeyring } from "@/lib/crypto/keyring";
import { isPostgresUrl } from "@/lib/db-client";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "This instance · Settings" };

function Row({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="grid grid-cols-1 gap-1 px-4 py-3 sm:grid-cols-3">
      <dt className="text-sm font-medium text-slate-700">{label}</dt>
      <dd className="text-sm text-slate-900 sm:col-span-2">
        {value}
        {hint && <p className="mt-0.5 text-xs text-slate-500">{hint}</p>}
      </dd>
    </div>
  );
}

export default async function InstanceSettingsPage() {
  await requireAdmin();
  const ring = getKeyring();
  return (
    <div className="space-y-4">
      <div>
        <h2 className="sr-only">This instance</h2>
        <p className="text-sm text-slate-600">How this console instance is configured. Values come from the environment (see README).</p>
      </div>
      <section aria-labelledby="instance" className="rounded-xl border border-slate-200 bg-white shadow-sm">
        <h2 id="instance" className="border-b border-slate-200 px-4 py-3 text-base font-semibold">
          This instance
        </h2>
        <dl className="divide-y divide-slate-100">
          <Row label="Public URL" value={env.APP_URL} hint="Consent links and the OAuth redirect URL are derived from it (APP_URL)." />
          <Row label="Database" value={isPostgresUrl(env.DATABASE_URL) ? "PostgreSQL" : "Embedded SQLite"} />
          <Row label="Encryption key" value={`Key ${ring.currentId}`} hint={`${ring.keys.size} key(s) loaded; rotate with npm run keys:rotate.`} />
          <Row
            label="Local sign-in"
            value={env.LOCAL_SIGN_IN_ENABLED ? "Enabled" : "Disabled"}
            hint={`Locks an account for ${Math.round(env.SIGN_IN_LOCK_SECONDS / 60)} minutes after ${env.SIGN_IN_MAX_FAILURES} failed attempts from one address.`}
          />
        </dl>
      </section>
    </div>
  );
}
