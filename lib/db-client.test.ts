import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db, dbProvider } from "@/lib/db";
import { env } from "@/lib/env";
import { createDatabaseClient, postgresConnection, sqliteFilePath } from "@/lib/db-client";
import { migrateDatabase } from "@/lib/migrations";
import { testOnPostgres, withPostgres } from "@/lib/testing/postgres";

/**
 * The database guarantees the console relies on, checked on SQLite and (TEST_DATABASE=postgres) on
 * PostgreSQL, whose READ COMMITTED isolation lets concurrent statements interleave where SQLite
 * serializes every write.
 */

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === "P2002";

async function tenantWith(client: typeof db, id: string) {
  await client.tenant.create({ data: { id, customerId: `C-${id}`, displayName: id, adminEmail: `${id}@example.com`, authMethod: "PASSWORD" } });
}

async function tenant(id: string) {
  await tenantWith(db, id);
}

describe("postgresConnection", () => {
  it("takes Prisma's ?schema= off the URL and defaults to public", () => {
    expect(postgresConnection("postgresql://u:p@db:5432/console?schema=tac&sslmode=require")).toEqual({
      connectionString: "postgresql://u:p@db:5432/console?sslmode=require",
      schema: "tac",
    });
    expect(postgresConnection("postgres://db/console")).toEqual({ connectionString: "postgres://db/console", schema: "public" });
  });
});

describe("the SQLite database files", () => {
  const groupOrOther = (file: string) => (fs.statSync(file).mode & 0o077).toString(8);

  /** A permissive umask, as on most servers: without our own mode SQLite would create 0644 files. */
  function withUmask<T>(run: () => Promise<T>) {
    const previous = process.umask(0o022);
    return run().finally(() => process.umask(previous));
  }

  it("are created owner-only: the database, its -wal and its -shm", () =>
    withUmask(async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tac-mode-"));
      const file = path.join(dir, "console.db");
      await migrateDatabase(`file:${file}`);
      const client = createDatabaseClient(`file:${file}`);
      try {
        await tenantWith(client, "mode-check");
        for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(groupOrOther(f), f).toBe("0");
      } finally {
        await client.$disconnect();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }));

  it.runIf(!testOnPostgres)("are tightened when they already exist with looser modes", () =>
    withUmask(async () => {
      await tenant("loose-mode");
      const file = sqliteFilePath(env.DATABASE_URL);
      const files = [file, `${file}-wal`, `${file}-shm`];
      for (const f of files) fs.chmodSync(f, 0o644);
      const client = createDatabaseClient(env.DATABASE_URL);
      try {
        await client.tenant.count();
        for (const f of files) expect(groupOrOther(f), f).toBe("0");
      } finally {
        await client.$disconnect();
      }
    }),
  );
});

describe(`the data layer on ${testOnPostgres ? "PostgreSQL" : "SQLite"}`, () => {
  it("uses the database the test environment selected", () => {
    expect(dbProvider).toBe(testOnPostgres ? "postgresql" : "sqlite");
  });

  it.runIf(testOnPostgres)("keeps every row in the URL's schema", async () => {
    await tenant("in-schema");
    const { schema } = postgresConnection(env.DATABASE_URL);
    expect(schema).not.toBe("public");
    const rows = await withPostgres(async (c) => (await c.query('SELECT id FROM "Tenant" WHERE id = $1', ["in-schema"])).rows, schema);
    expect(rows).toEqual([{ id: "in-schema" }]);
  });

  it("reports a unique violation as P2002", async () => {
    await tenant("dup");
    const e = await db.tenant
      .create({ data: { id: "dup-2", customerId: "C-dup", displayName: "x", adminEmail: "x@example.com", authMethod: "PASSWORD" } })
      .catch((err: unknown) => err);
    expect(isUniqueViolation(e)).toBe(true);
  });

  it("stores DateTime to the millisecond and reads it back as the same instant", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    await db.signInThrottle.create({ data: { key: "dates", windowStart: at, lockedUntil: new Date(at.getTime() + 1) } });
    const row = await db.signInThrottle.findUniqueOrThrow({ where: { key: "dates" } });
    expect(row.windowStart.toISOString()).toBe(at.toISOString());
    expect(await db.signInThrottle.count({ where: { windowStart: { gte: at, lt: new Date(at.getTime() + 1) } } })).toBe(1);
  });

  it("lets exactly one of many simultaneous run starts hold the active slot", async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        db.jobRun.create({ data: { id: `run-${i}`, kind: "verify", activeSlot: "verify", trigger: "manual", requestedBy: "t", concurrency: 1 } }),
      ),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    expect(attempts.every((a) => a.status === "fulfilled" || isUniqueViolation(a.reason))).toBe(true);
    await db.jobRun.updateMany({ where: { activeSlot: "verify" }, data: { activeSlot: null, status: "COMPLETED" } });
  });

  it("gives a compare-and-set update to one of many simultaneous callers (single-use state, run takeover)", async () => {
    await tenant("cas");
    await db.oAuthState.create({
      data: { id: "st", stateHash: "h", tenantId: "cas", flow: "ADMIN_CONSENT", redirectUri: "https://x/cb", expiresAt: new Date(Date.now() + 60_000) },
    });
    const now = new Date();
    const counts = await Promise.all(
      Array.from({ length: 10 }, () => db.oAuthState.updateMany({ where: { stateHash: "h", usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } })),
    );
    expect(counts.map((c) => c.count).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it("increments a counter row once per caller, handing out distinct counts (upsert with increment)", async () => {
    const windowStart = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const increment = async (): Promise<number> => {
      for (let attempt = 0; ; attempt++) {
        try {
          const row = await db.rateLimitWindow.upsert({
            where: { key: "k" },
            create: { key: "k", windowStart, count: 1 },
            update: { count: { increment: 1 } },
            select: { count: true },
          });
          return row.count;
        } catch (e) {
          if (!isUniqueViolation(e) || attempt >= 2) throw e;
        }
      }
    };
    const seen = await Promise.all(Array.from({ length: 25 }, increment));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect((await db.rateLimitWindow.findUniqueOrThrow({ where: { key: "k" } })).count).toBe(25);
  });
});
