import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { isUniqueViolation } from "@/lib/db-client";

/**
 * Failed sign-in throttling, stored in the database so that every console instance shares the counters:
 * - per (account, client address): after SIGN_IN_MAX_FAILURES failures within the window the pair is
 *   locked for SIGN_IN_LOCK_SECONDS;
 * - per account, whatever the address (guessing from many addresses): past SIGN_IN_MAX_FAILURES failures
 *   in the window every further attempt takes the next free slot, each slot a growing delay after the
 *   previous one (1 s, 2 s, 4 s … at most ACCOUNT_MAX_DELAY_MS), and waits for it before its password is
 *   checked, so parallel guesses queue up instead of running side by side. An attempt whose slot would be
 *   more than ACCOUNT_MAX_QUEUE_MS away is refused without checking anything.
 * Both keys are built from the typed email whether or not such an account exists, so the answers and
 * their timing do not tell whether it does.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks
 */
export function throttleKey(email: string, address: string) {
  return `${email.trim().toLowerCase()}|${address}`;
}

export function accountThrottleKey(email: string) {
  return `account|${email.trim().toLowerCase()}`;
}

export const ACCOUNT_MAX_DELAY_MS = 30_000;
export const ACCOUNT_MAX_QUEUE_MS = 60_000;

/** The delay between two attempts after `failures` failures of one account within the window. */
export function accountDelayMs(failures: number): number {
  const over = failures - env.SIGN_IN_MAX_FAILURES;
  if (over < 0) return 0;
  return Math.min(1000 * 2 ** Math.min(over, 20), ACCOUNT_MAX_DELAY_MS);
}

export type AccountSlot = { waitMs: number } | { refusedUntil: Date };

/**
 * Reserves this attempt's slot for the account: how long to wait before checking the password, or a
 * refusal when the queue is already full. One compare-and-set on the row's `lockedUntil` (here: the next
 * free slot), so simultaneous attempts on several instances each get a slot of their own.
 */
export async function reserveAccountSlot(key: string, now = new Date()): Promise<AccountSlot> {
  const windowFrom = new Date(now.getTime() - env.SIGN_IN_LOCK_SECONDS * 1000);
  for (let attempt = 0; attempt < 20; attempt++) {
    const row = await db.signInThrottle.findUnique({ where: { key } });
    if (!row || row.windowStart < windowFrom || row.failures < env.SIGN_IN_MAX_FAILURES) return { waitMs: 0 };
    const slot = Math.max(now.getTime(), row.lockedUntil?.getTime() ?? 0);
    if (slot - now.getTime() > ACCOUNT_MAX_QUEUE_MS) return { refusedUntil: new Date(slot) };
    const next = new Date(slot + accountDelayMs(row.failures));
    const { count } = await db.signInThrottle.updateMany({ where: { key, lockedUntil: row.lockedUntil }, data: { lockedUntil: next } });
    if (count === 1) return { waitMs: slot - now.getTime() };
  }
  // Twenty lost races in a row: the account is under a flood; this attempt is not worth a slot.
  return { refusedUntil: new Date(now.getTime() + ACCOUNT_MAX_QUEUE_MS) };
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
export async function recordFailure(key: string, now = new Date(), options: { lock?: boolean } = {}): Promise<Date | null> {
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
    const restarted = await db.signInThrottle.updateMany({
      where: { key, windowStart: { lt: windowFrom } },
      data: { failures: 1, windowStart: now, lockedUntil: null },
    });
    if (restarted.count === 1) break;
    try {
      await db.signInThrottle.create({ data: { key, failures: 1, windowStart: now } });
      break;
    } catch (e) {
      // Another request created the row first: count this failure in it.
      if (!isUniqueViolation(e) || attempt >= 4) throw e;
    }
  }
  if (options.lock === false || failures < env.SIGN_IN_MAX_FAILURES) return null;
  const lockedUntil = new Date(now.getTime() + windowMs);
  await db.signInThrottle.updateMany({ where: { key }, data: { lockedUntil } });
  return lockedUntil;
}

export async function clearFailures(key: string) {
  await db.signInThrottle.deleteMany({ where: { key } });
}
