import { z } from "zod";
import { methodIds } from "@/lib/methods";

/** Tenant input and list-view schemas, shared by the forms, the server actions, CSV import and the REST API. */

export const clouds = ["GLOBAL", "USGOV", "USGOV_DOD", "CHINA", "CUSTOM"] as const;
export const verificationStatuses = ["NEVER", "VERIFIED", "WARNING", "FAILED"] as const;

export type CloudValue = (typeof clouds)[number];
export type StatusValue = (typeof verificationStatuses)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A DNS name with at least two labels (contoso.onmicrosoft.com, contoso.com).
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export function isGuid(value: string) {
  return GUID.test(value);
}

/** An Entra tenant is named by its GUID or by one of its verified domains; both resolve at sign-in. */
export const tenantRefSchema = z
  .string()
  .trim()
  .min(1, "Enter the Entra tenant ID or a domain of the tenant.")
  .max(253)
  .refine((v) => GUID.test(v) || DOMAIN.test(v), "Enter a tenant ID (GUID) or a domain such as contoso.onmicrosoft.com.")
  .transform((v) => v.toLowerCase());

export const tenantInputSchema = z.object({
  customerId: z
    .string()
    .trim()
    .min(1, "Enter the customer id.")
    .max(64, "At most 64 characters.")
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Letters, digits, dot, dash and underscore; start with a letter or digit."),
  displayName: z.string().trim().min(1, "Enter the customer's name.").max(256, "At most 256 characters."),
  tenantRef: tenantRefSchema,
  adminEmail: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email("Enter the M365 admin's email address."))
    .transform((v) => v.toLowerCase()),
  authMethod: z.enum(methodIds, "Choose an authentication method."),
  cloud: z.enum(clouds, "Choose the tenant's cloud."),
});

export type TenantInput = z.infer<typeof tenantInputSchema>;

export const tenantUpdateSchema = tenantInputSchema.extend({
  id: z.string().min(1).max(64),
  version: z.coerce.number().int().min(1),
});

export type TenantUpdate = z.infer<typeof tenantUpdateSchema>;

/** Splits a validated tenant reference into the stored columns; a domain keeps the tenant id it resolved to, if any. */
export function tenantRefColumns(ref: string, resolvedTenantId?: string | null): { entraTenantId: string | null; primaryDomain: string | null } {
  return isGuid(ref) ? { entraTenantId: ref, primaryDomain: null } : { entraTenantId: resolvedTenantId ?? null, primaryDomain: ref };
}

// ---- The list view: everything the URL of /tenants may carry ----

/** `attention`: the "Needs attention" order (lib/tenants/attention.ts), the page's default; `lastStatus` sorts by severity. */
export const tenantSortColumns = [
  "attention",
  "customerId",
  "displayName",
  "adminEmail",
  "authMethod",
  "lastVerifiedAt",
  "lastStatus",
  "accessBreaksAt",
] as const;
export type TenantSortColumn = (typeof tenantSortColumns)[number];
export const pageSizes = [10, 25, 50, 100] as const;
/** The status column always shows: it is what the page is for, and what a narrow screen keeps. */
export const hideableColumns = ["adminEmail", "authMethod", "lastVerifiedAt", "accessBreaksAt"] as const;
export type HideableColumn = (typeof hideableColumns)[number];

export const DEFAULT_SORT: TenantSortColumn = "attention";
/** The longest search the Tenants page runs; a longer one is not run and the page says so (toolbar.tsx). */
export const SEARCH_MAX_LENGTH = 200;

/** A comma-separated URL value parsed into a list of allowed values; unknown entries are dropped, not errors. */
function csvListOf<T extends string>(allowed: readonly T[]) {
  return z
    .string()
    .optional()
    .catch(undefined)
    .transform((v) => [
      ...new Set(
        (v ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter((s): s is T => (allowed as readonly string[]).includes(s)),
      ),
    ]);
}

export const tenantListParamsSchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  pageSize: z.coerce
    .number()
    .int()
    .refine((n) => (pageSizes as readonly number[]).includes(n))
    .catch(25),
  sort: z.enum(tenantSortColumns).catch(DEFAULT_SORT),
  dir: z.enum(["asc", "desc"]).catch("asc"),
  q: z
    .string()
    .trim()
    .max(SEARCH_MAX_LENGTH)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  status: csvListOf(verificationStatuses),
  method: csvListOf(methodIds),
  cloud: csvListOf(clouds),
  /** A root-cause group's filter (lib/tenants/failure-groups.ts): its reasons and app registration. */
  reason: z
    .string()
    .optional()
    .catch(undefined)
    .transform((v) => [...new Set((v ?? "").split(",").filter((s) => /^[A-Z][A-Z0-9_]{0,63}$/.test(s)))].slice(0, 20)),
  app: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional()
    .catch(undefined),
  /** Tenants with any of these tags (ids). */
  tag: z
    .string()
    .optional()
    .catch(undefined)
    .transform((v) => [...new Set((v ?? "").split(",").filter((s) => /^[A-Za-z0-9-]{1,64}$/.test(s)))].slice(0, 20)),
  hide: csvListOf(hideableColumns),
  sel: z
    .string()
    .optional()
    .catch(undefined)
    .transform((v) => [...new Set((v ?? "").split(",").filter((s) => /^[A-Za-z0-9-]{1,64}$/.test(s)))].slice(0, 500)),
});

export type TenantListParams = z.infer<typeof tenantListParamsSchema>;
export type TenantFilters = Pick<TenantListParams, "q" | "status" | "method" | "cloud" | "reason" | "app" | "tag">;

/** The URL query for a view, omitting defaults so shared links stay short. */
export function tenantListQuery(p: Partial<TenantListParams>): string {
  const q = new URLSearchParams();
  if (p.q) q.set("q", p.q);
  if (p.status?.length) q.set("status", p.status.join(","));
  if (p.method?.length) q.set("method", p.method.join(","));
  if (p.cloud?.length) q.set("cloud", p.cloud.join(","));
  if (p.reason?.length) q.set("reason", p.reason.join(","));
  if (p.app) q.set("app", p.app);
  if (p.tag?.length) q.set("tag", p.tag.join(","));
  if (p.sort && p.sort !== DEFAULT_SORT) q.set("sort", p.sort);
  if (p.dir && p.dir !== "asc") q.set("dir", p.dir);
  if (p.page && p.page !== 1) q.set("page", String(p.page));
  if (p.pageSize && p.pageSize !== 25) q.set("pageSize", String(p.pageSize));
  if (p.hide?.length) q.set("hide", p.hide.join(","));
  if (p.sel?.length) q.set("sel", p.sel.join(","));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export const tenantIdsSchema = z.array(z.string().min(1).max(64)).min(1).max(100_000);

/** The number of rows a view shows, from the per-status counts computed under its other filters. */
export function totalOf(counts: Record<StatusValue, number> & { total: number }, status: StatusValue[] | undefined) {
  return status?.length ? status.reduce((sum, s) => sum + counts[s], 0) : counts.total;
}
