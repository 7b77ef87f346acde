import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

/**
 * Failed sign-in throttling per (account, client address), stored in the database so that every
 * console instance shares the counters. After SIGN_IN_MAX_FAILURES failures within the window the
 * pair is locked for SIGN_IN_LOCK_SECONDS.
 */
export function throttleKey(email: string, address: string) {
  return `${email.trim().toLowerCase()}|${address}`;
}

export async function getLock(key: string, now = new Date()): Promise<Date | null> {
  const row = await db.signInThrottle.findUnique({ where: { key } });
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

/** Records a failure; returns the lock end if this failure locked the pair. */
export async function recordFailure(key: string, now = new Date()): Promise<Date | null> {
  const windowMs = env.SIGN_IN_LOCK_SECONDS * 1000;
  const row = await db.signInThrottle.findUnique({ where: { key } });
  const fresh = !row || now.getTime() - row.windowStart.getTime() > windowMs;
  const failures = fresh ? 1 : row.failures + 1;
  const lockedUntil = failures >= env.SIGN_IN_MAX_FAILURES ? new Date(now.getTime() + windowMs) : null;
  await db.signInThrottle.upsert({
    where: { key },
    create: { key, failures, windowStart: now, lockedUntil },
    update: { failures, windowStart: fresh ? now : row.windowStart, lockedUntil },
  });
  return lockedUntil;
}

export async function clearFailures(key: string) {
  await db.signInThrottle.deleteMany({ where: { key } });
}
