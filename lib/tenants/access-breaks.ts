/**
 * "Access breaks on": the earliest known deadline of a working tenant (its credential's or certificate's
 * expiry, its refresh token's inactivity deadline), as the table, the tenant page, the CSV export and the
 * REST API all show it. One rule, applied where tenants leave lib/data, so they agree:
 * - a tenant already broken (FAILED) has none: it is broken for its own reason, shown in its status;
 * - a deadline already past is not shown (the next check reports what broke), nor one absurdly far away
 *   (Entra's "never expires" secrets end in 2299; a test tenant's in 2099): that is no deadline.
 */

const YEAR_MS = 365 * 86_400_000;
/** Beyond this, a deadline is not one anybody plans for: shown as none. */
export const NO_DEADLINE_AFTER_MS = 10 * YEAR_MS;

export function shownAccessBreaksAt(status: string, at: Date | null, now = Date.now()): Date | null {
  if (!at || status === "FAILED") return null;
  const ms = at.getTime();
  if (!Number.isFinite(ms) || ms <= now || ms - now > NO_DEADLINE_AFTER_MS) return null;
  return at;
}

/** A tenant row with its deadline as shown. */
export function withShownDeadline<T extends { lastStatus: string; accessBreaksAt: Date | null }>(t: T, now = Date.now()): T {
  const shown = shownAccessBreaksAt(t.lastStatus, t.accessBreaksAt, now);
  return shown === t.accessBreaksAt ? t : { ...t, accessBreaksAt: shown };
}
