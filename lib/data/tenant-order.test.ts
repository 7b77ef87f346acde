import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordFailure } from "@/lib/tenants/status";
import { attentionKey, compareAttention } from "@/lib/tenants/attention";
import type { StatusValue, TenantSortColumn } from "@/lib/validations/tenant";
import { listTenantPage } from "./tenants";

// The table's orders on the database: SQLite by default, PostgreSQL with TEST_DATABASE=postgres. Status
// sorts by severity and empty dates sort last in both directions on both, unlike the engines' own habits.

const day = 86_400_000;
const at = (days: number) => new Date(Date.UTC(2027, 0, 1) + days * day);
const seed: { id: string; lastStatus: StatusValue; accessBreaksAt: Date | null; lastVerifiedAt: Date | null }[] = [
  { id: "o-verified-late", lastStatus: "VERIFIED", accessBreaksAt: at(60), lastVerifiedAt: at(-1) },
  { id: "o-verified-none", lastStatus: "VERIFIED", accessBreaksAt: null, lastVerifiedAt: at(-2) },
  { id: "o-warning-soon", lastStatus: "WARNING", accessBreaksAt: at(3), lastVerifiedAt: at(-1) },
  { id: "o-warning-late", lastStatus: "WARNING", accessBreaksAt: at(20), lastVerifiedAt: at(-3) },
  { id: "o-never", lastStatus: "NEVER", accessBreaksAt: null, lastVerifiedAt: null },
  { id: "o-failed-b", lastStatus: "FAILED", accessBreaksAt: null, lastVerifiedAt: at(-5) },
  { id: "o-failed-a", lastStatus: "FAILED", accessBreaksAt: null, lastVerifiedAt: at(-4) },
];

const order = async (sort: TenantSortColumn, dir: "asc" | "desc" = "asc") =>
  (await listTenantPage({ sort, dir, page: 1, pageSize: 50 })).items.map((t) => t.customerId);

beforeAll(async () => {
  await db.tenant.deleteMany();
  await db.tenant.createMany({
    data: seed.map((t) => ({ ...t, customerId: t.id, displayName: t.id, adminEmail: `${t.id}@example.com`, authMethod: "PASSWORD" as const })),
  });
});

describe("tenant list order", () => {
  it("Needs attention: failed, warnings by soonest break, not verified, verified; empty dates last", async () => {
    const expected = [...seed]
      .map((t) => ({ ...t, customerId: t.id }))
      .sort(compareAttention)
      .map((t) => t.id);
    expect(expected).toEqual(["o-failed-a", "o-failed-b", "o-warning-soon", "o-warning-late", "o-never", "o-verified-late", "o-verified-none"]);
    expect(await order("attention")).toEqual(expected);
  });

  it("status sorts by severity in both directions", async () => {
    expect(await order("lastStatus")).toEqual([
      "o-failed-a",
      "o-failed-b",
      "o-warning-late",
      "o-warning-soon",
      "o-never",
      "o-verified-late",
      "o-verified-none",
    ]);
    expect(await order("lastStatus", "desc")).toEqual([
      "o-verified-none",
      "o-verified-late",
      "o-never",
      "o-warning-soon",
      "o-warning-late",
      "o-failed-b",
      "o-failed-a",
    ]);
  });

  it("an empty Access breaks on or When last verified sorts last in both directions", async () => {
    const undated = ["o-failed-a", "o-failed-b", "o-never", "o-verified-none"];
    expect(await order("accessBreaksAt")).toEqual(["o-warning-soon", "o-warning-late", "o-verified-late", ...undated]);
    expect(await order("accessBreaksAt", "desc")).toEqual(["o-verified-late", "o-warning-late", "o-warning-soon", ...[...undated].reverse()]);
    expect((await order("lastVerifiedAt")).at(-1)).toBe("o-never");
    expect((await order("lastVerifiedAt", "desc")).at(-1)).toBe("o-never");
  });

  it("pages through dated then undated tenants without gap or overlap, in both directions", async () => {
    for (const sort of ["accessBreaksAt", "lastVerifiedAt"] as const)
      for (const dir of ["asc", "desc"] as const) {
        const whole = await order(sort, dir);
        for (const pageSize of [1, 2, 3]) {
          const paged: string[] = [];
          for (let page = 1; ; page++) {
            const { items, hasMore } = await listTenantPage({ sort, dir, page, pageSize });
            paged.push(...items.map((t) => t.customerId));
            if (!hasMore) break;
          }
          expect(paged, `${sort} ${dir} by ${pageSize}`).toEqual(whole);
        }
      }
  });

  it("the database's keys follow every status write, including the status writer's", async () => {
    const stored = await db.tenant.findMany({ select: { id: true, lastStatus: true, accessBreaksAt: true, severity: true, attention: true } });
    for (const t of stored) expect(BigInt(t.attention), t.id).toBe(attentionKey(t.lastStatus, t.accessBreaksAt));
    await recordFailure("o-verified-none", { reasonCode: "CONSENT_REQUIRED", message: "Consent required" });
    const t = await db.tenant.findUniqueOrThrow({ where: { id: "o-verified-none" } });
    expect(t.severity).toBe(0);
    expect(BigInt(t.attention)).toBe(attentionKey("FAILED", t.accessBreaksAt));
    expect((await order("attention")).slice(0, 3)).toEqual(["o-failed-a", "o-failed-b", "o-verified-none"]);
  });
});
