import { beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/passwords";
import { createAdminSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { CommandError } from "@/lib/errors";
import { createAdminCommand, LAST_ADMINISTRATOR, resetPasswordCommand, revokeSessionsCommand, updateAdminCommand } from "./admins";
import { runCommand, type CommandContext } from "./command";

// Admin management against the real database (SQLite, and PostgreSQL with TEST_DATABASE=postgres): the
// last enabled Administrator stays, nobody disables themselves, a reset ends sessions, and no password
// reaches an answer other than the one-time one, nor the audit log.

const self = { type: "admin" as const, id: "admin-1", label: "lead@msp.example" };
const asLead: CommandContext = { actor: self, role: "ADMINISTRATOR", requestId: "req-admins", principalKind: "admin" };
const asOperator: CommandContext = { ...asLead, role: "OPERATOR" };

async function refusal(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

beforeEach(async () => {
  await db.auditEvent.deleteMany();
  await db.adminSession.deleteMany();
  await db.savedView.deleteMany();
  await db.adminUser.deleteMany();
  await db.adminUser.create({ data: { id: self.id, email: self.label, role: "ADMINISTRATOR" } });
});

describe("admin.create", () => {
  it("adds an admin with a one-time password that signs in, returned once and never audited", async () => {
    const created = await runCommand(createAdminCommand, { email: "  New.Tech@MSP.example ", name: "New Tech", role: "OPERATOR" }, asLead);
    expect(created).toMatchObject({ email: "new.tech@msp.example", name: "New Tech", role: "OPERATOR", disabled: false });
    expect(created.oneTimePassword).toHaveLength(24);
    const stored = await db.adminUser.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.passwordHash).not.toContain(created.oneTimePassword);
    expect(await verifyPassword(stored.passwordHash, created.oneTimePassword)).toBe(true);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "admin.created" } });
    expect(audit).toMatchObject({ targetType: "admin", targetId: created.id, actorLabel: "lead@msp.example", requestId: "req-admins" });
    expect(JSON.parse(audit.details)).toEqual({ email: "new.tech@msp.example", name: "New Tech", role: "OPERATOR" });
    expect(audit.details).not.toContain(created.oneTimePassword);
  });

  it("refuses a duplicate email, a bad email and non-administrators, with messages for people", async () => {
    const twin = await refusal(runCommand(createAdminCommand, { email: "LEAD@msp.example", role: "VIEWER" }, asLead));
    expect(twin).toMatchObject({ code: "conflict", fieldErrors: { email: ["This email already belongs to an admin."] } });
    const bad = await refusal(runCommand(createAdminCommand, { email: "not an email", role: "VIEWER" }, asLead));
    expect(bad.fieldErrors?.email).toEqual(["Enter a valid email address, like name@example.com."]);
    expect((await refusal(runCommand(createAdminCommand, { email: "x@msp.example", role: "VIEWER" }, asOperator))).code).toBe("forbidden");
    expect(await db.adminUser.count()).toBe(1);
  });
});

describe("the last enabled Administrator", () => {
  it("cannot be demoted or disabled, by themselves or anyone; with a second Administrator both work", async () => {
    const demote = await refusal(runCommand(updateAdminCommand, { adminId: self.id, role: "OPERATOR" }, asLead));
    expect(demote).toMatchObject({ code: "conflict", message: LAST_ADMINISTRATOR });
    expect((await db.adminUser.findUniqueOrThrow({ where: { id: self.id } })).role).toBe("ADMINISTRATOR");

    const other = await runCommand(createAdminCommand, { email: "second@msp.example", role: "ADMINISTRATOR" }, asLead);
    const asOther: CommandContext = { ...asLead, actor: { type: "admin", id: other.id, label: other.email } };
    await runCommand(updateAdminCommand, { adminId: self.id, disabled: true }, asOther);
    // self is disabled now: other is the last enabled Administrator.
    const disable = await refusal(runCommand(updateAdminCommand, { adminId: other.id, role: "VIEWER" }, asOther));
    expect(disable.message).toBe(LAST_ADMINISTRATOR);
    await runCommand(updateAdminCommand, { adminId: self.id, disabled: false }, asOther);
    await runCommand(updateAdminCommand, { adminId: self.id, role: "OPERATOR" }, asLead);
    expect(await db.adminUser.findMany({ select: { email: true, role: true, disabled: true }, orderBy: { email: "asc" } })).toEqual([
      { email: "lead@msp.example", role: "OPERATOR", disabled: false },
      { email: "second@msp.example", role: "ADMINISTRATOR", disabled: false },
    ]);
    const audit = await db.auditEvent.findMany({ where: { action: "admin.updated" }, orderBy: { at: "asc" } });
    expect(audit.map((a) => JSON.parse(a.details))).toEqual([
      { email: "lead@msp.example", changedFields: ["disabled"], disabled: true, sessionsEnded: 0 },
      { email: "lead@msp.example", changedFields: ["disabled"], disabled: false, sessionsEnded: 0 },
      { email: "lead@msp.example", changedFields: ["role"], role: "OPERATOR" },
    ]);
  });

  it("two concurrent demotions of the last two Administrators: one wins, one Administrator is left", async () => {
    const other = await runCommand(createAdminCommand, { email: "second@msp.example", role: "ADMINISTRATOR" }, asLead);
    const results = await Promise.allSettled([
      runCommand(updateAdminCommand, { adminId: self.id, role: "VIEWER" }, asLead),
      runCommand(updateAdminCommand, { adminId: other.id, role: "VIEWER" }, asLead),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect(rejected?.reason).toBeInstanceOf(CommandError);
    expect((rejected?.reason as CommandError).code).toBe("conflict");
    expect(await db.adminUser.count({ where: { role: "ADMINISTRATOR", disabled: false } })).toBe(1);
  });
});

describe("admin.update, admin.reset_password, admin.revoke_sessions", () => {
  it("refuses disabling yourself; disabling another admin ends their sessions", async () => {
    const self_ = await refusal(runCommand(updateAdminCommand, { adminId: self.id, disabled: true }, asLead));
    expect(self_).toMatchObject({ code: "forbidden", message: "You cannot disable yourself." });
    const tech = await runCommand(createAdminCommand, { email: "tech@msp.example", role: "OPERATOR" }, asLead);
    await createAdminSession({ adminId: tech.id, method: "credentials" });
    await expect(runCommand(updateAdminCommand, { adminId: tech.id, disabled: true }, asLead)).resolves.toMatchObject({ disabled: true });
    expect(await db.adminSession.count({ where: { adminId: tech.id, revokedAt: null } })).toBe(0);
    expect((await refusal(runCommand(updateAdminCommand, { adminId: "missing", disabled: true }, asLead))).code).toBe("not-found");
  });

  it("a reset sets a new one-time password, ends every session, and audits no password", async () => {
    const tech = await runCommand(createAdminCommand, { email: "tech@msp.example", role: "VIEWER" }, asLead);
    await createAdminSession({ adminId: tech.id, method: "credentials" });
    await createAdminSession({ adminId: tech.id, method: "credentials" });
    const reset = await runCommand(resetPasswordCommand, { adminId: tech.id }, asLead);
    expect(reset).toMatchObject({ id: tech.id, email: "tech@msp.example", sessionsEnded: 2 });
    expect(reset.oneTimePassword).not.toBe(tech.oneTimePassword);
    const stored = await db.adminUser.findUniqueOrThrow({ where: { id: tech.id } });
    expect(await verifyPassword(stored.passwordHash, reset.oneTimePassword)).toBe(true);
    expect(await verifyPassword(stored.passwordHash, tech.oneTimePassword)).toBe(false);
    expect(await db.adminSession.findMany({ where: { adminId: tech.id }, select: { revokedReason: true } })).toEqual([
      { revokedReason: "password_reset" },
      { revokedReason: "password_reset" },
    ]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "admin.password_reset" } });
    expect(JSON.parse(audit.details)).toEqual({ email: "tech@msp.example", sessionsEnded: 2 });
    const everything = JSON.stringify(await db.auditEvent.findMany());
    expect(everything).not.toContain(reset.oneTimePassword);
    expect(everything).not.toContain(tech.oneTimePassword);

    await createAdminSession({ adminId: tech.id, method: "credentials" });
    await expect(runCommand(revokeSessionsCommand, { adminId: tech.id }, asLead)).resolves.toEqual({ sessions: 1 });
  });
});
