import { z } from "zod";
import { isTimeZone } from "@/lib/dates";
import { hideableColumns } from "./tenant";

/** The Tenants table's row heights: comfortable (two lines a row, the default) or compact (one line, more rows on screen). */
export const densities = ["comfortable", "compact"] as const;
export type Density = (typeof densities)[number];

/** What an admin may change of their own display preferences; a field left out is kept. */
export const preferencesInputSchema = z
  .object({
    density: z.enum(densities, "Choose comfortable or compact."),
    hiddenColumns: z.array(z.enum(hideableColumns, "Choose columns of the Tenants table.")).max(hideableColumns.length),
    /** null: the browser's zone. */
    timeZone: z.string().trim().max(64, "Choose a time zone from the list.").refine(isTimeZone, "Choose a time zone from the list.").nullable(),
  })
  .partial();

export type PreferencesInput = z.output<typeof preferencesInputSchema>;
