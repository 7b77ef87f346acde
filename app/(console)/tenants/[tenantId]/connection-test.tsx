"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { StatusBadge } from "@/components/status-badge";
import { settleAction } from "@/lib/settle-action";
import type { VerificationOutcome } from "@/lib/verification";
import { testConnectionAction } from "../actions";

/**
 * "Test the connection": signs in to the tenant and reads it through Graph right now, without recording
 * a verification result, and shows what the console sees.
 */
export function ConnectionTest({ tenantId, canTest }: { tenantId: string; canTest: boolean }) {
  const [result, setResult] = useState<VerificationOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const test = async () => {
    if (pending) return;
    setPending(true);
    setError(null);
    try {
      const r = await settleAction(testConnectionAction({ id: tenantId }));
      if (r.ok) setResult(r.data);
      else setError(r.error);
    } finally {
      setPending(false);
    }
  };
  const d = result?.details;
  const perms = d?.permissions;
  return (
    <div>
      <div className="flex flex-wrap items-center gap-3">
        {canTest ? (
          // Not disabled while testing (focus would drop to the page); the result is announced below.
          <Button
            variant="primary"
            onClick={test}
            aria-disabled={pending || undefined}
            aria-busy={pending || undefined}
            aria-describedby="connection-test-result"
          >
            {pending ? "Testing…" : "Test the connection"}
          </Button>
        ) : (
          <p className="text-sm text-slate-600">Operators and administrators can test the connection.</p>
        )}
        <p className="text-sm text-slate-600">
          Signs in to the tenant and reads its organization, users and granted permissions from Microsoft Graph. Nothing is recorded.
        </p>
      </div>
      {error && (
        <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <div id="connection-test-result" aria-live="polite">
        {result && d && (
          <div className="mt-4 space-y-3 text-sm">
            <div className="flex items-center gap-2">
              <StatusBadge status={result.status} />
              <span className="font-medium">
                {result.status !== "FAILED" ? "Connection works" : "Connection failed"}: {result.message}
              </span>
            </div>
            <dl className="grid gap-x-6 gap-y-1.5 sm:grid-cols-[12rem_1fr]">
              <dt className="text-slate-500">Organization</dt>
              <dd>{d.organization ? `${d.organization.displayName} (${d.organization.defaultDomain ?? "no default domain"}) · ${d.organization.id}` : "—"}</dd>
              <dt className="text-slate-500">Users</dt>
              <dd>{d.userCount ?? "—"}</dd>
              <dt className="text-slate-500">Signed-in user</dt>
              <dd>
                {d.signedInUser
                  ? `${d.signedInUser.userPrincipalName ?? d.signedInUser.mail ?? "unknown"}${d.signedInUser.matchesStoredEmail ? "" : " (differs from the stored M365 email)"}`
                  : "— (application permissions)"}
              </dd>
              <dt className="text-slate-500">Required permissions</dt>
              <dd className="font-mono text-xs">{perms?.required.join(", ") || "—"}</dd>
              <dt className="text-slate-500">Granted permissions</dt>
              <dd className="font-mono text-xs">{perms?.granted.join(", ") || "—"}</dd>
              {perms && perms.missing.length > 0 && (
                <>
                  <dt className="text-slate-500">Missing</dt>
                  <dd className="font-mono text-xs text-red-700">{perms.missing.join(", ")}</dd>
                </>
              )}
              <dt className="text-slate-500">What to do</dt>
              <dd>{d.remediation.text}</dd>
              <dt className="text-slate-500">Timings</dt>
              <dd>
                {d.timings.totalMs} ms total{d.timings.tokenMs !== undefined ? ` · token ${d.timings.tokenMs} ms` : ""}
                {d.timings.graphMs !== undefined ? ` · Graph ${d.timings.graphMs} ms` : ""}
              </dd>
            </dl>
            {d.diagnostics && Object.keys(d.diagnostics).length > 0 && (
              <details className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2">
                <summary className="cursor-pointer font-medium">Diagnostics for Microsoft support</summary>
                <pre className="mt-2 overflow-x-auto text-xs">{JSON.stringify(d.diagnostics, null, 2)}</pre>
              </details>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
