import { describe, expect, it } from "vitest";
import { NO_DEADLINE_AFTER_MS, shownAccessBreaksAt, withShownDeadline } from "./access-breaks";

const now = Date.parse("2026-12-06T12:00:00Z");
const DAY = 86_400_000;

describe("shownAccessBreaksAt", () => {
  it("shows a working tenant's next deadline", () => {
    const at = new Date(now + 30 * DAY);
    expect(shownAccessBreaksAt("VERIFIED", at, now)).toBe(at);
    expect(shownAccessBreaksAt("WARNING", at, now)).toBe(at);
  });

  it("shows none for a tenant already broken for another reason", () => {
    expect(shownAccessBreaksAt("FAILED", new Date(now + 30 * DAY), now)).toBeNull();
  });

  it("never shows a date in the past or absurdly far away", () => {
    expect(shownAccessBreaksAt("VERIFIED", new Date(now - 2 * 365 * DAY), now)).toBeNull();
    expect(shownAccessBreaksAt("VERIFIED", new Date(now), now)).toBeNull();
    // Entra's "never expires" secrets (2299) and the test tenants' 2099: "in 73 years" is no deadline.
    expect(shownAccessBreaksAt("VERIFIED", new Date("2099-01-01T00:00:00Z"), now)).toBeNull();
    expect(shownAccessBreaksAt("VERIFIED", new Date(now + NO_DEADLINE_AFTER_MS + DAY), now)).toBeNull();
    expect(shownAccessBreaksAt("VERIFIED", new Date(now + NO_DEADLINE_AFTER_MS - DAY), now)).not.toBeNull();
    expect(shownAccessBreaksAt("VERIFIED", null, now)).toBeNull();
  });

  it("rewrites a row only when its deadline is hidden", () => {
    const row = { lastStatus: "VERIFIED", accessBreaksAt: new Date(now + DAY) };
    expect(withShownDeadline(row, now)).toBe(row);
    expect(withShownDeadline({ ...row, lastStatus: "FAILED" }, now).accessBreaksAt).toBeNull();
  });
});
