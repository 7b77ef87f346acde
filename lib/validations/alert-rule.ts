import { z } from "zod";
import { eventTypes, severities } from "@/lib/notify/events";
import { isHhMm, isTimeZone } from "@/lib/notify/schedule";

/** An alert rule as the form and the REST API send it (lib/notify/rules.ts stores it). */

const hhmm = z
  .string()
  .trim()
  .refine((v) => v === "" || isHhMm(v), "Use a 24-hour time such as 22:00.")
  .transform((v) => (v === "" ? null : v));
const id = z.string().min(1).max(64);

export const alertRuleInputSchema = z
  .object({
    name: z.string().trim().min(1, "Name the rule.").max(80, "At most 80 characters."),
    enabled: z.boolean().default(true),
    events: z.array(z.enum(eventTypes, "Unknown event type.")).max(eventTypes.length).default([]),
    minSeverity: z.enum(severities, "Choose info, warning or critical.").default("warning"),
    channelIds: z.array(id).min(1, "Choose at least one channel.").max(20, "At most 20 channels."),
    tagIds: z.array(id).max(50, "At most 50 tags.").default([]),
    expiringWithinDays: z.coerce.number("Enter a number of days.").int("Enter whole days.").min(1, "At least 1 day.").max(365, "At most 365 days.").default(14),
    quietStart: hhmm.nullable().default(null),
    quietEnd: hhmm.nullable().default(null),
    digestAt: hhmm.nullable().default(null),
    timeZone: z.string().trim().max(64).refine(isTimeZone, "Unknown time zone; use a name such as Europe/Berlin or UTC.").default("UTC"),
  })
  .superRefine((r, ctx) => {
    if (!!r.quietStart !== !!r.quietEnd)
      ctx.addIssue({
        code: "custom",
        path: [r.quietStart ? "quietEnd" : "quietStart"],
        message: "Give both the start and the end of quiet hours, or neither.",
      });
    if (r.quietStart && r.quietStart === r.quietEnd)
      ctx.addIssue({ code: "custom", path: ["quietEnd"], message: "Quiet hours must end at another time than they start." });
  });

export type AlertRuleInput = z.output<typeof alertRuleInputSchema>;
