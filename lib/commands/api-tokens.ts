import "server-only";
import { z } from "zod";
import { createApiToken, revokeApiToken } from "@/lib/api-tokens/manage";
import { CommandError } from "@/lib/errors";
import { apiTokenFormSchema } from "@/lib/validations/api-token";
import { defineCommand } from "./command";

/** API tokens (Settings → API tokens): administrators only. */

/**
 * The only place a token leaves the server: in this command's output, once. The expiry the form chose
 * (a preset or a date) is checked against the clock of the request.
 */
export const createApiTokenCommand = defineCommand({
  name: "api_token.create",
  role: "ADMINISTRATOR",
  audit: "api_token.created",
  denied: "Only administrators can create API tokens.",
  input: apiTokenFormSchema(),
  run: async (ctx, input) => {
    try {
      const created = await createApiToken(input, ctx);
      return { ...created, name: input.name, role: input.role, expiresAt: input.expiresAt.toISOString() };
    } catch (e) {
      if (!(e instanceof CommandError) || !e.fieldErrors?.expiresAt) throw e;
      // The form names the expiry "expiry" (or "expiresOn" for a custom date): the message goes there.
      const { expiresAt, ...fieldErrors } = e.fieldErrors;
      throw new CommandError(e.code, e.message, { fieldErrors: { ...fieldErrors, [input.expiryField]: expiresAt } });
    }
  },
});

export const revokeApiTokenCommand = defineCommand({
  name: "api_token.revoke",
  role: "ADMINISTRATOR",
  audit: "api_token.revoked",
  denied: "Only administrators can revoke API tokens.",
  input: z.object({ id: z.string().min(1, "This API token does not exist.").max(64, "This API token does not exist.") }),
  run: (ctx, input) => revokeApiToken(input.id, ctx),
});
