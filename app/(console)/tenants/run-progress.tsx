"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { settleAction } from "@/lib/settle-action";
import type { RunProgress } from "@/lib/verification/types";
import { cancelVerificationRunAction, getRunProgressAction } from "./actions";

const POLL_MS = 1000;
const REFRESH_ROWS_MS = 2000;

function formatEta(seconds: number | null) {
  if (seconds === null) return "estimating…";
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min ${seconds % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * The live Verify All panel: polls the run's progress once a second, refreshes the table's rows (at most
 * every two seconds) while results arrive, and stays after the run ends with its totals until dismissed.
 */
export function RunProgressPanel({
  initial,
  canCancel,
  onRowsChanged,
  onDismiss,
}: {
  initial: RunProgress;
  canCancel: boolean;
  onRowsChanged: () => void;
  onDismiss: () => void;
}) {
  const { toast } = useToast();
  const [progress, setProgress] = useState(initial);
  const [cancelling, setCancelling] = useState(false);
  const lastRefresh = useRef({ at: 0, done: initial.done });
  const running = progress.status === "RUNNING";

  useEffect(() => {
    if (!running) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      const result = await getRunProgressAction({ runId: initial.id }).catch(() => null);
      if (stopped) return;
      if (result?.ok && result.data) {
        const p = result.data;
        setProgress(p);
        const now = Date.now();
        const finished = p.status !== "RUNNING";
        if (finished || (p.done !== lastRefresh.current.done && now - lastRefresh.current.at >= REFRESH_ROWS_MS)) {
          lastRefresh.current = { at: now, done: p.done };
          onRowsChanged();
        }
        if (finished) {
          toast({
            kind: p.failed > 0 ? "error" : "success",
            title: p.status === "CANCELLED" ? "Verification cancelled" : "Verification finished",
            description: `${p.verified.toLocaleString("en-US")} verified, ${p.warnings.toLocaleString("en-US")} with warnings, ${p.failed.toLocaleString("en-US")} failed.`,
          });
          return;
        }
      }
      timer = setTimeout(tick, POLL_MS);
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [running, initial.id, onRowsChanged, toast]);

  const cancel = async () => {
    setCancelling(true);
    try {
      const result = await settleAction(cancelVerificationRunAction({ runId: progress.id }));
      if (!result.ok) toast({ kind: "error", title: "Could not cancel", description: result.error });
    } finally {
      setCancelling(false);
    }
  };

  const pct = (n: number) => (progress.total > 0 ? (n / progress.total) * 100 : 0);
  const label = running
    ? "Verifying tenants"
    : progress.status === "CANCELLED"
      ? "Verification cancelled"
      : progress.status === "FAILED"
        ? "Verification stopped"
        : "Verification finished";
  return (
    <section aria-label="Verification run" className="rounded-xl border border-blue-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-semibold text-slate-900">
          {label} <span className="font-normal text-slate-600">· started by {progress.requestedBy}</span>
        </h2>
        <div className="flex gap-2">
          {running && canCancel && (
            <Button size="sm" variant="secondary" onClick={cancel} pending={cancelling}>
              Cancel
            </Button>
          )}
          {!running && (
            <Button size="sm" variant="ghost" onClick={onDismiss}>
              Dismiss
            </Button>
          )}
        </div>
      </div>
      <div
        role="progressbar"
        aria-label="Verification progress"
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={progress.done}
        aria-valuetext={`${progress.done} of ${progress.total} tenants checked`}
        className="mt-3 flex h-2.5 overflow-hidden rounded-full bg-slate-100"
      >
        <div className="bg-emerald-500 transition-all" style={{ width: `${pct(progress.verified)}%` }} />
        <div className="bg-amber-400 transition-all" style={{ width: `${pct(progress.warnings)}%` }} />
        <div className="bg-red-500 transition-all" style={{ width: `${pct(progress.failed)}%` }} />
      </div>
      <dl className="mt-3 grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-3 lg:grid-cols-6" aria-live="polite">
        <Stat label="Verified" value={progress.verified} className="text-emerald-700" />
        <Stat label="Warnings" value={progress.warnings} className="text-amber-700" />
        <Stat label="Failed" value={progress.failed} className="text-red-700" />
        <Stat label="Remaining" value={progress.remaining} />
        <Stat label="Rate" value={`${progress.ratePerSecond.toLocaleString("en-US")}/s`} />
        <Stat label="ETA" value={running ? formatEta(progress.etaSeconds) : "done"} />
      </dl>
      {progress.recentFailures.length > 0 && (
        <div className="mt-3 border-t border-slate-100 pt-2 text-xs text-slate-600">
          <span className="font-medium text-slate-700">Latest failures: </span>
          {progress.recentFailures.slice(0, 3).map((f, i) => (
            <span key={f.tenantId}>
              {i > 0 && " · "}
              <Link className="text-blue-700 hover:underline" href={`/tenants/${f.tenantId}`}>
                {f.customerId}
              </Link>{" "}
              ({f.message})
            </span>
          ))}{" "}
          <Link className="font-medium text-blue-700 hover:underline" href="/tenants?status=FAILED">
            Show all failures
          </Link>
        </div>
      )}
    </section>
  );
}

function Stat({ label, value, className }: { label: string; value: number | string; className?: string }) {
  return (
    <div className="flex items-baseline gap-1.5">
      <dt className="text-slate-500">{label}</dt>
      <dd className={`font-semibold tabular-nums ${className ?? "text-slate-900"}`}>{typeof value === "number" ? value.toLocaleString("en-US") : value}</dd>
    </div>
  );
}
