import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createTenant, deleteTenant, importTenants, previewTenantImport, updateTenant } from "./manage";
import type { TenantInput } from "@/lib/validations/tenant";

const ctx = { actor: { type: "admin" as const, id: "admin-1", label: "admin@msp.example" }, requestId: "req-1" };
const input = (over: Partial<TenantInput> = {}): TenantInput => ({
  customerId: "ACME",
  displayName: "Acme Corp",
  tenantRef: "acme.onmicrosoft.com",
  adminEmail: "admin@acme.example",
  authMethod: "APP_REGISTRATION",
  cloud: "GLOBAL",
  ...over,
});

beforeEach(async () => {
  await db.auditEvent.deleteMany();
  await db.tenant.deleteMany();
});

describe("createTenant", () => {
  it("stores the tenant, splits a domain from a tenant ID, and audits", async () => {
    const created = await createTenant(input(), ctx);
    expect(created.ok).toBe(true);
    const byGuid = await createTenant(input({ customerId: "C2", tenantRef: "6f1e2d3c-1111-4222-8333-944455556666" }), ctx);
    const rows = await db.tenant.findMany({ orderBy: { customerId: "asc" } });
    expect(rows.map((r) => [r.customerId, r.primaryDomain, r.entraTenantId, r.version])).toEqual([
      ["ACME", "acme.onmicrosoft.com", null, 1],
      ["C2", null, "6f1e2d3c-1111-4222-8333-944455556666", 1],
    ]);
    expect(byGuid.ok).toBe(true);
    const audit = await db.auditEvent.findMany({ where: { action: "tenant.created" } });
    expect(audit).toHaveLength(2);
    expect(audit[0]!.requestId).toBe("req-1");
  });

  it("returns a field error for a customer id that exists", async () => {
    await createTenant(input(), ctx);
    const again = await createTenant(input({ displayName: "Other" }), ctx);
    expect(again).toEqual({
      ok: false,
      code: "validation",
      error: "Check the highlighted fields.",
      fieldErrors: { customerId: ["A tenant with customer id ACME already exists."] },
    });
  });
});

describe("updateTenant", () => {
  it("updates with the loaded version, bumps it and audits the changed fields", async () => {
    const created = await createTenant(input(), ctx);
    const id = created.ok ? created.data.id : "";
    const updated = await updateTenant({ ...input({ displayName: "Acme Inc", cloud: "USGOV" }), id, version: 1 }, ctx);
    expect(updated).toEqual({ ok: true, data: { version: 2 } });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "tenant.updated" } });
    expect(JSON.parse(audit.details)).toEqual({ customerId: "ACME", changedFields: ["displayName", "cloud"] });
  });

  it("refuses a stale version as a version conflict with a clear message and leaves the row alone", async () => {
    const created = await createTenant(input(), ctx);
    const id = created.ok ? created.data.id : "";
    await updateTenant({ ...input({ displayName: "First" }), id, version: 1 }, ctx);
    const stale = await updateTenant({ ...input({ displayName: "Second" }), id, version: 1 }, ctx);
    expect(stale).toMatchObject({ ok: false, code: "version-conflict", error: expect.stringContaining("changed by someone else") });
    expect((await db.tenant.findUniqueOrThrow({ where: { id } })).displayName).toBe("First");
  });

  it("keeps the known domain when a tenant ID is entered", async () => {
    const created = await createTenant(input(), ctx);
    const id = created.ok ? created.data.id : "";
    await updateTenant({ ...input({ tenantRef: "6f1e2d3c-1111-4222-8333-944455556666" }), id, version: 1 }, ctx);
    const row = await db.tenant.findUniqueOrThrow({ where: { id } });
    expect([row.entraTenantId, row.primaryDomain]).toEqual(["6f1e2d3c-1111-4222-8333-944455556666", "acme.onmicrosoft.com"]);
  });
});

describe("deleteTenant", () => {
  it("deletes the tenant with its credentials and audits it", async () => {
    const created = await createTenant(input(), ctx);
    const id = created.ok ? created.data.id : "";
    await db.tenantCredential.create({ data: { id: "cred-1", tenantId: id, kind: "CLIENT_SECRET", secret: "envelope" } });
    expect(await deleteTenant({ id, version: 1 }, ctx)).toEqual({ ok: true, data: undefined });
    expect(await db.tenantCredential.count()).toBe(0);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "tenant.deleted" } });
    expect(JSON.parse(audit.details)).toEqual({ customerId: "ACME", destroyedCount: 1 });
    expect(await deleteTenant({ id }, ctx)).toMatchObject({ ok: false, code: "not-found" });
  });
});

describe("import", () => {
  const header = "customer_id,display_name,tenant,admin_email,auth_method,cloud\n";

  it("previews duplicates against stored tenants without writing", async () => {
    await createTenant(input(), ctx);
    const preview = await previewTenantImport(
      `${header}ACME,Acme,other.example,a@b.example,PASSWORD,GLOBAL\nNEW,New,acme.onmicrosoft.com,n@new.example,PASSWORD,GLOBAL\nOK1,Fine,fine.example,f@fine.example,AUTH_TOKEN,GLOBAL\n`,
    );
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    expect(preview.data).toMatchObject({ valid: 1, invalid: 2 });
    expect(preview.data.rows[0]).toMatchObject({ ok: false, errors: ["Duplicate: customer id ACME already exists in the console."] });
    expect(preview.data.rows[1]).toMatchObject({ ok: false, errors: ["Duplicate: tenant acme.onmicrosoft.com is already managed as customer ACME."] });
    expect(await db.tenant.count()).toBe(1);
  });

  it("writes nothing when any row is invalid, and everything when all are valid", async () => {
    const bad = await importTenants(`${header}A1,Alpha,alpha.example,a@alpha.example,PASSWORD,GLOBAL\nB1,Beta,beta.example,nope,PASSWORD,GLOBAL\n`, ctx);
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/^Nothing was imported: 1 of 2 rows have errors/) });
    expect(await db.tenant.count()).toBe(0);

    const rows = Array.from({ length: 1200 }, (_, i) => `T${i},Tenant ${i},t${i}.example,admin@t${i}.example,APP_REGISTRATION,GLOBAL`).join("\n");
    const good = await importTenants(`${header}${rows}\n`, ctx);
    expect(good).toEqual({ ok: true, data: { imported: 1200 } });
    expect(await db.tenant.count()).toBe(1200);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "tenant.imported" } });
    expect(JSON.parse(audit.details).count).toBe(1200);
  });
});
