import { describe, expect, it } from "vitest";
import { outcomeDto } from "@/lib/api/dto";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { packTenantRows, unpackTenantRows } from "@/lib/tenants/list-rows";
import { getTenantDetail, listTenantPage, tenantsForExport } from "./tenants";

// "Access breaks on" agrees in the table, the tenant page, the CSV export and the REST API (which read
// lib/data): a broken tenant has none, a past or absurdly far date never leaves.
const DAY = 86_400_000;

async function seed(customerId: string, lastStatus: "VERIFIED" | "WARNING" | "FAILED", accessBreaksAt: Date | null) {
  const id = newId();
  await db.tenant.create({
    data: { id, customerId, displayName: customerId, adminEmail: `admin@${customerId}.example`, authMethod: "APP_REGISTRATION", lastStatus, accessBreaksAt },
  });
  return id;
}

describe("accessBreaksAt leaving lib/data", () => {
  it("is the same in the table rows, the tenant detail, the export and a verification result", async () => {
    const soon = new Date(Date.now() + 20 * DAY);
    const cases = {
      ok: await seed("AB-1", "VERIFIED", soon),
      broken: await seed("AB-2", "FAILED", soon),
      past: await seed("AB-3", "WARNING", new Date(Date.now() - 700 * DAY)),
      far: await seed("AB-4", "VERIFIED", new Date("2099-01-01T00:00:00Z")),
    };
    const expected: Record<string, Date | null> = { ok: soon, broken: null, past: null, far: null };

    const page = await listTenantPage({ page: 1, pageSize: 50, q: "AB-" });
    const table = unpackTenantRows(packTenantRows(page.items), []);
    const exported = [];
    for await (const batch of tenantsForExport({ q: "AB-" })) exported.push(...batch);
    for (const [name, id] of Object.entries(cases)) {
      const want = expected[name];
      expect(table.find((t) => t.id === id)?.accessBreaksAt ?? null, `table ${name}`).toEqual(want);
      expect(exported.find((t) => t.id === id)?.accessBreaksAt ?? null, `export ${name}`).toEqual(want);
      expect((await getTenantDetail(id))?.accessBreaksAt ?? null, `detail ${name}`).toEqual(want);
    }
    // The stored column is not rewritten: a deadline comes back if the tenant is fixed before it.
    expect((await db.tenant.findUniqueOrThrow({ where: { id: cases.broken } })).accessBreaksAt).toEqual(soon);

    const failedOutcome = {
      tenantId: cases.broken,
      status: "FAILED" as const,
      reasonCode: "INVALID_SECRET",
      message: "Invalid client secret",
      accessBreaksAt: soon,
      details: {
        method: "APP_REGISTRATION" as const,
        explanation: "",
        remediation: { action: "none", text: "" },
        warnings: [],
        notes: [],
        timings: { totalMs: 1 },
      },
      startedAt: new Date(),
      finishedAt: new Date(),
      durationMs: 1,
    };
    expect(outcomeDto(failedOutcome as never, "AB-2").accessBreaksAt).toBeNull();
    expect(outcomeDto({ ...failedOutcome, status: "VERIFIED" } as never, "AB-2").accessBreaksAt).toEqual(soon);
  });
});
