import { z } from "zod";
import { auditActions, type AuditAction } from "@/lib/audit";
import { pageParamsSchema } from "@/lib/pagination";

/**
 * The audit page's URL (and its CSV export's): actor, actions, target tenant (customer id or name), a
 * date range in UTC days, request id, page. Lenient like every page's query: a value that does not parse
 * is dropped rather than failing the page, and unknown actions are ignored.
 */

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => v || undefined)
    .optional()
    .catch(undefined);

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
  .optional()
  .catch(undefined);

const known = new Set<string>(auditActions);

/** `action=a,b` or `action=a&action=b` (a form's multiple select): both give the same list. */
const actions = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) =>
    [...new Set((Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => s.split(",")).map((s) => s.trim()))].filter((s): s is AuditAction => known.has(s)),
  )
  .catch([]);

export const auditViewSchema = pageParamsSchema.extend({
  actor: text(320),
  action: actions,
  tenant: text(200),
  from: day,
  to: day,
  requestId: text(128),
});

export type AuditView = z.output<typeof auditViewSchema>;

/** The view's query string, canonical: actions comma-separated, empty values left out, page last. */
export function auditViewQuery(view: AuditView, extra: { page?: number } = {}): Record<string, string> {
  const q: Record<string, string> = {};
  if (view.actor) q.actor = view.actor;
  if (view.action.length) q.action = view.action.join(",");
  if (view.tenant) q.tenant = view.tenant;
  if (view.from) q.from = view.from;
  if (view.to) q.to = view.to;
  if (view.requestId) q.requestId = view.requestId;
  if (extra.page) q.page = String(extra.page);
  return q;
}
