"use server";

import { setAccessTokensBlockedCommand } from "@/lib/commands/access-tokens";
import { actionFor } from "@/lib/commands/server-action";

/** The tenant's kill switch for the access-token broker (Administrators). */
export const setAccessTokensBlockedAction = actionFor(setAccessTokensBlockedCommand, { revalidate: (input) => `/tenants/${input.id}` });
