import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DatabaseProvider } from "@/lib/db-client";
import { defaultMigrationsDir, readMigrations } from "@/lib/migrations";

/**
 * For tests of a migration that moves data: a folder with the committed migrations before the one whose
 * name ends with `suffix`, so a database can be built as it was, filled, then migrated to today.
 */
export function migrationsBefore(provider: DatabaseProvider, suffix: string): string {
  const all = readMigrations(defaultMigrationsDir(provider));
  const index = all.findIndex((m) => m.name.endsWith(suffix));
  if (index <= 0) throw new Error(`no migration ending with ${suffix} after the first (${provider})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tac-migrations-before-"));
  for (const m of all.slice(0, index)) {
    fs.mkdirSync(path.join(dir, m.name));
    fs.writeFileSync(path.join(dir, m.name, "migration.sql"), m.sql);
  }
  return dir;
}
