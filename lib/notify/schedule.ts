/**
 * Quiet hours and the daily digest of an alert rule, in the rule's time zone. Pure (the clock is a
 * parameter), so the rules are tested without waiting.
 */

export type RuleClock = { quietStart: string | null; quietEnd: string | null; digestAt: string | null; timeZone: string };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isHhMm(v: string): boolean {
  return HHMM.test(v);
}

function minutesOf(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new Error(`not HH:MM: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The local date ("YYYY-MM-DD") and minute of the day at `now` in `timeZone`. */
export function localTime(now: Date, timeZone: string): { date: string; minute: number } {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "00";
  return { date: `${get("year")}-${get("month")}-${get("day")}`, minute: Number(get("hour")) * 60 + Number(get("minute")) };
}

/**
 * When the quiet hours that hold `now` end, or null when `now` is not in quiet hours. A window may span
 * midnight (22:00–07:00); equal start and end means none.
 */
export function quietUntil(rule: RuleClock, now: Date): Date | null {
  if (!rule.quietStart || !rule.quietEnd) return null;
  const start = minutesOf(rule.quietStart);
  const end = minutesOf(rule.quietEnd);
  if (start === end) return null;
  const { minute } = localTime(now, rule.timeZone);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return null;
  const minutesLeft = (end - minute + 1440) % 1440;
  const floored = Math.floor(now.getTime() / 60_000) * 60_000;
  return new Date(floored + minutesLeft * 60_000);
}

/** The local date whose daily digest is due at `now` (the digest time has passed today), or null. */
export function digestDueFor(rule: RuleClock, now: Date): string | null {
  if (!rule.digestAt) return null;
  const { date, minute } = localTime(now, rule.timeZone);
  return minute >= minutesOf(rule.digestAt) ? date : null;
}
