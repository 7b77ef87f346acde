import "server-only";
import { hasLikeWildcard } from "@/lib/db";
import type { Pool } from "pg";
import { directDatabase } from "@/lib/db-direct";
import type { StatusValue } from "@/lib/validations/tenant";

/**
 * The Tenants page's search index and summary counts, kept in sync with "Tenant" by triggers (migration
 * 20261206150000_tenant_search_and_counts on each database), read on the driver (lib/db-direct.ts): they
 * are tables Prisma's schema does not describe.
 *
 * Search. SQLite: an FTS5 trigram index; PostgreSQL: trigram GIN indexes. A trigram index answers
 * substrings of three characters or more; a one- or two-character search is a plain scan in the page's
 * sort order, which stops after a page of matches (short strings match nearly every tenant) and reads
 * every tenant only when almost none match.
 */

/** The shortest search a trigram index can answer. */
export const MIN_INDEXED_SEARCH = 3;

/** At most this many matches are resolved through the index; a search matching more is served by the ordered scan. */
export const SEARCH_CANDIDATES = 500;

/**
 * Text typed by a user as one FTS5 phrase: in double quotes, a double quote doubled. Inside a phrase,
 * AND, OR, NOT, NEAR, *, ^, :, parentheses and column names are plain text, so nothing a user types is
 * an operator. With the trigram tokenizer a phrase matches where the text occurs as a substring.
 * @see https://www.sqlite.org/fts5.html#fts5_strings
 */
export function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Text with `%` or `_` is kept from SQLite's LIKE (it would be a wildcard there, lib/db.ts): its matches
 * are resolved here, up to this many (Prisma binds each id, and allows 999 bound values on SQLite). Only
 * a search for such text matching more tenants than this goes to LIKE, which then also matches text
 * where any character or run stands in the wildcard's place.
 */
export const WILDCARD_CANDIDATES = 900;

/**
 * The ids of the tenants whose customer id, name, admin email or domain contain `q` (case ignored),
 * when there are at most `limit`; null when there are more or when `q` is too short for the index (the
 * caller then scans in page order). SQLite's index reads at most `limit + 1` entries. On SQLite, text with
 * a LIKE wildcard is resolved here whatever its length (a one- or two-character one by reading the
 * tenants), so that it is matched as text.
 */
export async function searchCandidates(q: string, limit = SEARCH_CANDIDATES): Promise<string[] | null> {
  const d = directDatabase();
  if (d.kind === "postgresql") {
    if ([...q].length < MIN_INDEXED_SEARCH) return null;
    const rows = await throughTrigramIndexes(d.pool, `SELECT "id" FROM "Tenant" WHERE ${pgMatch} LIMIT $2`, [pgPattern(q), limit + 1]);
    return rows.length > limit ? null : rows.map((r) => r.id as string);
  }
  const literal = hasLikeWildcard(q);
  const max = literal ? Math.max(limit, WILDCARD_CANDIDATES) : limit;
  let rows: { id: string }[];
  if ([...q].length >= MIN_INDEXED_SEARCH) {
    rows = d.db
      .prepare(`SELECT k."tenantId" AS id FROM "TenantSearch" s JOIN "TenantSearchKey" k ON k."key" = s.rowid WHERE "TenantSearch" MATCH ? LIMIT ?`)
      .all(ftsPhrase(q), max + 1) as { id: string }[];
  } else if (literal) {
    // lower() folds ASCII only, as SQLite's LIKE does.
    rows = d.db
      .prepare(
        `SELECT "id" FROM "Tenant" WHERE instr(lower("customerId"), lower(@q)) > 0 OR instr(lower("displayName"), lower(@q)) > 0
           OR instr(lower("adminEmail"), lower(@q)) > 0 OR instr(lower(coalesce("primaryDomain", '')), lower(@q)) > 0 LIMIT @max`,
      )
      .all({ q, max: max + 1 }) as { id: string }[];
  } else {
    return null;
  }
  return rows.length > max ? null : rows.map((r) => r.id);
}

/**
 * Tenants per status among those whose searched columns contain `q` (three characters or more), under
 * the method and cloud filters, counted through the index: in proportion to the matches, not to the
 * tenants. Null for a shorter `q`.
 */
export async function searchStatusCounts(q: string, filters: { method?: string[]; cloud?: string[] }): Promise<Map<StatusValue, number> | null> {
  const d = directDatabase();
  if ([...q].length < MIN_INDEXED_SEARCH) return null;
  if (d.kind === "postgresql") {
    const params: unknown[] = [pgPattern(q)];
    const where = [pgMatch];
    if (filters.method?.length) where.push(`"authMethod"::text = ANY($${params.push(filters.method)})`);
    if (filters.cloud?.length) where.push(`"cloud"::text = ANY($${params.push(filters.cloud)})`);
    const rows = await throughTrigramIndexes(
      d.pool,
      `SELECT "lastStatus"::text AS status, COUNT(*)::int AS n FROM "Tenant" WHERE ${where.join(" AND ")} GROUP BY 1`,
      params,
    );
    return new Map(rows.map((r) => [r.status as StatusValue, r.n as number]));
  }
  const where: string[] = [];
  const params: unknown[] = [ftsPhrase(q)];
  for (const [column, values] of [
    ["authMethod", filters.method],
    ["cloud", filters.cloud],
  ] as const) {
    if (!values?.length) continue;
    where.push(`t."${column}" IN (${values.map(() => "?").join(", ")})`);
    params.push(...values);
  }
  const rows = d.db
    .prepare(
      `SELECT t."lastStatus" AS status, COUNT(*) AS n FROM "TenantSearch" s JOIN "TenantSearchKey" k ON k."key" = s.rowid JOIN "Tenant" t ON t."id" = k."tenantId"
        WHERE "TenantSearch" MATCH ?${where.map((w) => ` AND ${w}`).join("")} GROUP BY t."lastStatus"`,
    )
    .all(...params) as { status: StatusValue; n: number }[];
  return new Map(rows.map((r) => [r.status, r.n]));
}

/** PostgreSQL: the four searched columns against one ILIKE pattern ($1). */
const pgMatch = `("customerId" ILIKE $1 OR "displayName" ILIKE $1 OR "adminEmail" ILIKE $1 OR "primaryDomain" ILIKE $1)`;

/** `%q%` with `\`, `%` and `_` escaped (LIKE's default escape character on PostgreSQL is the backslash). */
const pgPattern = (q: string) => `%${q.replace(/[\\%_]/g, "\\$&")}%`;

/**
 * Runs a query with the trigram indexes as its only way in. PostgreSQL cannot estimate how many rows an
 * unanchored ILIKE matches, and with a LIMIT or a sort its planner prefers reading a b-tree in order
 * and filtering every row: 0.6–0.8 s at 100,000 tenants for a search that matches one tenant or none
 * (measured, docs/BENCHMARKS.md). GIN indexes are read by bitmap scans only, so turning off sequential
 * and plain index scans for this one transaction leaves the planner the trigram indexes.
 * @see https://www.postgresql.org/docs/15/runtime-config-query.html#RUNTIME-CONFIG-QUERY-ENABLE
 */
async function throughTrigramIndexes(pool: Pool, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN READ ONLY; SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off");
    const { rows } = await client.query(sql, params);
    await client.query("COMMIT");
    return rows;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

export type TenantCountRow = { lastStatus: StatusValue; authMethod: string; cloud: string; n: number };

/** PostgreSQL folds its count deltas into one row per key once a read finds more rows than this. */
const COMPACT_AT = 1000;

/** Tenants per (status, method, cloud), from the counts the triggers keep: a read of at most a few hundred rows. */
export async function tenantCountRows(): Promise<TenantCountRow[]> {
  const d = directDatabase();
  if (d.kind === "sqlite") {
    return d.db.prepare(`SELECT "lastStatus", "authMethod", "cloud", "n" FROM "TenantCount" WHERE "n" <> 0`).all() as TenantCountRow[];
  }
  const { rows } = await d.pool.query<TenantCountRow & { parts: number }>(
    `SELECT "lastStatus"::text AS "lastStatus", "authMethod"::text AS "authMethod", "cloud"::text AS "cloud", SUM("n")::int AS n, COUNT(*)::int AS parts
       FROM "TenantCount" GROUP BY 1, 2, 3`,
  );
  if (rows.reduce((a, r) => a + r.parts, 0) > COMPACT_AT) await compactTenantCounts();
  return rows.filter((r) => r.n !== 0).map(({ lastStatus, authMethod, cloud, n }) => ({ lastStatus, authMethod, cloud, n }));
}

/**
 * PostgreSQL: replaces the count deltas with one row per key, in one statement. A concurrent writer's
 * new delta is not in the statement's snapshot and stays; a second compaction running at the same time
 * finds the first one's rows already deleted and skips them, so no tenant is counted twice or lost.
 */
export async function compactTenantCounts(): Promise<void> {
  const d = directDatabase();
  if (d.kind !== "postgresql") return;
  await d.pool.query(
    `WITH folded AS (DELETE FROM "TenantCount" RETURNING *)
     INSERT INTO "TenantCount" ("lastStatus", "authMethod", "cloud", "n")
       SELECT "lastStatus", "authMethod", "cloud", SUM("n") FROM folded GROUP BY 1, 2, 3 HAVING SUM("n") <> 0`,
  );
}
