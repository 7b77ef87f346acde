/**
 * The console's one date format, everywhere a moment is shown: the absolute date and time in the admin's
 * time zone ("6 Dec 2026, 23:40") as the text, and the relative form ("3 hours ago") as the hint. Exports
 * write ISO 8601 with the zone's offset ("2026-12-06T23:40:00+01:00"); messages (emails, chat), read
 * anywhere, write the absolute form in UTC with the zone named ("6 Dec 2026, 23:40 UTC"). Pure and
 * client-safe: the server renders with the same functions the browser hydrates with, so given the same
 * zone the markup matches.
 */

/** The zone used when neither the admin nor the browser named one (the server's first render without a cookie). */
export const DEFAULT_TIME_ZONE = "UTC";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, kind: "display" | "parts"): Intl.DateTimeFormat {
  const key = `${kind}:${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f =
      kind === "display"
        ? new Intl.DateTimeFormat("en-GB", { timeZone, day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
        : new Intl.DateTimeFormat("en-US", {
            timeZone,
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
            second: "2-digit",
            hourCycle: "h23",
          });
    formatters.set(key, f);
  }
  return f;
}

/** Whether `zone` is an IANA time zone this runtime knows ("Europe/Paris", "UTC"). */
export function isTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every zone the runtime lists, for a picker; UTC first. */
export function timeZones(): string[] {
  const listed = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...listed.filter((z) => z !== "UTC")];
}

const toDate = (value: Date | string | number) => (value instanceof Date ? value : new Date(value));

/** "6 Dec 2026, 23:40": the absolute form, in `timeZone`. */
export function formatDateTime(value: Date | string | number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return formatter(timeZone, "display").format(toDate(value));
}

/** The zone's offset from UTC at that moment, in minutes (east positive). */
export function offsetMinutes(value: Date | string | number, timeZone: string): number {
  const at = toDate(value);
  const p = Object.fromEntries(
    formatter(timeZone, "parts")
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const m = Math.abs(minutes);
  return `${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** "UTC", or "UTC+01:00" / "UTC−05:00": the zone's offset at that moment, for people. */
export function zoneOffsetLabel(value: Date | string | number, timeZone: string): string {
  const minutes = offsetMinutes(value, timeZone);
  return minutes === 0 ? "UTC" : `UTC${offsetText(minutes).replace("-", "−")}`;
}

/** ISO 8601 with the zone's offset, to the second: "2026-12-06T23:40:05+01:00" (exports). */
export function formatIso(value: Date | string | number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const at = toDate(value);
  const minutes = offsetMinutes(at, timeZone);
  const local = new Date(Math.floor(at.getTime() / 1000) * 1000 + minutes * 60_000).toISOString().slice(0, 19);
  return `${local}${offsetText(minutes)}`;
}

/** "6 Dec 2026, 23:40 UTC": the absolute form with the zone named, for messages read anywhere (emails, chat). */
export function formatForMessage(value: Date | string | number): string {
  return `${formatDateTime(value, "UTC")} UTC`;
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 hours ago", "in 2 days", "just now": the hint beside the absolute form. */
export function relativeTime(at: number, now: number): string {
  const diff = at - now;
  if (Math.abs(diff) < 45_000) return diff > 0 ? "in a few seconds" : "just now";
  for (const [unit, ms] of units) if (Math.abs(diff) >= ms) return rtf.format(Math.round(diff / ms), unit);
  return rtf.format(Math.round(diff / 60_000), "minute");
}
