import "server-only";
import { createDatabaseClient, type DatabaseClient } from "@/lib/db-client";
import { env } from "@/lib/env";

// One client per process. Next.js dev re-evaluates modules on reload; keep the instance on globalThis
// so reloads do not open a new connection each time.
const globalForDb = globalThis as unknown as { tacDb?: DatabaseClient };

export const db: DatabaseClient = globalForDb.tacDb ?? createDatabaseClient(env.DATABASE_URL);

if (env.NODE_ENV !== "production") globalForDb.tacDb = db;
