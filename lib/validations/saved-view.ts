import { z } from "zod";
import { tenantListParamsSchema, tenantListQuery } from "./tenant";

/**
 * A saved view of the Tenants page: a name and the page's URL query. The query is parsed with the page's
 * own schema and written back without page and selection, so a saved view holds filters, sort, page size
 * and hidden columns only, in their canonical form.
 */
export function canonicalViewQuery(query: string): string {
  const params = tenantListParamsSchema.parse(Object.fromEntries(new URLSearchParams(query.replace(/^\?/, ""))));
  return tenantListQuery({ ...params, page: 1, sel: [] });
}

export const savedViewInputSchema = z.object({
  name: z.string().trim().min(1, "Name the view.").max(60, "At most 60 characters."),
  query: z.string().max(4000, "This view is too long to save.").transform(canonicalViewQuery),
});

export type SavedViewInput = z.output<typeof savedViewInputSchema>;
