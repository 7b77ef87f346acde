import { statusLabels } from "@/components/format";

/** A status as a colored pill; `tabIndex` (and the aria-describedby a Tooltip adds) make it a focusable tooltip trigger. */
export function StatusBadge({ status, ...props }: { status: keyof typeof statusLabels; tabIndex?: number; "aria-describedby"?: string }) {
  return (
    <span className={`badge badge-${status}`} {...props}>
      {statusLabels[status]}
    </span>
  );
}
