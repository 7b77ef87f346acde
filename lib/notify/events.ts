/**
 * The events the console tells people about (docs/ARCHITECTURE.md, "Alerts"): each is written once per
 * fact (AlertEvent.dedupeKey) and routed by the alert rules to channels. Pure: no database here.
 */

export const eventTypes = [
  "incident.opened",
  "incident.resolved",
  "access.expiring",
  "consent.expiring",
  "run.new_failures",
  "credential.rejected",
  "rotation.failed",
] as const;
export type EventType = (typeof eventTypes)[number];

export const severities = ["info", "warning", "critical"] as const;
export type Severity = (typeof severities)[number];

export const severityRank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** What each type is called on pages and in messages, and its severity. */
export const eventTypeInfo: Record<EventType, { label: string; severity: Severity; description: string }> = {
  "incident.opened": { label: "Incident opened", severity: "critical", description: "Access to a tenant was lost (the failure policy marked it Failed)." },
  "incident.resolved": { label: "Incident resolved", severity: "info", description: "A tenant with an open incident verified again." },
  "access.expiring": {
    label: "Access breaks soon",
    severity: "warning",
    description: "A tenant's access breaks within the rule's number of days (secret, certificate or refresh-token inactivity).",
  },
  "consent.expiring": { label: "Consent link expiring unused", severity: "warning", description: "A consent link expires within a day and has not been used." },
  "run.new_failures": {
    label: "Run finished with new failures",
    severity: "warning",
    description: "A Verify All run ended with tenants that were not failing before.",
  },
  "credential.rejected": {
    label: "App registration credential rejected",
    severity: "critical",
    description: "Microsoft refused the secret or certificate of one of the MSP's app registrations: every tenant using it is affected.",
  },
  "rotation.failed": {
    label: "Credential rotation rolled back",
    severity: "critical",
    description:
      "A client-secret or certificate rotation of one of the MSP's app registrations failed its checks and was rolled back: the old credential stays in use.",
  },
};

export function isEventType(v: string): v is EventType {
  return (eventTypes as readonly string[]).includes(v);
}

/** An incident's state: open (nobody acknowledged), acknowledged (someone is on it), resolved (the tenant verified again). */
export const incidentStates = ["open", "acknowledged", "resolved"] as const;
export type IncidentState = (typeof incidentStates)[number];
