import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { canonicalViewQuery } from "@/lib/validations/saved-view";
import { tenantListParamsSchema, tenantListQuery } from "@/lib/validations/tenant";
import { taggedCandidates } from "./tags";
import { listTenantPage, listTenants, tenantStatusCounts, tenantsForExport, tenantWhere } from "./tenants";

// The Tenants page's tag filter on SQLite, and on PostgreSQL with TEST_DATABASE=postgres: rows, counts
// (which then leave the kept counts table for the indexes), search combined with it, export, the URL.

const tenant = (id: string, lastStatus: "VERIFIED" | "FAILED" | "NEVER", displayName = id) => ({
  id,
  customerId: id.toUpperCase(),
  displayName,
  adminEmail: `admin@${id}.example`,
  authMethod: "APP_REGISTRATION" as const,
  lastStatus,
});

beforeAll(async () => {
  await db.tenant.createMany({
    data: [
      tenant("f-a", "FAILED", "Alpha Dental"),
      tenant("f-b", "VERIFIED", "Bravo Dental"),
      tenant("f-c", "VERIFIED", "Charlie Law"),
      tenant("f-d", "NEVER", "Delta Law"),
      tenant("f-e", "FAILED", "Echo"),
    ],
  });
  await db.tag.createMany({
    data: [
      { id: "gold", name: "Gold", color: "amber" },
      { id: "eu", name: "EU", color: "blue" },
      { id: "unused", name: "Unused" },
    ],
  });
  await db.tenantTag.createMany({
    data: [
      { tenantId: "f-a", tagId: "gold" },
      { tenantId: "f-b", tagId: "gold" },
      { tenantId: "f-b", tagId: "eu" },
      { tenantId: "f-c", tagId: "eu" },
    ],
  });
});

const ids = async (params: Parameters<typeof listTenantPage>[0]) => (await listTenantPage({ ...params })).items.map((t) => t.id).sort();

describe("the tag filter", () => {
  it("lists the tenants with any of the tags, each row with its tags by name", async () => {
    expect(await ids({ page: 1, pageSize: 25, tag: ["gold"] })).toEqual(["f-a", "f-b"]);
    expect(await ids({ page: 1, pageSize: 25, tag: ["gold", "eu"] })).toEqual(["f-a", "f-b", "f-c"]);
    expect(await ids({ page: 1, pageSize: 25, tag: ["unused"] })).toEqual([]);
    const page = await listTenantPage({ page: 1, pageSize: 25, tag: ["eu"], sort: "customerId" });
    expect(page.items.map((t) => [t.customerId, t.tags.map((g) => g.name)])).toEqual([
      ["F-B", ["EU", "Gold"]],
      ["F-C", ["EU"]],
    ]);
    expect(page.items[0]!.tags[0]).toEqual({ id: "eu", name: "EU", color: "blue" });
  });

  it("reads the same tenants through the resolved ids (few tagged tenants) and through EXISTS (many)", async () => {
    expect((await taggedCandidates(["gold", "eu"]))?.sort()).toEqual(["f-a", "f-b", "f-c"]);
    expect(await taggedCandidates(["gold", "eu"], 2)).toBeNull();
    const viaExists = await db.tenant.findMany({
      where: tenantWhere({ tag: ["gold", "eu"], status: ["VERIFIED"] }),
      select: { id: true },
      orderBy: { id: "asc" },
    });
    const viaIds = await db.tenant.findMany({
      where: tenantWhere({ tag: ["gold", "eu"], status: ["VERIFIED"] }, { tagged: await taggedCandidates(["gold", "eu"]) }),
      select: { id: true },
      orderBy: { id: "asc" },
    });
    expect(viaExists).toEqual([{ id: "f-b" }, { id: "f-c" }]);
    expect(viaIds).toEqual(viaExists);
  });

  it("combines with status, search and the date orders", async () => {
    expect(await ids({ page: 1, pageSize: 25, tag: ["gold"], status: ["FAILED"] })).toEqual(["f-a"]);
    expect(await ids({ page: 1, pageSize: 25, tag: ["gold", "eu"], q: "dental" })).toEqual(["f-a", "f-b"]);
    expect(await ids({ page: 1, pageSize: 25, tag: ["eu"], q: "la" })).toEqual(["f-c"]);
    expect(await ids({ page: 1, pageSize: 25, tag: ["eu"], sort: "lastVerifiedAt" })).toEqual(["f-b", "f-c"]);
  });

  it("counts what the filter shows, per status, with and without a search", async () => {
    const counts = await tenantStatusCounts({ tag: ["gold", "eu"] });
    expect(counts).toMatchObject({ FAILED: 1, VERIFIED: 2, NEVER: 0, total: 3 });
    expect(await tenantStatusCounts({ tag: ["gold"], q: "dental" })).toMatchObject({ FAILED: 1, VERIFIED: 1, total: 2 });
    expect(await tenantStatusCounts({ tag: ["unused"] })).toMatchObject({ total: 0 });
    expect((await listTenants({ page: 1, pageSize: 1, tag: ["eu"], status: ["VERIFIED"] })).total).toBe(2);
    // Without the tag filter the kept counts answer as before.
    expect((await tenantStatusCounts({})).total).toBe(5);
  });

  it("exports only the view's tenants, with their tags", async () => {
    const rows = [];
    for await (const batch of tenantsForExport({ tag: ["gold"] })) rows.push(...batch);
    expect(rows.map((r) => [r.customerId, r.tags.map((t) => t.name)])).toEqual([
      ["F-A", ["Gold"]],
      ["F-B", ["EU", "Gold"]],
    ]);
  });
});

describe("the tag filter in the URL", () => {
  it("is a comma list of ids, kept by saved views and dropped when malformed", () => {
    const params = tenantListParamsSchema.parse({ tag: "gold,eu,gold,bad id!,", status: "FAILED" });
    expect(params.tag).toEqual(["gold", "eu"]);
    expect(tenantListQuery(params)).toBe("?status=FAILED&tag=gold%2Ceu");
    expect(canonicalViewQuery("?tag=gold,eu&page=3&sel=f-a")).toBe("?tag=gold%2Ceu");
    expect(tenantListParamsSchema.parse({}).tag).toEqual([]);
  });
});
