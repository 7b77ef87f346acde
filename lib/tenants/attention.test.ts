import { describe, expect, it } from "vitest";
import { attentionKey, compareAttention, severityOf } from "./attention";

describe("the Needs attention order", () => {
  it("ranks statuses by severity, not by name", () => {
    expect(["VERIFIED", "NEVER", "WARNING", "FAILED"].map((s) => severityOf(s as never))).toEqual([3, 2, 1, 0]);
  });

  it("puts failed, then warnings, then not verified, then verified; the soonest break first; no date last", () => {
    const d = (iso: string) => new Date(iso);
    const rows = [
      { customerId: "v-dated", lastStatus: "VERIFIED" as const, accessBreaksAt: d("2027-01-10T00:00:00Z") },
      { customerId: "v-none", lastStatus: "VERIFIED" as const, accessBreaksAt: null },
      { customerId: "w-late", lastStatus: "WARNING" as const, accessBreaksAt: d("2027-03-01T00:00:00Z") },
      { customerId: "w-soon", lastStatus: "WARNING" as const, accessBreaksAt: d("2026-12-20T00:00:00Z") },
      { customerId: "never", lastStatus: "NEVER" as const, accessBreaksAt: null },
      { customerId: "f-b", lastStatus: "FAILED" as const, accessBreaksAt: null },
      { customerId: "f-a", lastStatus: "FAILED" as const, accessBreaksAt: null },
      { customerId: "f-dated", lastStatus: "FAILED" as const, accessBreaksAt: d("2030-01-01T00:00:00Z") },
    ];
    expect([...rows].sort(compareAttention).map((r) => r.customerId)).toEqual(["f-dated", "f-a", "f-b", "w-soon", "w-late", "never", "v-dated", "v-none"]);
  });

  it("keeps a far date below the next severity", () => {
    expect(attentionKey("FAILED", new Date("2280-01-01T00:00:00Z")) < attentionKey("WARNING", new Date("1971-01-01T00:00:00Z"))).toBe(true);
    expect(attentionKey("WARNING", null) < attentionKey("NEVER", new Date(0))).toBe(true);
  });
});
