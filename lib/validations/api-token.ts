import { z } from "zod";

/**
 * API token input, shared by the Settings → API tokens form, its server actions and lib/api-tokens/manage.ts.
 * Client-safe: the form reads the limits and the role explanations from here.
 */

export const API_TOKEN_NAME_MAX = 80;
/** The longest a token may live. A long-lived secret in a script is the risk; two years bounds it. */
export const API_TOKEN_MAX_DAYS = 730;
const DAY_MS = 86_400_000;

export const apiTokenRoles = ["ADMINISTRATOR", "OPERATOR", "VIEWER"] as const;
export type ApiTokenRole = (typeof apiTokenRoles)[number];

export const apiTokenRoleInfo: Record<ApiTokenRole, { label: string; description: string }> = {
  ADMINISTRATOR: { label: "Administrator", description: "Everything, including adding, changing and deleting tenants and the provider app settings." },
  OPERATOR: { label: "Operator", description: "Verify tenants, start Verify All and create consent links; read everything else." },
  VIEWER: { label: "Viewer", description: "Read only: tenants, verification results, settings without secrets and the audit log." },
};

export const apiTokenExpiryChoices = ["30", "90", "180", "365", "custom"] as const;
export type ApiTokenExpiryChoice = (typeof apiTokenExpiryChoices)[number];

export const apiTokenNameSchema = z
  .string()
  .trim()
  .min(1, "Enter a name, e.g. the system that will use the token.")
  .max(API_TOKEN_NAME_MAX, `At most ${API_TOKEN_NAME_MAX} characters.`);

export const apiTokenRoleSchema = z.enum(apiTokenRoles, "Choose Administrator, Operator or Viewer.");

/** The latest moment a token created at `now` may expire. */
export function latestApiTokenExpiry(now: Date) {
  return new Date(now.getTime() + API_TOKEN_MAX_DAYS * DAY_MS);
}

/** A custom expiry date (YYYY-MM-DD) means "valid through that day", in UTC like every time the server stores. */
export function endOfUtcDay(isoDate: string) {
  return new Date(`${isoDate}T23:59:59.999Z`);
}

/** The first and last date the custom-date field accepts (YYYY-MM-DD), so that the end of that day is within bounds. */
export function customExpiryDateRange(now: Date) {
  const day = (offset: number) => new Date(now.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
  return { min: day(1), max: day(API_TOKEN_MAX_DAYS - 1) };
}

export const apiTokenInputSchema = z.object({
  name: apiTokenNameSchema,
  role: apiTokenRoleSchema,
  expiresAt: z.date(),
});
export type ApiTokenInput = z.infer<typeof apiTokenInputSchema>;

function customExpiryProblem(expiresOn: string | undefined, now: Date): string | null {
  const range = customExpiryDateRange(now);
  if (!expiresOn) return "Choose the date the token expires.";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expiresOn) || Number.isNaN(endOfUtcDay(expiresOn).getTime())) return "Enter a date as YYYY-MM-DD.";
  if (expiresOn < range.min) return "Choose a date after today.";
  if (expiresOn > range.max) return `At most two years from today (${range.max} at the latest).`;
  return null;
}

/**
 * What the create form posts: a preset number of days, or "custom" with a date. Resolved to an expiry
 * moment from `now`, or without it from the time of each parse (one schema serves every request).
 */
export function apiTokenFormSchema(now?: Date) {
  return z
    .object({
      name: apiTokenNameSchema,
      role: apiTokenRoleSchema,
      expiry: z.enum(apiTokenExpiryChoices, "Choose when the token expires."),
      expiresOn: z.string().trim().optional(),
    })
    .transform((v, ctx): ApiTokenInput & { expiryField: "expiry" | "expiresOn" } => {
      const at = now ?? new Date();
      const problem = v.expiry === "custom" ? customExpiryProblem(v.expiresOn, at) : null;
      if (problem) {
        ctx.addIssue({ code: "custom", path: ["expiresOn"], message: problem });
        return z.NEVER;
      }
      return {
        name: v.name,
        role: v.role,
        expiresAt: v.expiry === "custom" ? endOfUtcDay(v.expiresOn!) : new Date(at.getTime() + Number(v.expiry) * DAY_MS),
        // The form field that holds the expiry, for a refusal of it.
        expiryField: v.expiry === "custom" ? "expiresOn" : "expiry",
      };
    });
}
