import { z } from "zod";
import { env } from "@/lib/env";

/** How long a new consent link stays valid, for the console and the REST API alike. */
export const consentLinkDaysSchema = z
  .number()
  .int("Whole days only.")
  .min(1, "At least 1 day.")
  .max(env.CONSENT_LINK_DAYS, `At most ${env.CONSENT_LINK_DAYS} days (CONSENT_LINK_DAYS).`);
