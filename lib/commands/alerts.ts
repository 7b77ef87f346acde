import "server-only";
import { z } from "zod";
import { getIncident, incidentStates, incidentStats, listIncidents } from "@/lib/data/incidents";
import { CommandError } from "@/lib/errors";
import { acknowledgeIncident } from "@/lib/notify/incidents";
import { createAlertRule, deleteAlertRule, getAlertRule, listAlertRules, updateAlertRule } from "@/lib/notify/rules";
import { pageParamsSchema } from "@/lib/pagination";
import { alertRuleInputSchema } from "@/lib/validations/alert-rule";
import { defineCommand, defineQuery } from "./command";

/**
 * Incidents (everyone reads; Operators and Administrators acknowledge) and alert rules (Administrators:
 * they decide who is told what). Channels are lib/commands/channels.ts.
 */

const idSchema = z.object({ id: z.string().min(1, "Unknown incident.").max(64, "Unknown incident.") });

export const incidentListQuerySchema = pageParamsSchema.extend({
  state: z
    .union([z.enum(incidentStates), z.array(z.enum(incidentStates))], "Use open, acknowledged or resolved.")
    .optional()
    .transform((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v])),
  tag: z.string().max(64).optional(),
  reason: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/, "Unknown reason.")
    .optional(),
  tenantId: z.string().max(64).optional(),
});

export const listIncidentsQuery = defineQuery({
  name: "incident.list",
  role: "VIEWER",
  input: incidentListQuerySchema,
  run: async (_ctx, q) => {
    const filters = { state: q.state, tagId: q.tag, reasonCode: q.reason, tenantId: q.tenantId };
    const [page, stats] = await Promise.all([listIncidents({ page: q.page, pageSize: q.pageSize, filters }), incidentStats(filters)]);
    return { ...page, stats };
  },
});

export const acknowledgeIncidentCommand = defineCommand({
  name: "incident.acknowledge",
  role: "OPERATOR",
  audit: "incident.acknowledged",
  denied: "Your role cannot acknowledge incidents.",
  input: idSchema,
  run: async (ctx, { id }) => {
    const result = await acknowledgeIncident(id, ctx.actor.label);
    if (result === "not-found") throw new CommandError("not-found", "This incident does not exist.");
    if (result === "resolved") throw new CommandError("conflict", "This incident is resolved already: the tenant verified again.");
    const incident = (await getIncident(id))!;
    if (result === "acknowledged")
      await ctx.audit({
        target: { type: "incident", id },
        details: { tenantId: incident.tenantId, customerId: incident.customerId, reasonCode: incident.reasonCode },
      });
    return incident;
  },
});

export const listAlertRulesQuery = defineQuery({
  name: "alert_rule.list",
  role: "VIEWER",
  input: z.object({}).optional(),
  run: () => listAlertRules(),
});

const ruleIdSchema = z.object({ id: z.string().min(1, "Unknown alert rule.").max(64, "Unknown alert rule.") });

export const createAlertRuleCommand = defineCommand({
  name: "alert_rule.create",
  role: "ADMINISTRATOR",
  audit: "alert_rule.created",
  denied: "Only administrators can change alert rules.",
  input: alertRuleInputSchema,
  run: async (ctx, input) => {
    const rule = await createAlertRule(input);
    await ctx.audit({ target: { type: "alert_rule", id: rule.id }, details: ruleDetails(rule) });
    return rule;
  },
});

export const updateAlertRuleCommand = defineCommand({
  name: "alert_rule.update",
  role: "ADMINISTRATOR",
  audit: "alert_rule.updated",
  denied: "Only administrators can change alert rules.",
  input: z.object({ id: ruleIdSchema.shape.id, version: z.coerce.number().int().min(1).optional(), rule: alertRuleInputSchema }),
  run: async (ctx, { id, version, rule: input }) => {
    const rule = await updateAlertRule(id, input, version);
    await ctx.audit({ target: { type: "alert_rule", id }, details: ruleDetails(rule) });
    return rule;
  },
});

export const deleteAlertRuleCommand = defineCommand({
  name: "alert_rule.delete",
  role: "ADMINISTRATOR",
  audit: "alert_rule.deleted",
  denied: "Only administrators can change alert rules.",
  input: ruleIdSchema,
  run: async (ctx, { id }) => {
    const { name } = await deleteAlertRule(id);
    await ctx.audit({ target: { type: "alert_rule", id }, details: { name } });
    return { id, deleted: true as const };
  },
});

export const getAlertRuleQuery = defineQuery({
  name: "alert_rule.get",
  role: "VIEWER",
  input: ruleIdSchema,
  run: async (_ctx, { id }) => {
    const rule = await getAlertRule(id);
    if (!rule) throw new CommandError("not-found", "This alert rule does not exist.");
    return rule;
  },
});

function ruleDetails(rule: Awaited<ReturnType<typeof getAlertRule>> & object) {
  return {
    name: rule.name,
    enabled: rule.enabled,
    events: rule.events,
    minSeverity: rule.minSeverity,
    channels: rule.channels.map((c) => c.name),
    tags: rule.tags.map((t) => t.name),
    quietHours: rule.quietStart ? `${rule.quietStart}-${rule.quietEnd} ${rule.timeZone}` : null,
    digestAt: rule.digestAt,
  };
}
