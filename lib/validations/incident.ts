import { z } from "zod";
import type { IncidentState } from "@/lib/notify/events";

/** The Incidents page's URL: which states it shows (a view), a tag and a reason, and the page. */

export const incidentViews = ["unresolved", "open", "acknowledged", "resolved", "all"] as const;
export type IncidentView = (typeof incidentViews)[number];

export const incidentViewInfo: Record<IncidentView, { label: string; states: IncidentState[] }> = {
  unresolved: { label: "Unresolved", states: ["open", "acknowledged"] },
  open: { label: "Open", states: ["open"] },
  acknowledged: { label: "Acknowledged", states: ["acknowledged"] },
  resolved: { label: "Resolved", states: ["resolved"] },
  all: { label: "All", states: [] },
};

const optionalId = z
  .string()
  .trim()
  .max(64)
  .optional()
  .catch(undefined)
  .transform((v) => v || undefined);

/** Anything unexpected in the URL falls back to the default rather than failing the page. */
export const incidentPageParamsSchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  pageSize: z.coerce.number().int().min(10).max(200).catch(50),
  state: z.enum(incidentViews).catch("unresolved"),
  tag: optionalId,
  reason: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/)
    .optional()
    .catch(undefined),
});

export type IncidentPageParams = z.infer<typeof incidentPageParamsSchema>;

/** The URL query of a view, leaving out defaults so links stay short. */
export function incidentPageQuery(p: Partial<IncidentPageParams>): Record<string, string> {
  const q: Record<string, string> = {};
  if (p.state && p.state !== "unresolved") q.state = p.state;
  if (p.tag) q.tag = p.tag;
  if (p.reason) q.reason = p.reason;
  return q;
}
