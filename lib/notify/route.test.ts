import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./deliver";
import { ruleMatches } from "./route";

const rule = {
  id: "r1",
  events: "[]",
  minSeverity: "warning",
  expiringWithinDays: 14,
  quietStart: null,
  quietEnd: null,
  digestAt: null,
  timeZone: "UTC",
  tagIds: [] as string[],
};
const event = (type: string, severity: string, data: Record<string, unknown> = {}) => ({ id: "e", type, severity, tenantId: "t1", data: JSON.stringify(data) });

describe("which rule takes which event", () => {
  it("filters by type and by the lowest severity", () => {
    expect(ruleMatches(rule, event("incident.opened", "critical"), [])).toBe(true);
    expect(ruleMatches(rule, event("incident.resolved", "info"), [])).toBe(false);
    expect(ruleMatches({ ...rule, minSeverity: "info" }, event("incident.resolved", "info"), [])).toBe(true);
    expect(ruleMatches({ ...rule, events: '["incident.opened"]' }, event("run.new_failures", "warning"), [])).toBe(false);
  });

  it("scopes by tags: the tenant must carry one of the rule's tags", () => {
    const scoped = { ...rule, tagIds: ["gold", "silver"] };
    expect(ruleMatches(scoped, event("incident.opened", "critical"), ["silver"])).toBe(true);
    expect(ruleMatches(scoped, event("incident.opened", "critical"), ["bronze"])).toBe(false);
    expect(ruleMatches(scoped, { ...event("run.new_failures", "warning"), tenantId: null }, [])).toBe(false);
  });

  it("takes an expiry warning only for its own number of days, and a digest only when it is its own", () => {
    expect(ruleMatches(rule, event("access.expiring", "warning", { withinDays: 14 }), [])).toBe(true);
    expect(ruleMatches(rule, event("access.expiring", "warning", { withinDays: 7 }), [])).toBe(false);
    expect(ruleMatches(rule, event("digest", "info", { ruleId: "r1" }), [])).toBe(true);
    expect(ruleMatches(rule, event("digest", "info", { ruleId: "r2" }), [])).toBe(false);
  });
});

describe("retry backoff", () => {
  it("doubles from the base up to the cap, and honours a longer Retry-After", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, undefined, 30_000, 3_600_000))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(20, undefined, 30_000, 3_600_000)).toBe(3_600_000);
    expect(retryDelayMs(1, 90_000, 30_000, 3_600_000)).toBe(90_000);
    expect(retryDelayMs(3, 1_000, 30_000, 3_600_000)).toBe(120_000);
  });
});
