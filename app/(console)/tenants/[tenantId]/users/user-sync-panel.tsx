"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/local-time";
import { settleAction } from "@/lib/settle-action";
import { cancelUserSyncAction, syncUsersAction, userSyncStateAction } from "./actions";
import type { SyncView } from "./sync-view";

const POLL_MS = 1_000;
const number = (n: number) => n.toLocaleString("en-US");

/**
 * "Synchronize users" with live progress: while a sync runs (started here, by another admin, by the REST
 * API or the schedule) the state is read every second; when it ends the page reloads its list.
 */
export function UserSyncPanel({ tenantId, initial, canSync, renderedAt }: { tenantId: string; initial: SyncView; canSync: boolean; renderedAt: number }) {
  const router = useRouter();
  const [state, setState] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const running = state.status === "RUNNING";
  const wasRunning = useRef(running);

  // A fresh server render (router.refresh after a sync) brings a new initial state.
  const [seen, setSeen] = useState(initial);
  if (seen !== initial) {
    setSeen(initial);
    setState(initial);
  }

  useEffect(() => {
    if (!running) {
      if (wasRunning.current) router.refresh();
      wasRunning.current = false;
      return;
    }
    wasRunning.current = true;
    let stopped = false;
    const timer = setInterval(async () => {
      const r = await settleAction(userSyncStateAction({ id: tenantId }));
      if (stopped) return;
      if (r.ok) setState(r.data);
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [running, tenantId, router]);

  const start = async () => {
    setStarting(true);
    setError(null);
    try {
      const r = await settleAction(syncUsersAction({ id: tenantId }));
      if (r.ok) setState(r.data.state);
      else setError(r.error);
    } finally {
      setStarting(false);
    }
  };

  const cancel = async () => {
    setCancelling(true);
    setError(null);
    try {
      const r = await settleAction(cancelUserSyncAction({ id: tenantId }));
      if (r.ok) setState(r.data.state);
      else setError(r.error);
    } finally {
      setCancelling(false);
    }
  };

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        {canSync ? (
          <>
            <Button variant="primary" onClick={start} pending={starting || running} disabled={running}>
              {running ? "Synchronizing…" : "Synchronize users"}
            </Button>
            {running && (
              <Button variant="secondary" onClick={cancel} pending={cancelling}>
                Cancel sync
              </Button>
            )}
          </>
        ) : (
          <p className="text-sm text-slate-600">Operators and administrators can synchronize users.</p>
        )}
        <p className="text-sm text-slate-600">
          Reads the tenant&apos;s users from Microsoft Graph into this list: every user the first time, then only what changed.
        </p>
      </div>

      <div aria-live="polite" className="text-sm">
        {running ? (
          <p role="status" className="rounded-md border border-blue-200 bg-blue-50 px-3 py-2 text-blue-900">
            Synchronizing: <span className="font-semibold tabular-nums">{number(state.progressUsers)}</span> users so far
            {state.progressPages > 0 && <> ({number(state.progressPages)} pages)</>}.
          </p>
        ) : state.status === "FAILED" ? (
          <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-900">
            <p className="font-semibold">The last sync failed: {state.message ?? "unknown reason"}</p>
            {state.reasonCode && <p className="font-mono text-xs">{state.reasonCode}</p>}
            <p className="mt-1">The list below is from the last successful sync. Check the tenant&apos;s status on the Overview tab, then synchronize again.</p>
          </div>
        ) : state.status === "CANCELLED" ? (
          <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
            The last sync was cancelled after {number(state.progressUsers)} users. The next sync starts over.
          </p>
        ) : null}
      </div>

      <dl className="grid gap-4 sm:grid-cols-3">
        <div>
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Users</dt>
          <dd className="mt-0.5 text-2xl font-semibold tabular-nums" data-testid="user-count">
            {number(state.userCount)}
          </dd>
        </div>
        <div>
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Last synchronized</dt>
          <dd className="mt-0.5 text-sm text-slate-900">{state.lastSyncAt ? <LocalTime value={state.lastSyncAt} renderedAt={renderedAt} /> : "Never"}</dd>
        </div>
        <div>
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">How</dt>
          <dd className="mt-0.5 text-sm text-slate-900">
            {state.lastSyncMode === "full" ? "Full read of every user" : state.lastSyncMode === "delta" ? "Changes since the sync before (delta)" : "—"}
          </dd>
        </div>
      </dl>
      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
    </div>
  );
}
