import "server-only";
import { db } from "@/lib/db";
import { refuse, type Result } from "@/lib/errors";
import { newId } from "@/lib/ids";
import type { SavedViewInput } from "@/lib/validations/saved-view";

export type SavedViewItem = { id: string; name: string; query: string };

/** An admin keeps at most this many views. */
export const MAX_SAVED_VIEWS = 50;

const select = { id: true, name: true, query: true } as const;

export function listSavedViews(adminId: string): Promise<SavedViewItem[]> {
  return db.savedView.findMany({ where: { adminId }, select, orderBy: { name: "asc" } });
}

/** Saves a view under its name; a view of the same name is replaced (saving again updates it). */
export async function saveView(adminId: string, input: SavedViewInput): Promise<Result<SavedViewItem>> {
  const existing = await db.savedView.findUnique({ where: { adminId_name: { adminId, name: input.name } }, select: { id: true } });
  if (!existing && (await db.savedView.count({ where: { adminId } })) >= MAX_SAVED_VIEWS) {
    return refuse("conflict", `You have ${MAX_SAVED_VIEWS} saved views; delete one first.`);
  }
  const view = await db.savedView.upsert({
    where: { adminId_name: { adminId, name: input.name } },
    create: { id: newId(), adminId, name: input.name, query: input.query },
    update: { query: input.query },
    select,
  });
  return { ok: true, data: view };
}

/** Deletes one of the admin's own views; null when it is not theirs or is gone. The owner is in the `where`. */
export async function deleteSavedView(adminId: string, id: string): Promise<{ name: string } | null> {
  const view = await db.savedView.findFirst({ where: { id, adminId }, select: { name: true } });
  if (!view) return null;
  const { count } = await db.savedView.deleteMany({ where: { id, adminId } });
  return count ? view : null;
}
