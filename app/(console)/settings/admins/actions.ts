"use server";

import { revokeSessionsCommand, setLocalRoleCommand } from "@/lib/commands/admins";
import { actionFor } from "@/lib/commands/server-action";

/** Ends every session of an admin at once, on every instance: their session rows are revoked. */
export const revokeSessionsAction = actionFor(revokeSessionsCommand, { revalidate: "/settings/admins" });

/** Local admins only: an Entra admin's role follows their groups (Settings → Entra Authentication). */
export const setLocalRoleAction = actionFor(setLocalRoleCommand, { revalidate: "/settings/admins" });
