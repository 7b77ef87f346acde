"use client";

import { cn } from "@/components/ui/cn";
import { Skeleton } from "@/components/ui/skeleton";
import type { StatusCounts } from "@/lib/data/tenants";
import type { StatusValue } from "@/lib/validations/tenant";

const cards: { status: StatusValue | null; label: string; hint: string; tone: string; dot: string }[] = [
  { status: null, label: "All tenants", hint: "every tenant", tone: "text-slate-900", dot: "bg-slate-400" },
  { status: "VERIFIED", label: "Verified", hint: "reachable", tone: "text-emerald-700", dot: "bg-emerald-500" },
  { status: "WARNING", label: "Warning", hint: "reachable, act soon", tone: "text-amber-700", dot: "bg-amber-400" },
  { status: "FAILED", label: "Failed", hint: "not reachable", tone: "text-red-700", dot: "bg-red-500" },
  { status: "NEVER", label: "Not verified", hint: "never checked", tone: "text-slate-700", dot: "bg-slate-300" },
];

/** Tenants per status; each count is a toggle that filters the table to that status. */
export function SummaryCounts({ counts, active, onSelect }: { counts: StatusCounts; active: StatusValue[]; onSelect: (status: StatusValue[]) => void }) {
  return (
    <div role="group" aria-label="Filter by status" className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
      {cards.map((c) => {
        const pressed = c.status === null ? active.length === 0 : active.length === 1 && active[0] === c.status;
        const value = c.status === null ? counts.total : counts[c.status];
        return (
          <button
            key={c.label}
            type="button"
            aria-pressed={pressed}
            aria-label={`${c.label}: ${value.toLocaleString("en-US")}`}
            onClick={() => onSelect(c.status === null || pressed ? [] : [c.status])}
            className={cn("card text-left transition-colors hover:border-slate-400", pressed ? "border-blue-600 ring-1 ring-blue-600" : "border-slate-200")}
          >
            <span className="card-label">
              <span aria-hidden className={cn("card-dot", c.dot)} />
              {c.label}
            </span>
            <span className={cn("mt-1 block text-2xl font-semibold tabular-nums", c.tone)}>{value.toLocaleString("en-US")}</span>
            <span className="card-hint">{c.hint}</span>
          </button>
        );
      })}
    </div>
  );
}

/** The cards' exact size while the counts are on their way, so nothing moves when they arrive. */
export function SummaryCountsSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading status counts" className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
      {cards.map((c) => (
        <div key={c.label} className="card border-slate-200">
          <span className="card-label">
            <span aria-hidden className={cn("card-dot", c.dot)} />
            {c.label}
          </span>
          <Skeleton className="mt-1 h-8 w-16" />
          <span className="card-hint">{c.hint}</span>
        </div>
      ))}
    </div>
  );
}
