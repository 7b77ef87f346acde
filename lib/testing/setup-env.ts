import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { migrateDatabase } from "@/lib/migrations";

// Runs before every test file, before its imports are evaluated: lib/env.ts then reads these values.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tac-test-"));
process.env.DATA_DIR = dir;
process.env.DATABASE_URL = `file:${path.join(dir, "console.db")}`;
process.env.APP_URL ??= "http://localhost:3000";
await migrateDatabase(process.env.DATABASE_URL);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
