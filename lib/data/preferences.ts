import "server-only";
import { cookies } from "next/headers";
import { db } from "@/lib/db";
import { isTimeZone } from "@/lib/dates";
import { densities, type Density, type PreferencesInput } from "@/lib/validations/preferences";
import { hideableColumns, type HideableColumn } from "@/lib/validations/tenant";

/** One admin's display preferences; `hiddenColumns` is null until they choose (the page's default then). */
export type Preferences = { density: Density; hiddenColumns: HideableColumn[] | null; timeZone: string | null };

export const defaultPreferences: Preferences = { density: "comfortable", hiddenColumns: null, timeZone: null };

const select = { density: true, hiddenColumns: true, timeZone: true } as const;

function toPreferences(row: { density: string; hiddenColumns: string | null; timeZone: string | null } | null): Preferences {
  if (!row) return defaultPreferences;
  return {
    density: (densities as readonly string[]).includes(row.density) ? (row.density as Density) : "comfortable",
    hiddenColumns: row.hiddenColumns === null ? null : hideableColumns.filter((c) => row.hiddenColumns!.split(",").includes(c)),
    // A zone the runtime no longer knows falls back to the browser's.
    timeZone: row.timeZone && isTimeZone(row.timeZone) ? row.timeZone : null,
  };
}

export async function getPreferences(adminId: string): Promise<Preferences> {
  return toPreferences(await db.adminPreference.findUnique({ where: { adminId }, select }));
}

/** Writes the given fields of the admin's own preferences (the owner is the key), keeping the others. */
export async function savePreferences(adminId: string, input: PreferencesInput): Promise<Preferences> {
  const data = {
    ...(input.density !== undefined && { density: input.density }),
    ...(input.hiddenColumns !== undefined && { hiddenColumns: hideableColumns.filter((c) => input.hiddenColumns!.includes(c)).join(",") }),
    ...(input.timeZone !== undefined && { timeZone: input.timeZone }),
  };
  const row = await db.adminPreference.upsert({ where: { adminId }, create: { adminId, ...data }, update: data, select });
  return toPreferences(row);
}

/**
 * The zone the admin's pages are rendered in: their preference, else the browser's as its `tz` cookie
 * holds it (components/ui/local-time.tsx), else null (the page renders UTC and the browser switches).
 */
export async function displayTimeZone(adminId: string, preferences?: Preferences): Promise<string | null> {
  const preferred = (preferences ?? (await getPreferences(adminId))).timeZone;
  if (preferred) return preferred;
  const cookie = (await cookies()).get("tz")?.value;
  return cookie && isTimeZone(cookie) ? cookie : null;
}
