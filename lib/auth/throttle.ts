import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { isUniqueViolation } from "@/lib/db-client";

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

/**
 * Records a failure; returns the lock end if this failure locked the pair. Each step is one conditional
 * statement rather than a read followed by a write, so failures arriving together (parallel requests,
 * several console instances on PostgreSQL under READ COMMITTED) are each counted once.
 */
export async function recordFailure(key: string, now = new Date()): Promise<Date | null> {
  const windowMs = env.SIGN_IN_LOCK_SECONDS * 1000;
  const windowFrom = new Date(now.getTime() - windowMs);
  let failures = 1;
  for (let attempt = 0; ; attempt++) {
    const counted = await db.signInThrottle.updateMany({ where: { key, windowStart: { gte: windowFrom } }, data: { failures: { increment: 1 } } });
    if (counted.count === 1) {
      failures = (await db.signInThrottle.findUnique({ where: { key }, select: { failures: true } }))?.failures ?? 1;
      break;
    }
    // The window ran out: this failure starts a new one (another request may have just done so: count again).
    const restarted = await db.signInThrottle.updateMany({ where: { key, windowStart: { lt: windowFrom } }, data: { failures: 1, windowStart: now, lockedUntil: null } });
    if (restarted.count === 1) break;
    try {
      await db.signInThrottle.create({ data: { key, failures: 1, windowStart: now } });
      break;
    } catch (e) {
      // Another request created the row first: count this failure in it.
      if (!isUniqueViolation(e) || attempt >= 4) throw e;
    }
  }
  if (failures < env.SIGN_IN_MAX_FAILURES) return null;
  const lockedUntil = new Date(now.getTime() + windowMs);
  await db.signInThrottle.updateMany({ where: { key }, data: { lockedUntil } });
  return lockedUntil;
}

export async function clearFailures(key: string) {
  await db.signInThrottle.deleteMany({ where: { key } });
}
