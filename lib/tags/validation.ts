import { z } from "zod";
import { tagColors } from "./palette";

/** Tag input, shared by the commands (console and REST) and the CSV import. */

export const TAG_NAME_MAX = 40;

/** At most this many tags exist; names are compared with every other one when saved. */
export const MAX_TAGS = 500;

/** Trimmed, with inner runs of whitespace made one space: "Gold  customers " is "Gold customers". */
export function normalizeTagName(name: string): string {
  return name.trim().replace(/\s+/g, " ");
}

/** The form two names are compared in: "Gold" and "gold" are the same tag. */
export function foldTagName(name: string): string {
  return normalizeTagName(name).normalize("NFC").toLocaleLowerCase("en-US");
}

export const tagNameSchema = z
  .string("Enter a name for the tag.")
  .transform(normalizeTagName)
  .pipe(
    z
      .string()
      .min(1, "Enter a name for the tag.")
      .max(TAG_NAME_MAX, `At most ${TAG_NAME_MAX} characters.`)
      // The CSV column separates a tenant's tags with semicolons.
      .refine((v) => !v.includes(";"), "A tag name cannot contain a semicolon.")
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "Use letters, digits, spaces and punctuation only."),
  );

export const tagColorSchema = z.enum(tagColors, "Choose one of the palette's colours.");

export const TAG_GONE = "This tag no longer exists. Reload the page to see the current tags.";

export const tagIdSchema = z.string(TAG_GONE).min(1, TAG_GONE).max(64, TAG_GONE);

export const tagCreateSchema = z.object({ name: tagNameSchema, color: tagColorSchema.optional() });

export const tagUpdateSchema = z
  .object({ id: tagIdSchema, name: tagNameSchema.optional(), color: tagColorSchema.optional() })
  .refine((v) => v.name !== undefined || v.color !== undefined, "Change the name or the colour.");

/** Tenant ids for bulk assignment: a table selection, or a REST caller's list. */
export const taggedTenantIdsSchema = z
  .array(z.string().min(1).max(64), "Select at least one tenant.")
  .min(1, "Select at least one tenant.")
  .max(10_000, "At most 10,000 tenants at once.");

export type TagCreateInput = z.output<typeof tagCreateSchema>;
export type TagUpdateInput = z.output<typeof tagUpdateSchema>;
