import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { customerFixture, seedProvider, seedTenant } from "@/lib/verification/testing";
import { CommandError } from "@/lib/errors";
import { runCommand, type CommandContext } from "./command";
import { deleteSavedViewCommand, saveViewCommand, savedViewsQuery, sendGroupConsentLinksCommand, switchGroupMethodCommand, verifyGroupCommand } from "./fleet";

// Saved views and the failure groups' bulk commands against the real database (SQLite, and PostgreSQL
// with TEST_DATABASE=postgres): authorized, parsed, audited, and each admin's views their own.

const ctxOf = (id: string, role: CommandContext["role"] = "VIEWER"): CommandContext => ({
  actor: { type: "admin", id, label: `${id}@msp.example` },
  role,
  requestId: `req-${id}`,
  principalKind: "admin",
});
const alice = ctxOf("alice");
const bob = ctxOf("bob");

async function refusal(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

beforeAll(async () => {
  for (const id of ["alice", "bob"]) await db.adminUser.create({ data: { id, email: `${id}@msp.example`, role: "VIEWER" } });
});

describe("saved views", () => {
  it("saves a view's filters, sort and columns (not its page or selection), audited, for its owner only", async () => {
    const view = await runCommand(
      saveViewCommand,
      { name: "  Failed consent  ", query: "?status=FAILED&reason=CONSENT_REQUIRED&page=4&sel=a,b&sort=lastStatus&hide=adminEmail&junk=1" },
      alice,
    );
    expect(view).toMatchObject({ name: "Failed consent", query: "?status=FAILED&reason=CONSENT_REQUIRED&sort=lastStatus&hide=adminEmail" });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "saved_view.created" } });
    expect(audit).toMatchObject({ actorLabel: "alice@msp.example", targetType: "saved_view", targetId: view.id, requestId: "req-alice" });
    expect((await runCommand(savedViewsQuery, {}, alice)).map((v) => v.name)).toEqual(["Failed consent"]);
    expect(await runCommand(savedViewsQuery, {}, bob)).toEqual([]);

    // Saving under the same name replaces the view.
    const again = await runCommand(saveViewCommand, { name: "Failed consent", query: "?status=FAILED" }, alice);
    expect(again.id).toBe(view.id);
    expect((await runCommand(savedViewsQuery, {}, alice)).map((v) => v.query)).toEqual(["?status=FAILED"]);

    // Another admin cannot delete it; its owner can, audited.
    expect((await refusal(runCommand(deleteSavedViewCommand, { id: view.id }, bob))).code).toBe("not-found");
    await runCommand(deleteSavedViewCommand, { id: view.id }, alice);
    expect(await db.savedView.count()).toBe(0);
    expect(await db.auditEvent.count({ where: { action: "saved_view.deleted", actorLabel: "alice@msp.example" } })).toBe(1);
  });

  it("refuses a nameless view and callers that are not people", async () => {
    const invalid = await refusal(runCommand(saveViewCommand, { name: "   ", query: "" }, alice));
    expect(invalid.code).toBe("validation");
    expect(invalid.fieldErrors?.name).toEqual(["Name the view."]);
    const token: CommandContext = { actor: { type: "api_token", id: "t", label: "PSA" }, role: "ADMINISTRATOR", requestId: "r", principalKind: "api_token" };
    expect((await refusal(runCommand(saveViewCommand, { name: "x", query: "" }, token))).code).toBe("forbidden");
  });
});

describe("failure group commands", () => {
  const group = { reasonCode: "CONSENT_REQUIRED", method: "APP_REGISTRATION", cloud: "GLOBAL", app: "default" };

  it("take the role of the per-tenant commands they stand for", async () => {
    expect((await refusal(runCommand(sendGroupConsentLinksCommand, group, alice))).code).toBe("forbidden");
    expect((await refusal(runCommand(verifyGroupCommand, group, alice))).code).toBe("forbidden");
    expect((await refusal(runCommand(switchGroupMethodCommand, { ...group, method: "PASSWORD" }, ctxOf("op", "OPERATOR")))).code).toBe("forbidden");
  });

  it("refuse a group that has no tenant any more, an unknown key, and switching to the method the group already uses", async () => {
    const operator = ctxOf("op", "OPERATOR");
    expect((await refusal(runCommand(sendGroupConsentLinksCommand, group, operator))).code).toBe("not-found");
    expect((await refusal(runCommand(verifyGroupCommand, { ...group, app: "no spaces allowed" }, operator))).code).toBe("validation");
    expect((await refusal(runCommand(switchGroupMethodCommand, group, ctxOf("adm", "ADMINISTRATOR")))).code).toBe("conflict");
  });

  it("send a consent link for each of the group's tenants, each link audited, and leave other groups alone", async () => {
    await seedProvider({ authorityHost: "login.emulator.example", graphHost: "graph.emulator.example" });
    const ids: string[] = [];
    for (const i of [1, 2, 3]) ids.push(await seedTenant({ customer: customerFixture(i), method: "APP_REGISTRATION" }));
    const other = await seedTenant({ customer: customerFixture(4), method: "APP_REGISTRATION" });
    await db.tenant.updateMany({ where: { id: { in: ids } }, data: { lastStatus: "FAILED", lastStatusCode: "CONSENT_REQUIRED" } });
    await db.tenant.update({ where: { id: other }, data: { lastStatus: "FAILED", lastStatusCode: "SECRET_EXPIRED" } });
    const operator = ctxOf("op", "OPERATOR");
    const { links, refused } = await runCommand(sendGroupConsentLinksCommand, { ...group, cloud: "CUSTOM" }, operator);
    expect(refused).toEqual([]);
    expect(links.map((l) => l.adminEmail).sort()).toEqual(["admin@customer1.example.com", "admin@customer2.example.com", "admin@customer3.example.com"]);
    for (const l of links) expect(l.url).toMatch(/^https?:\/\/.+\/consent\//);
    expect((await db.consentLink.findMany({ select: { tenantId: true } })).map((l) => l.tenantId).sort()).toEqual([...ids].sort());
    expect(await db.auditEvent.count({ where: { action: "consent_link.created", actorLabel: "op@msp.example", requestId: "req-op" } })).toBe(3);
  });
});
