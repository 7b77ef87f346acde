import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/passwords";
import { changeOwnPassword } from "@/lib/auth/change-password";
import { runCommand, type CommandContext } from "@/lib/commands/command";
import { createAdminCommand, inviteAdminCommand, resetPasswordCommand, revokeAdminInvitationCommand } from "@/lib/commands/admins";
import { db } from "@/lib/db";
import { createChannel } from "@/lib/notify/channels/store";
import { startSmtpReceiver, type SmtpReceiver } from "@/lib/notify/testing/receivers";
import { acceptInvitation, findUsableInvitation, listInvitations } from "./invitations";

// Issue 20 item 1 against the real database (SQLite; PostgreSQL with TEST_DATABASE=postgres) and a real SMTP
// receiver: an emailed invitation works once, until it expires or is revoked, and only its hash is stored;
// a one-time password must be changed.

const lead = { type: "admin" as const, id: "admin-1", label: "lead@msp.example" };
const asLead: CommandContext = { actor: lead, role: "ADMINISTRATOR", requestId: "req-invite", principalKind: "admin" };
let smtp: SmtpReceiver;
let channelId: string;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
});
afterAll(async () => {
  await smtp.close();
});

beforeEach(async () => {
  await db.auditEvent.deleteMany();
  await db.adminInvitation.deleteMany();
  await db.adminSession.deleteMany();
  await db.savedView.deleteMany();
  await db.adminUser.deleteMany();
  await db.notificationChannel.deleteMany({ where: { name: "Invites" } });
  await db.adminUser.create({ data: { id: lead.id, email: lead.label, role: "ADMINISTRATOR" } });
  channelId = (
    await createChannel({
      name: "Invites",
      kind: "SMTP",
      config: { host: smtp.host, port: smtp.port, security: "none", from: "console@msp.example", to: ["noc@msp.example"] },
      secrets: {},
    })
  ).id;
  smtp.messages.length = 0;
});

const tokenOf = (email: string) => /\/join\/([A-Za-z0-9_-]{43})/.exec(smtp.messages.find((m) => m.to.includes(email))!.text)![1]!;

describe("admin invitations", () => {
  it("sends the link by email, keeps only its hash, and the link creates the admin once", async () => {
    const sent = await runCommand(inviteAdminCommand, { email: "New@MSP.example", role: "OPERATOR", channelId }, asLead);
    expect(sent).toMatchObject({ email: "new@msp.example", role: "OPERATOR", state: "pending", channel: "Invites" });
    const token = tokenOf("new@msp.example");
    const stored = await db.adminInvitation.findFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "admin.invited" } });
    expect(audit.details).not.toContain(token);
    expect(await findUsableInvitation(token)).toMatchObject({ email: "new@msp.example" });

    const [first, second] = await Promise.all([
      acceptInvitation({ token, password: "a-long-password-1", name: "New" }),
      acceptInvitation({ token, password: "a-long-password-2" }),
    ]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    const admin = await db.adminUser.findUniqueOrThrow({ where: { email: "new@msp.example" } });
    expect(admin).toMatchObject({ role: "OPERATOR", mustChangePassword: false });
    expect((await verifyPassword(admin.passwordHash, "a-long-password-1")) || (await verifyPassword(admin.passwordHash, "a-long-password-2"))).toBe(true);
    expect(await acceptInvitation({ token, password: "a-long-password-3" })).toMatchObject({ ok: false, code: "not-found" });
    expect((await listInvitations())[0]).toMatchObject({ state: "accepted" });
  });

  it("an expired or revoked link does not work; a new invitation revokes the earlier one", async () => {
    await runCommand(inviteAdminCommand, { email: "a@msp.example", role: "VIEWER", channelId }, asLead);
    const expiredToken = tokenOf("a@msp.example");
    await db.adminInvitation.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await acceptInvitation({ token: expiredToken, password: "a-long-password-1" })).toMatchObject({ ok: false });

    smtp.messages.length = 0;
    const second = await runCommand(inviteAdminCommand, { email: "b@msp.example", role: "VIEWER", channelId }, asLead);
    const firstToken = tokenOf("b@msp.example");
    smtp.messages.length = 0;
    await runCommand(inviteAdminCommand, { email: "b@msp.example", role: "VIEWER", channelId }, asLead);
    expect(await findUsableInvitation(firstToken)).toBeNull();
    const latest = tokenOf("b@msp.example");
    const pending = (await listInvitations()).find((i) => i.state === "pending" && i.email === "b@msp.example")!;
    expect(pending.id).not.toBe(second.id);
    await runCommand(revokeAdminInvitationCommand, { invitationId: pending.id }, asLead);
    expect(await acceptInvitation({ token: latest, password: "a-long-password-1" })).toMatchObject({ ok: false });
    expect(await db.adminUser.count({ where: { email: { in: ["a@msp.example", "b@msp.example"] } } })).toBe(0);
  });

  it("refuses an address that is already an admin, and a channel that cannot send email", async () => {
    await expect(runCommand(inviteAdminCommand, { email: lead.label, role: "VIEWER", channelId }, asLead)).rejects.toMatchObject({ code: "conflict" });
    const webhook = await createChannel({
      name: "Hook",
      kind: "WEBHOOK",
      config: { url: "https://psa.example/hook" },
      secrets: { secrets: ["whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0"] },
    });
    try {
      await expect(runCommand(inviteAdminCommand, { email: "c@msp.example", role: "VIEWER", channelId: webhook.id }, asLead)).rejects.toMatchObject({
        code: "conflict",
        fieldErrors: { channelId: [expect.stringContaining("email channel")] },
      });
    } finally {
      await db.notificationChannel.delete({ where: { id: webhook.id } });
    }
    expect(await db.adminInvitation.count()).toBe(0);
  });
});

describe("a one-time password must be changed", () => {
  it("is set on create and reset, and cleared by the change, which needs the one-time password and a new one", async () => {
    const created = await runCommand(createAdminCommand, { email: "otp@msp.example", role: "VIEWER" }, asLead);
    const row = () => db.adminUser.findUniqueOrThrow({ where: { id: created.id } });
    expect((await row()).mustChangePassword).toBe(true);
    const who = { id: created.id, email: created.email };
    expect(await changeOwnPassword(who, { current: "wrong", password: "my-own-password-1", confirm: "my-own-password-1" })).toMatchObject({ ok: false });
    expect(
      await changeOwnPassword(who, { current: created.oneTimePassword, password: created.oneTimePassword, confirm: created.oneTimePassword }),
    ).toMatchObject({ ok: false, fieldErrors: { password: [expect.any(String)] } });
    expect(await changeOwnPassword(who, { current: created.oneTimePassword, password: "my-own-password-1", confirm: "my-own-password-1" })).toEqual({
      ok: true,
    });
    expect((await row()).mustChangePassword).toBe(false);
    expect(await verifyPassword((await row()).passwordHash, "my-own-password-1")).toBe(true);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "admin.password_changed" } });
    expect(audit.details).not.toContain("my-own-password-1");

    await runCommand(resetPasswordCommand, { adminId: created.id }, asLead);
    expect((await row()).mustChangePassword).toBe(true);
  });
});
