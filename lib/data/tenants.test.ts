import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { listTenantPage, tenantStatusCounts } from "./tenants";

// Runs on SQLite, and on PostgreSQL with TEST_DATABASE=postgres, where LIKE is case-sensitive.
describe("tenant free-text search", () => {
  it("ignores case in every searchable column on both databases", async () => {
    await db.tenant.createMany({
      data: [
        {
          id: "s1",
          customerId: "Contoso-01",
          displayName: "Contoso Dental",
          adminEmail: "admin@contoso.example",
          primaryDomain: "contoso.example",
          authMethod: "PASSWORD",
        },
        {
          id: "s2",
          customerId: "FAB-02",
          displayName: "Fabrikam",
          adminEmail: "it@fabrikam.example",
          primaryDomain: "fabrikam.example",
          authMethod: "AUTH_TOKEN",
        },
        {
          id: "s3",
          customerId: "NW-03",
          displayName: "Northwind Traders",
          adminEmail: "ops@northwind.example",
          primaryDomain: null,
          authMethod: "APP_REGISTRATION",
        },
      ],
    });
    const ids = async (q: string) => (await listTenantPage({ q, page: 1, pageSize: 10 })).items.map((t) => t.id).sort();
    expect(await ids("contoso")).toEqual(["s1"]);
    expect(await ids("CONTOSO-01")).toEqual(["s1"]);
    expect(await ids("fab-02")).toEqual(["s2"]);
    expect(await ids("NORTHWIND TRADERS")).toEqual(["s3"]);
    expect(await ids("OPS@NORTHWIND")).toEqual(["s3"]);
    expect(await ids("Fabrikam.EXAMPLE")).toEqual(["s2"]);
    expect(await ids("example")).toEqual(["s1", "s2", "s3"]);
    expect(await ids("nothing-like-this")).toEqual([]);
    expect((await tenantStatusCounts({ q: "CONTOSO" })).total).toBe(1);
  });
});
