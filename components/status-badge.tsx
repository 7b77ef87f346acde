import { statusLabels } from "@/components/format";

const styles = {
  NEVER: "bg-slate-100 text-slate-700 ring-slate-300",
  VERIFIED: "bg-emerald-50 text-emerald-800 ring-emerald-300",
  WARNING: "bg-amber-50 text-amber-800 ring-amber-300",
  FAILED: "bg-red-50 text-red-800 ring-red-300",
} as const;

export function StatusBadge({ status }: { status: keyof typeof styles }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${styles[status]}`}>{statusLabels[status]}</span>
  );
}
