"use server";

import { actionFor } from "@/lib/commands/server-action";
import { cancelUserSyncCommand, syncTenantUsersCommand, userSyncStateQuery } from "@/lib/commands/users";
import { syncView } from "./sync-view";

/** The Users tab: adapters over the commands in lib/commands/users.ts (operators synchronize; everyone follows). */

export const syncUsersAction = actionFor(syncTenantUsersCommand, { present: ({ runId, joined, state }) => ({ runId, joined, state: syncView(state) }) });

export const cancelUserSyncAction = actionFor(cancelUserSyncCommand, { present: ({ cancelled, state }) => ({ cancelled, state: syncView(state) }) });

export const userSyncStateAction = actionFor(userSyncStateQuery, { present: syncView });
