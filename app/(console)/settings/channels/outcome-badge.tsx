import type { DeliveryOutcome } from "@/lib/data/channels";

const outcomes: Record<DeliveryOutcome, { label: string; badge: string }> = {
  delivered: { label: "Delivered", badge: "badge-VERIFIED" },
  test_ok: { label: "Test delivered", badge: "badge-VERIFIED" },
  retry: { label: "Failed, will retry", badge: "badge-WARNING" },
  failed: { label: "Failed", badge: "badge-FAILED" },
  test_failed: { label: "Test failed", badge: "badge-FAILED" },
};

export function OutcomeBadge({ outcome }: { outcome: DeliveryOutcome }) {
  const o = outcomes[outcome] ?? { label: outcome, badge: "badge-NEVER" };
  return <span className={`badge ${o.badge}`}>{o.label}</span>;
}
