import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";

/**
 * Fixed-window request counting per caller, in the database (RateLimitWindow) so that every console
 * instance counts against the same limit. One row per caller and minute; the upsert increments
 * atomically, so concurrent requests never lose a count. Exactly one request sees `count === limit + 1`:
 * that one writes the `api.rate_limited` audit event, so a flood is audited once per window.
 */

export const WINDOW_MS = 60_000;

export type RateLimitDecision = {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window ends (Retry-After when refused). */
  resetSeconds: number;
};

async function increment(key: string, windowStart: Date): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      const row = await db.rateLimitWindow.upsert({
        where: { key },
        create: { key, windowStart, count: 1 },
        update: { count: { increment: 1 } },
        select: { count: true },
      });
      return row.count;
    } catch (e) {
      // Two first requests of a window raced to create the row: the loser increments it.
      if (!isUniqueViolation(e) || attempt >= 2) throw e;
    }
  }
}

export async function consumeRateLimit(input: {
  subject: string;
  limit: number;
  actor: AuditActor;
  requestId: string;
  now?: number;
}): Promise<RateLimitDecision> {
  const now = input.now ?? Date.now();
  const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  const windowStart = new Date(start);
  const count = await increment(`${input.subject}@${start}`, windowStart);
  if (count === 1) {
    // The first request of a caller's window clears windows that ended; the table stays small.
    await db.rateLimitWindow.deleteMany({ where: { windowStart: { lt: new Date(start - WINDOW_MS) } } });
  }
  const resetSeconds = Math.max(1, Math.ceil((start + WINDOW_MS - now) / 1000));
  if (count === input.limit + 1) {
    await recordAudit({
      action: "api.rate_limited",
      actor: input.actor,
      requestId: input.requestId,
      details: { limit: input.limit, windowStart: windowStart.toISOString() },
    });
  }
  return { allowed: count <= input.limit, limit: input.limit, remaining: Math.max(0, input.limit - count), resetSeconds };
}
