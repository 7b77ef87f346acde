"use server";

import { actionFor } from "@/lib/commands/server-action";
import { createTagCommand, deleteTagCommand, updateTagCommand } from "@/lib/commands/tags";

/** Settings → Tags: adapters over lib/commands/tags.ts (administrators change tags). */

export const createTagAction = actionFor(createTagCommand, { revalidate: "/settings/tags" });

export const updateTagAction = actionFor(updateTagCommand, { revalidate: "/settings/tags" });

export const deleteTagAction = actionFor(deleteTagCommand, { revalidate: "/settings/tags" });
