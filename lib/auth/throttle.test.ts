import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { clearFailures, getLock, recordFailure } from "./throttle";

// Runs on SQLite, and on PostgreSQL with TEST_DATABASE=postgres (lib/testing/setup-env.ts).
describe("sign-in throttle", () => {
  it("locks after SIGN_IN_MAX_FAILURES failures in the window, and starts a new window afterwards", async () => {
    const key = "locks|127.0.0.1";
    const t0 = new Date("2026-01-01T00:00:00.000Z");
    for (let i = 1; i < env.SIGN_IN_MAX_FAILURES; i++) expect(await recordFailure(key, new Date(t0.getTime() + i * 1000))).toBeNull();
    const at = new Date(t0.getTime() + 60_000);
    const locked = await recordFailure(key, at);
    expect(locked).toEqual(new Date(at.getTime() + env.SIGN_IN_LOCK_SECONDS * 1000));
    expect(await getLock(key, new Date(at.getTime() + 1000))).toEqual(locked);

    const later = new Date(at.getTime() + env.SIGN_IN_LOCK_SECONDS * 1000 + 1);
    expect(await getLock(key, later)).toBeNull();
    expect(await recordFailure(key, later)).toBeNull();
    expect(await db.signInThrottle.findUniqueOrThrow({ where: { key } })).toMatchObject({ failures: 1, windowStart: later, lockedUntil: null });
    await clearFailures(key);
    expect(await db.signInThrottle.findUnique({ where: { key } })).toBeNull();
  });

  it("counts every one of many simultaneous failures", async () => {
    const key = "parallel|127.0.0.1";
    const now = new Date();
    const n = 20;
    const locks = await Promise.all(Array.from({ length: n }, () => recordFailure(key, now)));
    expect((await db.signInThrottle.findUniqueOrThrow({ where: { key } })).failures).toBe(n);
    expect(locks.some((l) => l !== null)).toBe(true);
    expect(await getLock(key, now)).not.toBeNull();
  });
});
