"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { formatEta } from "@/lib/jobs/eta";
import { settleAction } from "@/lib/settle-action";
import type { RunProgress, RunSummary } from "@/lib/verification/types";
import { cancelVerificationRunAction, getRunProgressAction } from "./actions";

const POLL_MS = 1000;
const REFRESH_ROWS_MS = 2000;

const n = (v: number) => v.toLocaleString("en-US");

/** The summary's parts; "retrying" only when some checks failed under a kept status. */
function summaryParts(s: RunSummary): { key: keyof RunSummary; label: string; value: number; className: string }[] {
  const parts: { key: keyof RunSummary; label: string; value: number; className: string }[] = [
    { key: "verified", label: "verified", value: s.verified, className: "text-emerald-700" },
    { key: "newlyFailed", label: "newly failed", value: s.newlyFailed, className: "text-red-700" },
    { key: "recovered", label: "recovered", value: s.recovered, className: "text-emerald-700" },
    { key: "stillFailing", label: "still failing", value: s.stillFailing, className: "text-red-700" },
    { key: "blocked", label: "blocked", value: s.blocked, className: "text-red-700" },
    { key: "retrying", label: "retrying", value: s.retrying, className: "text-amber-700" },
  ];
  return parts.filter((p) => p.key !== "retrying" || p.value > 0);
}

/** The share of tenants checked, rounded down to a quarter (0, 25, 50, 75). */
const quarter = (p: RunProgress) => Math.floor((p.done / p.total) * 4) * 25;

const summaryText = (s: RunSummary) =>
  summaryParts(s)
    .map((p) => `${n(p.value)} ${p.label}`)
    .join(", ");

/**
 * The live Verify All panel: polls the run's progress once a second, refreshes the table's rows (at most
 * every two seconds) while results arrive, and stays after the run ends with its totals until dismissed.
 */
export function RunProgressPanel({
  initial,
  canCancel,
  focusOnMount = false,
  onRowsChanged,
  onDismiss,
}: {
  initial: RunProgress;
  canCancel: boolean;
  /** Started by this admin from a button: focus moves to the panel's heading (the button is disabled meanwhile). */
  focusOnMount?: boolean;
  onRowsChanged: () => void;
  onDismiss: () => void;
}) {
  const { toast } = useToast();
  const [progress, setProgress] = useState(initial);
  const [cancelling, setCancelling] = useState(false);
  const lastRefresh = useRef({ at: 0, done: initial.done });
  const running = progress.status === "RUNNING";
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusOnMount) heading.current?.focus();
  }, [focusOnMount]);

  // A run can end before the action that started it returns (a few tenants, a fast directory): it never
  // polls, so the rows are refreshed and the end announced here, once.
  const announcedAtMount = useRef(false);
  useEffect(() => {
    if (initial.status === "RUNNING" || announcedAtMount.current) return;
    announcedAtMount.current = true;
    onRowsChanged();
    toast({
      kind: initial.status === "FAILED" ? "error" : "success",
      title: initial.status === "CANCELLED" ? "Verification cancelled" : initial.status === "FAILED" ? "Verification stopped" : "Verification finished",
      description: `${summaryText(initial.summary)}.`,
    });
  }, [initial, onRowsChanged, toast]);

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
          // Tenants that fail are the run's findings, not the run's failure: only a run that stopped is an error.
          toast({
            kind: p.status === "FAILED" ? "error" : "success",
            title: p.status === "CANCELLED" ? "Verification cancelled" : p.status === "FAILED" ? "Verification stopped" : "Verification finished",
            description: `${summaryText(p.summary)}.`,
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
        <h2 ref={heading} tabIndex={-1} className="text-sm font-semibold text-slate-900 focus:outline-none">
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
      {/* Screen readers hear the progress by quarters, not every second; the finish is the toast's, once. */}
      <p className="sr-only" role="status">
        {running && progress.total > 0 ? `${label}: ${quarter(progress)}% checked` : ""}
      </p>
      <dl className="mt-3 grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-3 lg:grid-cols-6">
        <Stat label="Verified" value={progress.verified} className="text-emerald-700" />
        <Stat label="Warnings" value={progress.warnings} className="text-amber-700" />
        <Stat label="Failed" value={progress.failed} className="text-red-700" />
        <Stat label="Remaining" value={progress.remaining} />
        <Stat label="Rate" value={`${progress.ratePerSecond.toLocaleString("en-US")}/s`} />
        <Stat label="ETA" value={running ? formatEta(progress.etaSeconds) : "done"} />
      </dl>
      <p className="mt-2 text-sm text-slate-700" data-testid="run-summary">
        <span className="font-medium text-slate-900">{running ? "So far: " : "Summary: "}</span>
        {summaryParts(progress.summary).map((p, i) => (
          <span key={p.key}>
            {i > 0 && " · "}
            <span className={`font-semibold tabular-nums ${p.className}`}>{n(p.value)}</span> {p.label}
          </span>
        ))}
      </p>
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
          <Link className="font-medium text-blue-700 underline" href="/tenants?status=FAILED">
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
