import { z } from "zod";
import { guidSchema, secretValueSchema } from "./secret";
import { clouds } from "./tenant";

/**
 * A customer-owned app registration (source 004's connector: Tenant ID, Client ID, Client Secret,
 * Environment Type Azure Public or Azure US Government; source 003's "Switch to application
 * registration" with the customer's app). The secret is write-only: an empty one keeps the stored secret.
 */

/** Source 004's Environment Type, as the tenant's cloud. Other clouds stay possible for a tenant already in them. */
export const ownAppEnvironments = [
  ["GLOBAL", "Azure Public Cloud"],
  ["USGOV", "Azure US Government"],
] as const;

const expiryDate = z
  .string()
  .trim()
  .optional()
  .default("")
  .transform((v, ctx) => {
    if (!v) return null;
    const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: "custom", message: "Enter the expiry shown for the secret in Entra, as YYYY-MM-DD" });
      return z.NEVER;
    }
    return d;
  });

export const ownAppSchema = z.object({
  entraTenantId: guidSchema,
  clientId: guidSchema,
  clientSecret: secretValueSchema.optional().default(""),
  secretExpiresAt: expiryDate,
  environment: z.enum(clouds, "Choose Azure Public Cloud or Azure US Government."),
});

export type OwnAppValues = z.output<typeof ownAppSchema>;
