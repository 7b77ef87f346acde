import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { accountDelayMs, accountThrottleKey, ACCOUNT_MAX_QUEUE_MS, clearFailures, getLock, recordFailure, reserveAccountSlot } from "./throttle";

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

  it("slows guessing per account whatever the address: growing delays past the free failures", async () => {
    const key = accountThrottleKey("Victim@MSP.example");
    expect(key).toBe(accountThrottleKey(" victim@msp.example"));
    const t0 = new Date("2026-02-01T00:00:00.000Z");
    for (let i = 0; i < env.SIGN_IN_MAX_FAILURES; i++) {
      expect(await reserveAccountSlot(key, t0)).toEqual({ waitMs: 0 });
      // Account failures never lock: they only space out the next attempts.
      expect(await recordFailure(key, t0, { lock: false })).toBeNull();
    }
    // Past the free failures each attempt takes the next slot: the first at once, the next after 1 s…
    expect(await reserveAccountSlot(key, t0)).toEqual({ waitMs: 0 });
    expect(await reserveAccountSlot(key, t0)).toEqual({ waitMs: accountDelayMs(env.SIGN_IN_MAX_FAILURES) });
    await recordFailure(key, t0, { lock: false });
    expect(accountDelayMs(env.SIGN_IN_MAX_FAILURES + 1)).toBe(2 * accountDelayMs(env.SIGN_IN_MAX_FAILURES));
    // …and a slot already past does not delay a later attempt.
    expect(await reserveAccountSlot(key, new Date(t0.getTime() + 60_000))).toEqual({ waitMs: 0 });
    await clearFailures(key);
  });

  it("queues simultaneous guesses one slot each and refuses those beyond the queue", async () => {
    const key = accountThrottleKey("flooded@msp.example");
    const now = new Date();
    for (let i = 0; i < env.SIGN_IN_MAX_FAILURES + 4; i++) await recordFailure(key, now, { lock: false });
    const delay = accountDelayMs(env.SIGN_IN_MAX_FAILURES + 4);
    const slots = await Promise.all(Array.from({ length: 12 }, () => reserveAccountSlot(key, now)));
    const waits = slots
      .filter((s): s is { waitMs: number } => "waitMs" in s)
      .map((s) => s.waitMs)
      .sort((a, b) => a - b);
    // Every admitted attempt got a distinct slot, `delay` apart; none beyond the queue's length.
    expect(waits).toEqual(waits.map((_, i) => i * delay));
    expect(waits.at(-1)!).toBeLessThanOrEqual(ACCOUNT_MAX_QUEUE_MS);
    expect(slots.filter((s) => "refusedUntil" in s).length).toBe(12 - waits.length);
    expect(slots.some((s) => "refusedUntil" in s)).toBe(true);
  });
});
