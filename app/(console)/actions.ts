"use server";

import { signOut } from "@/lib/auth";
import { updatePreferencesCommand } from "@/lib/commands/preferences";
import { actionFor } from "@/lib/commands/server-action";

export async function signOutAction() {
  await signOut({ redirectTo: "/sign-in" });
}

/** The signed-in admin's own display preferences (Tenants density and columns, time zone). */
export const updatePreferencesAction = actionFor(updatePreferencesCommand);
