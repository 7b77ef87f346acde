import path from "node:path";
import fs from "node:fs";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "@/lib/generated/prisma-pg/client";

export type DatabaseClient = PrismaClient;

export type DatabaseProvider = "sqlite" | "postgresql";

export function isPostgresUrl(url: string) {
  return /^postgres(ql)?:\/\//.test(url);
}

export function databaseProvider(url: string): DatabaseProvider {
  return isPostgresUrl(url) ? "postgresql" : "sqlite";
}

export function sqliteFilePath(url: string) {
  return path.resolve(url.replace(/^file:/, ""));
}

/**
 * The path of a `file:` URL's database, made owner-only (0600) before SQLite opens it: the file holds
 * the encrypted credentials, password hashes and the audit log. A new file is created with that mode, an
 * existing one (and any -wal, -shm or -journal beside it) is tightened. SQLite gives the files it creates
 * later (-wal, -shm, -journal) the database file's permissions, whatever the umask.
 * @see https://www.sqlite.org/tempfiles.html
 */
export function prepareSqliteFile(url: string): string {
  const file = sqliteFilePath(url);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, "a", 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      fs.chmodSync(f, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return file;
}

/**
 * Splits Prisma's `?schema=name` off a PostgreSQL URL: node-postgres does not know it, and the schema
 * is handed to the adapter (which qualifies every table with it) and to the migration runner (which
 * creates it and migrates under its search_path). Without it, tables live in `public`.
 * @see https://www.prisma.io/docs/orm/overview/databases/postgresql#connection-url
 */
export function postgresConnection(url: string): { connectionString: string; schema: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") || "public";
  parsed.searchParams.delete("schema");
  return { connectionString: parsed.toString(), schema };
}

/**
 * Builds a Prisma client for a DATABASE_URL through the matching driver adapter (Rust-free client).
 * Scripts and tests use this directly with their own URL; the app uses the singleton in lib/db.ts.
 *
 * Prisma refuses an adapter whose provider differs from the schema's, so PostgreSQL has its own client,
 * generated from the schema derived for it (lib/generated/prisma-pg, see scripts/db-schemas.ts). Both
 * come from the same models, so their model APIs are identical; the app is typed against the SQLite
 * client only, hence the cast. What the PostgreSQL client has beyond it (`mode: "insensitive"`) is
 * reached through lib/db.ts, nowhere else.
 */
export function createDatabaseClient(url: string): PrismaClient {
  if (isPostgresUrl(url)) {
    const { connectionString, schema } = postgresConnection(url);
    const adapter = new PrismaPg({ connectionString }, schema === "public" ? undefined : { schema });
    return new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
  }
  const file = prepareSqliteFile(url);
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}` }) });
}

/** Prisma's error code (P2002 unique violation, P2003 foreign key, P2025 record not found…), the same on both databases. */
export function isPrismaError(e: unknown, code: "P2002" | "P2003" | "P2025"): boolean {
  return (e as { code?: string } | null)?.code === code;
}

/** A unique constraint refused the write: someone else created the row first. */
export function isUniqueViolation(e: unknown): boolean {
  return isPrismaError(e, "P2002");
}

/**
 * A transaction lost to a concurrent one (PostgreSQL 40001 serialization failure or 40P01 deadlock): Prisma's
 * P2034, or, when the failure surfaces at COMMIT of an interactive transaction, the driver adapter's own
 * error (`cause.kind` "TransactionWriteConflict", `cause.originalCode` the SQLSTATE).
 */
export function isWriteConflict(e: unknown): boolean {
  if ((e as { code?: string } | null)?.code === "P2034") return true;
  const cause = (e as { cause?: { kind?: string; originalCode?: string } } | null)?.cause;
  return cause?.kind === "TransactionWriteConflict" || cause?.originalCode === "40001" || cause?.originalCode === "40P01";
}
