import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { migrateDatabase } from "@/lib/migrations";
import { createTestSchema, dropTestSchemas, testOnPostgres } from "@/lib/testing/postgres";

// Runs before every test file, before its imports are evaluated: lib/env.ts then reads these values.
// Each test file gets its own data folder and a freshly migrated database: an SQLite file in that
// folder, or with TEST_DATABASE=postgres a schema of its own on the test PostgreSQL server.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tac-test-"));
process.env.DATA_DIR = dir;
process.env.DATABASE_URL = testOnPostgres ? createTestSchema() : `file:${path.join(dir, "console.db")}`;
process.env.APP_URL ??= "http://localhost:3000";
// The emulator listens on 127.0.0.1 (random ports): the console may call that host, and no other
// loopback or private one, as in production with OUTBOUND_ALLOW_HOSTS set for a private endpoint.
process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
await migrateDatabase(process.env.DATABASE_URL);

afterAll(async () => {
  if (testOnPostgres) {
    // lib/db.ts keeps its client on globalThis outside production: close its pool before dropping.
    await (globalThis as { tacDb?: { $disconnect(): Promise<void> } }).tacDb?.$disconnect();
    await dropTestSchemas();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
