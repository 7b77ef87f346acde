"use server";

import { acknowledgeIncidentCommand } from "@/lib/commands/alerts";
import { actionFor } from "@/lib/commands/server-action";

export type AcknowledgedIncident = { id: string; customerId: string; acknowledgedBy: string | null };

export const acknowledgeIncidentAction = actionFor(acknowledgeIncidentCommand, {
  revalidate: "/incidents",
  present: (i): AcknowledgedIncident => ({ id: i.id, customerId: i.customerId, acknowledgedBy: i.acknowledgedBy }),
});
