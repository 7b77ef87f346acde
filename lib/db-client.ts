import path from "node:path";
import fs from "node:fs";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

export type DatabaseClient = PrismaClient;

export function isPostgresUrl(url: string) {
  return /^postgres(ql)?:\/\//.test(url);
}

export function sqliteFilePath(url: string) {
  return path.resolve(url.replace(/^file:/, ""));
}

/**
 * Builds a Prisma client for a DATABASE_URL through the matching driver adapter (Rust-free client).
 * Scripts and tests use this directly with their own URL; the app uses the singleton in lib/db.ts.
 */
export function createDatabaseClient(url: string): PrismaClient {
  if (isPostgresUrl(url)) {
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  }
  const file = sqliteFilePath(url);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}` }) });
}
