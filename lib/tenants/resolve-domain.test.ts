import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, prepareDatabase, seedProvider } from "@/lib/verification/testing";
import type { TenantInput } from "@/lib/validations/tenant";

// Issue 20 item 6: a domain entered for a tenant is resolved to its Entra tenant id by the cloud's OpenID
// discovery (here the emulator, as the Custom cloud's authority host), and the same directory is refused
// under a second customer: Add/Edit and CSV import. SQLite and PostgreSQL.

type Manage = typeof import("./manage");
type Resolve = typeof import("./resolve-domain");
type Db = (typeof import("@/lib/db"))["db"];

let emu: RunningEmulator;
let manage: Manage;
let resolve: Resolve;
let db: Db;
const customers = [customerFixture(1), customerFixture(2)];
const ctx = { actor: { type: "admin" as const, id: "admin-1", label: "admin@msp.example" } };
const input = (over: Partial<TenantInput> = {}): TenantInput => ({
  customerId: "ACME",
  displayName: "Acme",
  tenantRef: customers[0]!.domain,
  adminEmail: "admin@acme.example",
  authMethod: "APP_REGISTRATION",
  cloud: "CUSTOM",
  ...over,
});

beforeAll(async () => {
  await prepareDatabase("tac-resolve-");
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  manage = await import("./manage");
  resolve = await import("./resolve-domain");
  db = (await import("@/lib/db")).db;
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(async () => {
  await db.tenant.deleteMany();
});

describe("resolveTenantDomain (OpenID discovery at the cloud's authority host)", () => {
  it("gives the tenant id of a known domain, and says so when the domain is unknown", async () => {
    expect(await resolve.resolveTenantDomain(customers[1]!.domain, "CUSTOM")).toEqual({ ok: true, tenantId: customers[1]!.tenantId.toLowerCase() });
    expect(await resolve.resolveTenantDomain("nobody.example", "CUSTOM")).toMatchObject({ ok: false, reason: "not_found" });
  });

  it("reads the GUID of a v2.0 issuer only", () => {
    expect(resolve.issuerTenant("https://login.microsoftonline.com/6F1E2D3C-1111-4222-8333-944455556666/v2.0")).toBe("6f1e2d3c-1111-4222-8333-944455556666");
    expect(resolve.issuerTenant("https://login.microsoftonline.com/{tenantid}/v2.0")).toBeNull();
    expect(resolve.issuerTenant("not a url")).toBeNull();
  });
});

describe("one customer per Entra tenant, by domain too", () => {
  it("stores a tenant added by domain with its resolved tenant id", async () => {
    expect(await manage.createTenant(input(), ctx)).toMatchObject({ ok: true });
    expect(await db.tenant.findUniqueOrThrow({ where: { customerId: "ACME" }, select: { entraTenantId: true, primaryDomain: true } })).toEqual({
      entraTenantId: customers[0]!.tenantId.toLowerCase(),
      primaryDomain: customers[0]!.domain,
    });
  });

  it("refuses a domain whose tenant is already managed by its GUID, naming the customer", async () => {
    expect(await manage.createTenant(input({ customerId: "OWNER", tenantRef: customers[0]!.tenantId.toLowerCase() }), ctx)).toMatchObject({ ok: true });
    const again = await manage.createTenant(input({ customerId: "SECOND" }), ctx);
    expect(again).toMatchObject({
      ok: false,
      code: "validation",
      fieldErrors: {
        tenantRef: [
          `The domain ${customers[0]!.domain} (Entra tenant ${customers[0]!.tenantId.toLowerCase()}) is already managed as customer OWNER. Edit that tenant instead, or delete it first.`,
        ],
      },
    });
    expect(await db.tenant.count()).toBe(1);
  });

  it("CSV import refuses the same tenant by domain, against stored tenants and within the file", async () => {
    const g1 = customers[0]!.tenantId.toLowerCase();
    await manage.createTenant(input({ customerId: "OWNER", tenantRef: g1 }), ctx);
    const header = "customer_id,display_name,tenant,admin_email,auth_method,cloud";
    const g2 = customers[1]!.tenantId.toLowerCase();
    const file = [
      header,
      `A1,One,${customers[0]!.domain},a@x.example,app_registration,custom`,
      `A2,Two,${g2},b@x.example,app_registration,custom`,
      `A3,Three,${customers[1]!.domain},c@x.example,app_registration,custom`,
    ].join("\n");
    const preview = await manage.previewTenantImport(file);
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    expect(preview.data.rows.map((r) => (r.ok ? "ok" : r.errors.join(" ")))).toEqual([
      `Duplicate: tenant ${customers[0]!.domain} (Entra tenant ${g1}) is already managed as customer OWNER.`,
      "ok",
      `Duplicate: tenant ${customers[1]!.domain} (Entra tenant ${g2}) is already on line 3.`,
    ]);
  });
});
