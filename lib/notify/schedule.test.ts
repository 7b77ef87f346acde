import { describe, expect, it } from "vitest";
import { digestDueFor, localTime, quietUntil } from "./schedule";

const rule = (over: Partial<{ quietStart: string | null; quietEnd: string | null; digestAt: string | null; timeZone: string }> = {}) => ({
  quietStart: null,
  quietEnd: null,
  digestAt: null,
  timeZone: "UTC",
  ...over,
});

describe("quiet hours", () => {
  it("holds inside a window that spans midnight and says when it ends", () => {
    const r = rule({ quietStart: "22:00", quietEnd: "07:00" });
    expect(quietUntil(r, new Date("2026-12-06T23:30:20Z"))).toEqual(new Date("2026-12-07T07:00:00Z"));
    expect(quietUntil(r, new Date("2026-12-07T06:59:00Z"))).toEqual(new Date("2026-12-07T07:00:00Z"));
    expect(quietUntil(r, new Date("2026-12-07T07:00:00Z"))).toBeNull();
    expect(quietUntil(r, new Date("2026-12-07T12:00:00Z"))).toBeNull();
  });

  it("holds inside a window within one day", () => {
    const r = rule({ quietStart: "12:00", quietEnd: "13:30" });
    expect(quietUntil(r, new Date("2026-12-06T12:10:00Z"))).toEqual(new Date("2026-12-06T13:30:00Z"));
    expect(quietUntil(r, new Date("2026-12-06T11:59:00Z"))).toBeNull();
  });

  it("reads the window in the rule's time zone", () => {
    // 22:00–07:00 in Berlin (UTC+1 in December): 21:30 UTC is 22:30 there.
    const r = rule({ quietStart: "22:00", quietEnd: "07:00", timeZone: "Europe/Berlin" });
    expect(quietUntil(r, new Date("2026-12-06T21:30:00Z"))).toEqual(new Date("2026-12-07T06:00:00Z"));
    expect(quietUntil(r, new Date("2026-12-06T20:30:00Z"))).toBeNull();
  });

  it("has none without both ends, or with equal ends", () => {
    expect(quietUntil(rule({ quietStart: "22:00" }), new Date("2026-12-06T23:00:00Z"))).toBeNull();
    expect(quietUntil(rule({ quietStart: "08:00", quietEnd: "08:00" }), new Date("2026-12-06T08:00:00Z"))).toBeNull();
  });
});

describe("the daily digest", () => {
  it("is due from its time on, for the local date", () => {
    const r = rule({ digestAt: "08:00", timeZone: "America/New_York" });
    // 12:59 UTC is 07:59 in New York (UTC−5): not yet.
    expect(digestDueFor(r, new Date("2026-12-06T12:59:00Z"))).toBeNull();
    expect(digestDueFor(r, new Date("2026-12-06T13:00:00Z"))).toBe("2026-12-06");
    // 03:00 UTC on the 7th is still the 6th in New York.
    expect(digestDueFor(r, new Date("2026-12-07T03:00:00Z"))).toBe("2026-12-06");
    expect(digestDueFor(rule(), new Date())).toBeNull();
  });

  it("reads local time", () => {
    expect(localTime(new Date("2026-12-06T23:45:00Z"), "Asia/Tokyo")).toEqual({ date: "2026-12-07", minute: 8 * 60 + 45 });
  });
});
