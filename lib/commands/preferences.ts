import "server-only";
import { savePreferences } from "@/lib/data/preferences";
import { preferencesInputSchema } from "@/lib/validations/preferences";
import { CommandError } from "@/lib/errors";
import { defineCommand } from "./command";

/** An admin's own display preferences (density, columns, time zone): every role, and only their own. */
export const updatePreferencesCommand = defineCommand({
  name: "preferences.update",
  role: "VIEWER",
  audit: "admin.preferences_updated",
  input: preferencesInputSchema,
  run: async (ctx, input) => {
    if (ctx.actor.type !== "admin") throw new CommandError("forbidden", "Preferences belong to people signed in to the console.");
    const preferences = await savePreferences(ctx.actor.id, input);
    await ctx.audit({ target: { type: "admin", id: ctx.actor.id }, details: { fields: Object.keys(input) } });
    return preferences;
  },
});
