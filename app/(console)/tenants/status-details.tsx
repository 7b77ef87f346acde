"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { Skeleton } from "@/components/ui/skeleton";
import type { TenantListItem, VerificationHistoryItem } from "@/lib/data/tenants";
import { explainStatus } from "@/lib/methods";
import { latestVerificationAction } from "./actions";

/** The expanded row: why the tenant has its status, what to do, and the diagnostics of the last check. */
export function StatusDetails({ tenant }: { tenant: TenantListItem }) {
  const [latest, setLatest] = useState<VerificationHistoryItem | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void latestVerificationAction({ id: tenant.id }).then((r) => live && setLatest(r.ok ? r.data : null));
    return () => {
      live = false;
    };
  }, [tenant.id, tenant.lastVerifiedAt]);
  const reason = explainStatus(tenant.authMethod, tenant.lastStatusCode);
  if (tenant.lastStatus === "NEVER") {
    return <p className="text-sm text-slate-700">This tenant has not been verified yet. Use Verify to check that the console can reach it.</p>;
  }
  const diagnostics = latest?.details.diagnostics ?? null;
  const notes = latest?.details.notes ?? [];
  const permissions = latest?.details.permissions;
  return (
    <div className="grid gap-4 text-sm md:grid-cols-3">
      <div>
        <h3 className="font-semibold text-slate-900">{reason?.title ?? tenant.lastStatusMessage}</h3>
        <p className="mt-1 text-slate-700">{reason?.explanation}</p>
        {notes.length > 0 && (
          <ul className="mt-1 list-disc pl-5 text-slate-600">
            {notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        )}
        {permissions?.missing && permissions.missing.length > 0 && (
          <p className="mt-1 text-slate-700">
            Missing permissions: <span className="font-mono text-xs">{permissions.missing.join(", ")}</span>
          </p>
        )}
      </div>
      <div>
        <h3 className="font-semibold text-slate-900">What to do</h3>
        <p className="mt-1 text-slate-700">{reason?.remediation.text}</p>
        <Link href={`/tenants/${tenant.id}`} className="mt-2 inline-block font-medium text-blue-700 hover:underline">
          Open {tenant.customerId} to fix it
        </Link>
      </div>
      <div>
        <h3 className="font-semibold text-slate-900">Diagnostics</h3>
        {latest === undefined ? (
          <div className="mt-2 space-y-1.5">
            <Skeleton className="h-3 w-48" />
            <Skeleton className="h-3 w-40" />
            <Skeleton className="h-3 w-44" />
          </div>
        ) : diagnostics && Object.keys(diagnostics).length > 0 ? (
          <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 font-mono text-xs text-slate-700">
            {Object.entries(diagnostics).map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-slate-500">{k}</dt>
                <dd className="break-all">{Array.isArray(v) ? v.join(", ") : String(v)}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p className="mt-1 text-slate-600">No error codes: the last check {latest ? `took ${latest.durationMs} ms` : "has no stored result"}.</p>
        )}
      </div>
    </div>
  );
}
