import "server-only";
import { createDatabaseClient, databaseProvider, type DatabaseClient } from "@/lib/db-client";
import { env } from "@/lib/env";

// One client per process. Next.js dev re-evaluates modules on reload; keep the instance on globalThis
// so reloads do not open a new connection each time.
const globalForDb = globalThis as unknown as { tacDb?: DatabaseClient };

export const db: DatabaseClient = globalForDb.tacDb ?? createDatabaseClient(env.DATABASE_URL);

if (env.NODE_ENV !== "production") globalForDb.tacDb = db;

export const dbProvider = databaseProvider(env.DATABASE_URL);

/**
 * A case-insensitive `contains` string filter on either database. SQLite's LIKE already ignores ASCII
 * case; PostgreSQL's is case-sensitive, and Prisma's `mode: "insensitive"` (ILIKE) exists only in the
 * PostgreSQL client, which the app's types (the SQLite client's) do not know: hence the cast, here only.
 * Prisma passes the value into the LIKE pattern as it is, so `%` and `_` would be wildcards: on PostgreSQL
 * they are escaped with a backslash, LIKE's default escape character there. SQLite's LIKE has no escape
 * character unless the statement names one, which Prisma's does not: callers keep text with `%` or `_`
 * away from it on SQLite (lib/data/tenant-index.ts).
 * @see https://www.prisma.io/docs/orm/prisma-client/queries/case-sensitivity
 * @see https://www.postgresql.org/docs/15/functions-matching.html#FUNCTIONS-LIKE
 */
export function containsInsensitive(value: string): { contains: string } {
  return dbProvider === "postgresql" ? ({ contains: value.replace(/[\\%_]/g, "\\$&"), mode: "insensitive" } as { contains: string }) : { contains: value };
}

/** Whether `value` holds a character SQLite's LIKE would take as a wildcard. */
export const hasLikeWildcard = (value: string) => /[%_]/.test(value);
