"use server";

import { createAlertRuleCommand, deleteAlertRuleCommand, updateAlertRuleCommand } from "@/lib/commands/alerts";
import { issuesOf } from "@/lib/commands/command";
import { actionFor, formActionFor, formVersion, type FormOutcome } from "@/lib/commands/server-action";
import { alertRuleInputSchema } from "@/lib/validations/alert-rule";

export type SavedAlertRule = { id: string; name: string };

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};
const all = (form: FormData, name: string) => form.getAll(name).filter((v): v is string => typeof v === "string");

/** The rule form as the command's input: checkboxes as lists, empty times as "" (no quiet hours, no digest). */
function readRule(form: FormData) {
  return {
    name: text(form, "name"),
    enabled: form.get("enabled") === "on",
    events: all(form, "events"),
    minSeverity: text(form, "minSeverity"),
    channelIds: all(form, "channelIds"),
    tagIds: all(form, "tagIds"),
    expiringWithinDays: text(form, "expiringWithinDays"),
    quietStart: text(form, "quietStart"),
    quietEnd: text(form, "quietEnd"),
    digestAt: text(form, "digestAt"),
    timeZone: text(form, "timeZone"),
  };
}

const present = (r: { id: string; name: string }): SavedAlertRule => ({ id: r.id, name: r.name });

export const createAlertRuleAction = formActionFor(createAlertRuleCommand, { read: readRule, revalidate: "/settings/alerts", present });

const updateRule = formActionFor(updateAlertRuleCommand, {
  read: (form) => ({ id: text(form, "id"), version: formVersion(form), rule: readRule(form) }),
  revalidate: "/settings/alerts",
  present,
});

/**
 * The update command nests the rule under `rule`, so its field errors arrive keyed "rule"; once the command
 * has refused (the caller is known and may edit), they are keyed again by the form's own fields.
 */
export async function updateAlertRuleAction(previous: unknown, form: FormData): Promise<FormOutcome<SavedAlertRule>> {
  const result = await updateRule(previous, form);
  if (result.ok || !result.fieldErrors?.rule) return result;
  const parsed = alertRuleInputSchema.safeParse(readRule(form));
  if (parsed.success) return result;
  const fieldErrors = { ...result.fieldErrors, ...issuesOf(parsed.error).fieldErrors };
  delete fieldErrors.rule;
  return { ...result, fieldErrors };
}

export const deleteAlertRuleAction = actionFor(deleteAlertRuleCommand, { revalidate: "/settings/alerts" });
