import { beforeEach, describe, expect, it } from "vitest";
import { auditRow } from "@/lib/audit";
import { auditCsvStream, auditExportColumns } from "@/lib/audit-export";
import { db } from "@/lib/db";
import { parseCsv } from "@/lib/tenants/csv";
import { auditViewQuery, auditViewSchema } from "@/lib/validations/audit";
import { auditViewFilters, listAuditEvents } from "./audit";

// The audit page's view against the real database (SQLite, and PostgreSQL with TEST_DATABASE=postgres):
// the URL's filters, the tenant named by customer id or name, whole UTC days, and the CSV export of
// exactly the filtered rows, formula-safe.

const lead = { type: "admin" as const, id: "a1", label: "lead@msp.example" };
const tech = { type: "admin" as const, id: "a2", label: "tech@msp.example" };

beforeEach(async () => {
  await db.auditEvent.deleteMany();
  await db.tenant.deleteMany();
  await db.tenant.create({
    data: { id: "t-acme", customerId: "ACME", displayName: "Acme Corp", adminEmail: "a@acme.example", authMethod: "APP_REGISTRATION" },
  });
  const rows = [
    auditRow(
      { action: "tenant.created", actor: lead, target: { type: "tenant", id: "t-acme" }, requestId: "req-1", details: { name: "Acme Corp" } },
      new Date("2026-12-01T10:00:00Z"),
    ),
    auditRow(
      { action: "tenant.updated", actor: tech, target: { type: "tenant", id: "t-acme" }, requestId: "req-2", details: { changedFields: ["adminEmail"] } },
      new Date("2026-12-02T23:59:00Z"),
    ),
    auditRow(
      { action: "admin.created", actor: lead, target: { type: "admin", id: "a2" }, requestId: "req-3", details: { email: '=HYPERLINK("x")' } },
      new Date("2026-12-03T08:00:00Z"),
    ),
    auditRow({ action: "auth.sign_in.succeeded", actor: tech, requestId: "req-4" }, new Date("2026-12-04T08:00:00Z")),
  ];
  await db.auditEvent.createMany({ data: rows });
});

async function view(query: Record<string, string | string[]>) {
  const parsed = auditViewSchema.parse(query);
  const { filters, tenantFound } = await auditViewFilters(parsed);
  const page = await listAuditEvents({ page: parsed.page, pageSize: parsed.pageSize, filters });
  return { actions: page.items.map((e) => e.action), total: page.total, tenantFound, filters };
}

describe("the audit view's filters", () => {
  it("by actor, by several actions (comma list or repeated), and both at once", async () => {
    expect((await view({ actor: "tech@msp.example" })).actions).toEqual(["auth.sign_in.succeeded", "tenant.updated"]);
    expect((await view({ action: "tenant.created,admin.created" })).actions).toEqual(["admin.created", "tenant.created"]);
    expect((await view({ action: ["tenant.created", "admin.created"] })).actions).toEqual(["admin.created", "tenant.created"]);
    expect((await view({ action: "tenant.created,tenant.updated", actor: "lead@msp.example" })).actions).toEqual(["tenant.created"]);
    // An unknown action is ignored rather than failing the page.
    expect((await view({ action: "nope.never" })).total).toBe(4);
  });

  it("by tenant, named by customer id or display name; an unknown tenant matches nothing and says so", async () => {
    expect((await view({ tenant: "ACME" })).actions).toEqual(["tenant.updated", "tenant.created"]);
    expect((await view({ tenant: "Acme Corp" })).actions).toEqual(["tenant.updated", "tenant.created"]);
    expect(await view({ tenant: "Globex" })).toMatchObject({ total: 0, tenantFound: false });
  });

  it("by whole UTC days (to included) and by request id; a malformed date is dropped", async () => {
    expect((await view({ from: "2026-12-02", to: "2026-12-03" })).actions).toEqual(["admin.created", "tenant.updated"]);
    expect((await view({ to: "2026-12-01" })).actions).toEqual(["tenant.created"]);
    expect((await view({ requestId: "req-3" })).actions).toEqual(["admin.created"]);
    expect((await view({ from: "yesterday" })).total).toBe(4);
  });

  it("pages on the server and keeps the filters in a canonical query", async () => {
    const parsed = auditViewSchema.parse({ actor: " lead@msp.example ", action: ["admin.created", "tenant.created"], page: "2", pageSize: "1" });
    const { filters } = await auditViewFilters(parsed);
    const page = await listAuditEvents({ page: 2, pageSize: 1, filters });
    expect(page).toMatchObject({ total: 2, page: 2 });
    expect(page.items.map((e) => e.action)).toEqual(["tenant.created"]);
    expect(auditViewQuery(parsed)).toEqual({ actor: "lead@msp.example", action: "admin.created,tenant.created" });
  });
});

async function csvOf(query: Record<string, string>, batchSize?: number) {
  const { filters } = await auditViewFilters(auditViewSchema.parse(query));
  const text = await new Response(auditCsvStream(filters, batchSize)).text();
  return { text, records: parseCsv(text.replace(/^\ufeff/, "")).map((r) => r.cells) };
}

describe("the CSV export", () => {
  it("holds exactly the filtered rows, every page of them, with the table's columns and the details as JSON", async () => {
    const all = await csvOf({}, 1);
    expect(all.records[0]).toEqual([...auditExportColumns]);
    expect(all.records.slice(1).map((r) => r[1])).toEqual(["auth.sign_in.succeeded", "admin.created", "tenant.updated", "tenant.created"]);

    const filtered = await csvOf({ actor: "tech@msp.example", action: "tenant.updated" });
    expect(filtered.records).toEqual([
      [...auditExportColumns],
      ["2026-12-02T23:59:00.000Z", "tenant.updated", "admin", "tech@msp.example", "tenant", "t-acme", "req-2", '{"changedFields":["adminEmail"]}'],
    ]);
  });

  it("defuses spreadsheet formulas in cells, as the tenants export does", async () => {
    await db.auditEvent.create({
      data: auditRow({ action: "api_token.created", actor: { type: "api_token", id: "x", label: "=cmd|' /C calc'!A0" } }, new Date("2026-12-05T00:00:00Z")),
    });
    const { text, records } = await csvOf({ action: "api_token.created" });
    expect(text).toContain(",'=cmd|' /C calc'!A0,");
    expect(records[1]?.[3]).toBe("'=cmd|' /C calc'!A0");
    // A details cell starts with "{": left as is, quoted, JSON intact.
    const details = await csvOf({ requestId: "req-3" });
    expect(JSON.parse(details.records[1]![7]!)).toEqual({ email: '=HYPERLINK("x")' });
  });
});
