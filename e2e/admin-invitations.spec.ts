import { expect, test } from "./support/test";
import { randomUUID } from "node:crypto";
import { startSmtpReceiver, type SmtpReceiver } from "../lib/notify/testing/receivers";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signIn, signInAndExpectConsole } from "./support/pages";

// Issue 20 item 1: an admin invited by email (through an SMTP channel) chooses their password on the
// link's page; the link works once.

let smtp: SmtpReceiver;
test.beforeAll(async () => {
  smtp = await startSmtpReceiver();
});
test.afterAll(async () => {
  await smtp.close();
});

test("invite an admin by email; the link works once, and they sign in with the password they chose", async ({ page, browser }) => {
  const lead = await createAdmin();
  await signInAndExpectConsole(page, lead);

  // An SMTP channel to the test receiver.
  const channel = `Invites ${randomUUID().slice(0, 6)}`;
  await page.goto("/settings/channels/new");
  await page.getByLabel("Kind").selectOption("SMTP");
  const form = page.getByRole("form", { name: "New channel" });
  await form.getByLabel("Name", { exact: true }).fill(channel);
  await form.getByLabel("SMTP host").fill(smtp.host);
  await form.getByLabel("Port", { exact: true }).fill(String(smtp.port));
  await form.getByLabel("Security").selectOption("none");
  await form.getByLabel("From", { exact: true }).fill("console@msp.example");
  await form.getByLabel("To", { exact: true }).fill("noc@msp.example");
  await form.getByRole("button", { name: "Create channel" }).click();
  await expect(page.getByRole("heading", { name: channel, level: 2 })).toBeVisible();

  const email = `invited-${Date.now()}@msp.example`;
  await page.goto("/settings/admins");
  const invite = page.getByRole("form", { name: "Invite an admin" });
  await invite.getByLabel("Email").fill(email);
  await invite.getByLabel("Role").selectOption("VIEWER");
  await invite.getByLabel("Send through").selectOption({ label: channel });
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("region", { name: "Invite by email" }).getByRole("status")).toHaveText(
    `Invitation sent to ${email} through ${channel}. The link works once, for 72 hours.`,
  );
  await expect(page.getByRole("row").filter({ hasText: email })).toContainText("Pending");

  const mail = smtp.messages.find((m) => m.to.includes(email));
  expect(mail?.subject).toBe("You are invited to the Tenant Access Console");
  const link = /https?:\/\/\S+\/join\/[A-Za-z0-9_-]{43}/.exec(mail!.text)?.[0];
  expect(link).toBeTruthy();
  const token = link!.split("/join/")[1]!;
  // Only the token's hash is stored, and the audit never holds the link.
  const audit = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "admin.invited", actorLabel: lead.email }, orderBy: { at: "desc" } });
  expect(JSON.parse(audit.details)).toMatchObject({ email, role: "VIEWER", channel });
  expect(audit.details).not.toContain(token);
  expect(JSON.stringify(await e2eDb.adminInvitation.findMany({ where: { email } }))).not.toContain(token);

  // The invitee, in their own browser, without a session.
  const theirs = await browser.newContext();
  const their = await theirs.newPage();
  await their.goto(new URL(link!).pathname);
  await expect(their.getByRole("heading", { name: "Join the Tenant Access Console" })).toBeVisible();
  await their.getByLabel("Your name").fill("Invited Viewer");
  await their.getByLabel("New password", { exact: true }).fill("short");
  await their.getByLabel("New password again").fill("short");
  await their.getByRole("button", { name: "Create my account" }).click();
  await expect(their.getByText("Use at least 12 characters.")).toBeVisible();
  const password = `chosen-${randomUUID()}`;
  await their.getByLabel("New password", { exact: true }).fill(password);
  await their.getByLabel("New password again").fill(password);
  await their.getByRole("button", { name: "Create my account" }).click();
  await expect(their.getByRole("status")).toHaveText("Your account is ready. Sign in with your email and the password you chose.");
  await signInAndExpectConsole(their, { email, password });
  expect(await e2eDb.adminUser.findUniqueOrThrow({ where: { email }, select: { role: true, name: true, mustChangePassword: true } })).toEqual({
    role: "VIEWER",
    name: "Invited Viewer",
    mustChangePassword: false,
  });
  expect(await e2eDb.auditEvent.count({ where: { action: "admin.invitation_accepted", actorLabel: email } })).toBe(1);

  // Used once: the link is dead now.
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(new URL(link!).pathname);
  await expect(strangerPage.getByRole("heading", { name: "Invitation not valid" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("row").filter({ hasText: email }).first()).toContainText(/Accepted|Viewer/);
  await signIn(strangerPage, { email, password: "wrong-password-123" });
  await expect(strangerPage).toHaveURL(/\/sign-in/);
  await theirs.close();
  await stranger.close();
  await e2eDb.notificationChannel.deleteMany({ where: { name: channel } });
});
