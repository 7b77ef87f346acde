"use server";

import { actionFor } from "@/lib/commands/server-action";
import { setTenantTagsCommand } from "@/lib/commands/tags";

/** The tenant page's tags: the whole list is sent, so adding and removing are one command. */
export const setTenantTagsAction = actionFor(setTenantTagsCommand, { revalidate: (input) => `/tenants/${input.id}` });
