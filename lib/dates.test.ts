import { describe, expect, it } from "vitest";
import { formatDateTime, formatForMessage, formatIso, isTimeZone, offsetMinutes, relativeTime, timeZones, zoneOffsetLabel } from "./dates";

const at = new Date("2026-12-06T23:40:05.123Z");

describe("the one date format", () => {
  it("writes the absolute date and time in the given zone, 24-hour, the month in words", () => {
    expect(formatDateTime(at)).toBe("6 Dec 2026, 23:40");
    expect(formatDateTime(at, "UTC")).toBe("6 Dec 2026, 23:40");
    // Past midnight in Paris: the date moves too.
    expect(formatDateTime(at, "Europe/Paris")).toBe("7 Dec 2026, 00:40");
    expect(formatDateTime(at, "America/New_York")).toBe("6 Dec 2026, 18:40");
    expect(formatDateTime(new Date("2026-07-01T00:05:00Z"), "Europe/London")).toBe("1 Jul 2026, 01:05");
    expect(formatDateTime("2026-12-06T23:40:05Z", "Asia/Kolkata")).toBe("7 Dec 2026, 05:10");
  });

  it("exports ISO 8601 with the zone's offset, daylight saving included, to the second", () => {
    expect(formatIso(at)).toBe("2026-12-06T23:40:05+00:00");
    expect(formatIso(at, "Europe/Paris")).toBe("2026-12-07T00:40:05+01:00");
    expect(formatIso(new Date("2026-07-01T12:00:00Z"), "Europe/Paris")).toBe("2026-07-01T14:00:00+02:00");
    expect(formatIso(at, "America/New_York")).toBe("2026-12-06T18:40:05-05:00");
    expect(formatIso(at, "Asia/Kolkata")).toBe("2026-12-07T05:10:05+05:30");
    // The same instant, whatever the zone.
    for (const zone of ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"])
      expect(new Date(formatIso(at, zone)).getTime()).toBe(Math.floor(at.getTime() / 1000) * 1000);
  });

  it("names the offset for people and writes messages in UTC with the zone named", () => {
    expect(offsetMinutes(at, "Asia/Kolkata")).toBe(330);
    expect(zoneOffsetLabel(at, "UTC")).toBe("UTC");
    expect(zoneOffsetLabel(at, "America/New_York")).toBe("UTC−05:00");
    expect(formatForMessage(at)).toBe("6 Dec 2026, 23:40 UTC");
  });

  it("gives the relative form as the hint, past and future", () => {
    const now = at.getTime();
    expect(relativeTime(now - 10_000, now)).toBe("just now");
    expect(relativeTime(now + 10_000, now)).toBe("in a few seconds");
    expect(relativeTime(now - 5 * 60_000, now)).toBe("5 minutes ago");
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe("3 hours ago");
    expect(relativeTime(now + 2 * 86_400_000, now)).toBe("in 2 days");
    expect(relativeTime(now - 86_400_000, now)).toBe("yesterday");
  });

  it("accepts only zones the runtime knows", () => {
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("")).toBe(false);
    expect(timeZones()[0]).toBe("UTC");
    expect(timeZones()).toContain("Europe/Paris");
  });
});
