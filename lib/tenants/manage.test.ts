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

describe("one customer per Entra tenant (the Add and Edit dialogs, REST and CSV import share the check)", () => {
  const GUID = "6f1e2d3c-1111-4222-8333-944455556666";

  it("refuses to add a tenant ID or domain another customer holds, naming that customer; nothing is stored", async () => {
    await createTenant(input({ tenantRef: GUID }), ctx);
    await createTenant(input({ customerId: "BETA", tenantRef: "beta.example" }), ctx);
    const byGuid = await createTenant(input({ customerId: "ACME-2", tenantRef: GUID }), ctx);
    expect(byGuid).toEqual({
      ok: false,
      code: "validation",
      error: "Check the highlighted fields.",
      fieldErrors: { tenantRef: [`Entra tenant ${GUID} is already managed as customer ACME. Edit that tenant instead, or delete it first.`] },
    });
    const byDomain = await createTenant(input({ customerId: "BETA-2", tenantRef: "beta.example" }), ctx);
    expect(byDomain).toMatchObject({
      ok: false,
      fieldErrors: { tenantRef: [expect.stringContaining("The domain beta.example is already managed as customer BETA.")] },
    });
    expect((await db.tenant.findMany({ orderBy: { customerId: "asc" } })).map((t) => t.customerId)).toEqual(["ACME", "BETA"]);
    expect(await db.auditEvent.count({ where: { action: "tenant.created" } })).toBe(2);
  });

  it("adds an Entra tenant once when two admins add it at the same moment: the other is told who holds it", async () => {
    const results = await Promise.all(["ACME", "ACME-2", "ACME-3"].map((customerId) => createTenant(input({ customerId, tenantRef: GUID }), ctx)));
    const stored = await db.tenant.findMany({ select: { customerId: true, entraTenantId: true } });
    expect(stored).toEqual([{ customerId: expect.any(String), entraTenantId: GUID }]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((r) => !r.ok)) {
      expect(r).toMatchObject({
        code: "validation",
        fieldErrors: {
          tenantRef: [`Entra tenant ${GUID} is already managed as customer ${stored[0]!.customerId}. Edit that tenant instead, or delete it first.`],
        },
      });
    }
    expect(await db.auditEvent.count({ where: { action: "tenant.created" } })).toBe(1);
  });

  it("refuses to point a tenant at another customer's tenant ID, but lets it keep its own", async () => {
    await createTenant(input({ tenantRef: GUID }), ctx);
    const beta = await createTenant(input({ customerId: "BETA", tenantRef: "beta.example" }), ctx);
    const id = beta.ok ? beta.data.id : "";
    const moved = await updateTenant({ ...input({ customerId: "BETA", tenantRef: GUID }), id, version: 1 }, ctx);
    expect(moved).toMatchObject({ ok: false, fieldErrors: { tenantRef: [expect.stringContaining("already managed as customer ACME")] } });
    expect((await db.tenant.findUniqueOrThrow({ where: { id } })).entraTenantId).toBeNull();
    const renamed = await updateTenant({ ...input({ customerId: "BETA", displayName: "Beta Ltd", tenantRef: "beta.example" }), id, version: 1 }, ctx);
    expect(renamed).toEqual({ ok: true, data: { version: 2 } });
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

describe("import of customer-owned app registrations (source 004)", () => {
  const header = "customer_id,display_name,tenant,admin_email,auth_method,environment_type,client_id,client_secret,client_secret_expires\n";
  const secret = "cus8Q~customer-app-secret-value-0123456789";
  const clientId = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";

  it("stores the client id on the tenant and the secret encrypted as its credential, never in the audit", async () => {
    const result = await importTenants(
      `${header}OWN1,Own One,11111111-2222-4333-8444-555555555555,a@own.example,app_registration,Azure US Government,${clientId},${secret},2031-01-31\n`,
      ctx,
    );
    expect(result).toEqual({ ok: true, data: { imported: 1 } });
    const tenant = await db.tenant.findUniqueOrThrow({ where: { customerId: "OWN1" }, include: { credentials: true } });
    expect(tenant).toMatchObject({ cloud: "USGOV", appClientId: clientId, authMethod: "APP_REGISTRATION" });
    expect(tenant.credentials).toHaveLength(1);
    expect(tenant.credentials[0]).toMatchObject({ kind: "CLIENT_SECRET", label: clientId, hint: "cus", expiresAt: new Date("2031-01-31T00:00:00Z") });
    expect(tenant.credentials[0]!.secret).not.toContain(secret);
    const { decryptSecret } = await import("@/lib/crypto");
    expect(decryptSecret(tenant.credentials[0]!.secret, { table: "TenantCredential", rowId: tenant.credentials[0]!.id, field: "secret" })).toBe(secret);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "tenant.imported" } });
    expect(audit.details).not.toContain(secret);
  });

  it("refuses a secret for a method without one, a secret's ID, and a secret without its client id; nothing is stored", async () => {
    const result = await importTenants(
      `${header}P1,Pwd,pwd.example,a@pwd.example,PASSWORD,GLOBAL,,${secret},\n` +
        `G1,Guid,guid.example,a@guid.example,APP_REGISTRATION,GLOBAL,${clientId},7f3c9a1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b,\n` +
        `N1,NoId,noid.example,a@noid.example,APP_REGISTRATION,GLOBAL,,${secret},\n`,
      ctx,
    );
    expect(result.ok).toBe(false);
    if (result.ok || !("preview" in result)) throw new Error("expected a preview");
    expect(result.preview.rows.map((r) => (r.ok ? [] : r.errors))).toEqual([
      ["Client secret: the username + password (legacy) method has no client secret; leave the column empty for this tenant."],
      ["Client secret: This is the secret's ID (a GUID), not its Value: copy the Value column shown when the secret was created."],
      ["Client ID: give the customer's app registration's client id with its secret."],
    ]);
    expect(await db.tenant.count()).toBe(0);
    expect(await db.tenantCredential.count()).toBe(0);
  });

  it("never exports a secret column", async () => {
    const { exportColumns } = await import("./csv");
    expect(exportColumns.some((c) => /secret|password|token|credential/i.test(c))).toBe(false);
  });
});

const csvText = (lines: string[]) => `${lines.join("\r\n")}\r\n`;

describe("import naming an app registration (app_registration)", () => {
  const header = "customer_id,display_name,tenant,admin_email,auth_method,cloud,app_registration\n";
  beforeEach(async () => {
    await db.appRegistration.deleteMany({ where: { id: { in: ["reg-custom-a", "reg-custom-b", "reg-gov"] } } });
    await db.appRegistration.createMany({
      data: [
        {
          id: "reg-custom-a",
          name: "Sovereign A",
          cloud: "CUSTOM",
          defaultForCloud: "CUSTOM",
          customAuthorityHost: "login.a.example",
          customGraphHost: "graph.a.example",
        },
        { id: "reg-custom-b", name: "Sovereign B", cloud: "CUSTOM", customAuthorityHost: "login.b.example", customGraphHost: "graph.b.example" },
        { id: "reg-gov", name: "MSP app (US Government)", cloud: "USGOV" },
      ],
    });
  });

  it("stores the named registration on the tenant; a row without a cloud takes the registration's; rows without one keep the cloud default", async () => {
    const result = await importTenants(
      `${header}B1,Bravo,b1.example,a@b1.example,APP_REGISTRATION,CUSTOM,sovereign b\n` +
        `G1,Gov,g1.example,a@g1.example,APP_REGISTRATION,,MSP app (US Government)\n` +
        `A1,Alpha,a1.example,a@a1.example,APP_REGISTRATION,CUSTOM,\n` +
        `I1,ById,i1.example,a@i1.example,AUTH_TOKEN,custom,reg-custom-b\n`,
      ctx,
    );
    expect(result).toEqual({ ok: true, data: { imported: 4 } });
    const stored = await db.tenant.findMany({ orderBy: { customerId: "asc" }, select: { customerId: true, cloud: true, appRegistrationId: true } });
    expect(stored).toEqual([
      { customerId: "A1", cloud: "CUSTOM", appRegistrationId: null },
      { customerId: "B1", cloud: "CUSTOM", appRegistrationId: "reg-custom-b" },
      { customerId: "G1", cloud: "USGOV", appRegistrationId: "reg-gov" },
      { customerId: "I1", cloud: "CUSTOM", appRegistrationId: "reg-custom-b" },
    ]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "tenant.imported" } });
    expect(JSON.parse(audit.details)).toMatchObject({ count: 4, withRegistration: 3 });

    // An export names each tenant's registration, and reads back as the same choice.
    const { exportColumns, exportLine, parseTenantImport } = await import("./csv");
    const { registrationNames } = await import("@/lib/provider/registrations");
    const names = await registrationNames();
    const all = await db.tenant.findMany({ orderBy: { customerId: "asc" } });
    const exported = csvText([exportColumns.join(","), ...all.map((t) => exportLine({ ...t, tags: [] }, names).trimEnd())]);
    const again = parseTenantImport(exported);
    if (!again.ok) throw new Error(again.error);
    expect(again.rows.map((r) => (r.ok ? [r.input.customerId, r.input.cloud, r.registration?.name ?? null] : r.errors))).toEqual([
      ["A1", "CUSTOM", null],
      ["B1", "CUSTOM", "Sovereign B"],
      ["G1", "USGOV", "MSP app (US Government)"],
      ["I1", "CUSTOM", "Sovereign B"],
    ]);
  });

  it("refuses an unknown registration, an ambiguous name and another cloud's registration, per row; nothing is stored", async () => {
    await db.appRegistration.create({ data: { id: "reg-custom-b2", name: "SOVEREIGN B", cloud: "CUSTOM" } });
    try {
      const result = await importTenants(
        `${header}U1,Unknown,u1.example,a@u1.example,APP_REGISTRATION,CUSTOM,Nowhere\n` +
          `D1,Dup,d1.example,a@d1.example,APP_REGISTRATION,CUSTOM,Sovereign B\n` +
          `C1,Cross,c1.example,a@c1.example,APP_REGISTRATION,GLOBAL,MSP app (US Government)\n` +
          `OK,Fine,ok.example,a@ok.example,APP_REGISTRATION,CUSTOM,Sovereign A\n`,
        ctx,
      );
      expect(result.ok).toBe(false);
      if (result.ok || !("preview" in result)) throw new Error("expected a preview");
      expect(result.preview.rows.map((r) => (r.ok ? [] : r.errors))).toEqual([
        ['App registration: there is no app registration named "Nowhere". Settings → App registrations lists them.'],
        ['App registration: 2 app registrations are named "Sovereign B". Rename one in Settings → App registrations.'],
        ['App registration: "MSP app (US Government)" is registered in US Government, this tenant in Global; tokens of one cloud do not work in another.'],
        [],
      ]);
      expect(result.preview.rows[3]).toMatchObject({ ok: true, registration: { name: "Sovereign A", id: "reg-custom-a" } });
      expect(await db.tenant.count()).toBe(0);
    } finally {
      await db.appRegistration.delete({ where: { id: "reg-custom-b2" } });
    }
  });

  it("assigns the tags column's existing tags (case ignored) and creates the missing ones, in the same transaction", async () => {
    await db.tag.deleteMany();
    await db.tag.create({ data: { id: "tag-gold", name: "Gold", color: "amber" } });
    const file = csvText([
      "customer_id,display_name,tenant,admin_email,auth_method,tags",
      "T1,One,t1.example,a@t1.example,APP_REGISTRATION,gold; Dental",
      "T2,Two,t2.example,a@t2.example,APP_REGISTRATION,DENTAL",
      "T3,Three,t3.example,a@t3.example,APP_REGISTRATION,",
    ]);
    const preview = await previewTenantImport(file);
    if (!preview.ok) throw new Error(preview.error);
    expect(preview.data.newTags).toEqual(["Dental"]);
    expect(await db.tag.count()).toBe(1);

    expect(await importTenants(file, ctx)).toEqual({ ok: true, data: { imported: 3 } });
    const tags = await db.tag.findMany({
      orderBy: { name: "asc" },
      select: { name: true, color: true, tenants: { select: { tenant: { select: { customerId: true } } } } },
    });
    expect(tags.map((t) => [t.name, t.color, t.tenants.map((x) => x.tenant.customerId).sort()])).toEqual([
      ["Dental", "slate", ["T1", "T2"]],
      ["Gold", "amber", ["T1"]],
    ]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "tenant.imported" } });
    expect(JSON.parse(audit.details)).toMatchObject({ count: 3, withTags: 2, tagsCreated: ["Dental"] });
    await db.tag.deleteMany();
  });
});
