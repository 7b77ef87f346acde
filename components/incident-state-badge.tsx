import type { IncidentState } from "@/lib/notify/events";

export const incidentStateLabels: Record<IncidentState, string> = { open: "Open", acknowledged: "Acknowledged", resolved: "Resolved" };

/** An incident's state as a pill: open red, acknowledged amber, resolved green (classes in app/globals.css). */
export function IncidentStateBadge({ state }: { state: IncidentState }) {
  return <span className={`badge badge-${state}`}>{incidentStateLabels[state]}</span>;
}
