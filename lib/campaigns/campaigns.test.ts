import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { startTestEmulator, TEST } from "@/emulator/testing/index";
import { GET as callbackRoute } from "@/app/authenticate/OAuth2Callback/route";
import { browserBindingValue, CONSENT_BROWSER_COOKIE } from "@/lib/consent/browser-binding";
import { startConsent } from "@/lib/consent/flow";
import { findActiveConsentLink, revokeConsentLinks } from "@/lib/consent/links";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { deliverTo } from "@/lib/notify/channels";
import { createChannel, loadResolvedChannel } from "@/lib/notify/channels/store";
import { deliverDue } from "@/lib/notify/deliver";
import { startSmtpReceiver, type SmtpReceiver } from "@/lib/notify/testing/receivers";
import { applyEmulatorProvider } from "@/lib/provider/testing";
import { createCampaign, resendInvitation, revokeInvitation } from "./campaigns";
import { recordInvitationAtMicrosoft, recordInvitationOpened, recordInvitationOutcome } from "./invitations";
import { campaignTick } from "./tick";

/**
 * Consent campaigns against real parts: the emulator's Entra ID for consent links and the consent flow,
 * an SMTP receiver for the invitation emails, the outbox for delivery. The clock is a parameter: "two days
 * later" is a `now` further on, never a wait.
 */

const actor = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
const DAY = 86_400_000;
let emu: RunningEmulator;
let smtp: SmtpReceiver;
let locked: SmtpReceiver;

beforeAll(async () => {
  emu = await startTestEmulator();
  smtp = await startSmtpReceiver();
  locked = await startSmtpReceiver({ auth: { user: "mailer", password: "right" } });
  await applyEmulatorProvider(emu);
});

afterAll(async () => {
  await Promise.all([emu?.close(), smtp?.close(), locked?.close()]);
});

/** A tenant of its own Entra tenant (one Entra tenant, one customer); `fabrikam: true` for the emulator's directory, which consent can reach. */
async function seedTenant(
  over: Partial<{ adminEmail: string; name: string; entraTenantId: string | null; primaryDomain: string | null; fabrikam: true }> = {},
) {
  const id = newId();
  if (over.fabrikam) await db.tenant.deleteMany({ where: { entraTenantId: TEST.fabrikamId } });
  await db.tenant.create({
    data: {
      id,
      customerId: `cust-${id.slice(-8)}`,
      displayName: over.name ?? `Customer ${id.slice(-4)}`,
      entraTenantId: over.entraTenantId === undefined ? (over.fabrikam ? TEST.fabrikamId : randomUUID()) : over.entraTenantId,
      primaryDomain: over.primaryDomain === undefined ? (over.fabrikam ? TEST.fabrikamDomain : `c${id.slice(-8)}.example.com`) : over.primaryDomain,
      adminEmail: over.adminEmail ?? `admin-${id.slice(-6)}@customer.example`,
      authMethod: "APP_REGISTRATION",
      cloud: "CUSTOM",
    },
  });
  return id;
}

async function smtpChannel(receiver = smtp, password?: string) {
  return (
    await createChannel({
      name: `mail-${newId().slice(-8)}`,
      kind: "SMTP",
      config: {
        host: receiver.host,
        port: receiver.port,
        security: "none",
        from: "console@msp.example",
        to: ["noc@msp.example"],
        ...(password ? { user: "mailer" } : {}),
      },
      secrets: password ? { password } : {},
    })
  ).id;
}

const invitationsOf = (campaignId: string) =>
  db.invitation.findMany({ where: { campaignId }, include: { tenant: true }, orderBy: { tenant: { customerId: "asc" } } });
const tokenOf = (url: string) => new URL(url).pathname.split("/").pop()!;
const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));

describe("creating a campaign", () => {
  it("export: one link per tenant, returned once, each invitation sent", async () => {
    const ids = [await seedTenant(), await seedTenant(), await seedTenant()];
    const created = await createCampaign({ name: "Spring re-consent", tenantIds: ids, delivery: "export" }, actor);
    expect(created.invitations).toBe(3);
    expect(created.links).toHaveLength(3);
    const invitations = await invitationsOf(created.id);
    expect(invitations.map((i) => i.state)).toEqual(["sent", "sent", "sent"]);
    for (const link of created.links!) {
      const inv = invitations.find((i) => i.tenant.customerId === link.customerId)!;
      expect(link.adminEmail).toBe(inv.tenant.adminEmail);
      const active = await findActiveConsentLink(tokenOf(link.url));
      expect(active?.id).toBe(inv.consentLinkId);
      expect(inv.linkToken).not.toContain(tokenOf(link.url));
    }
    const audit = await db.auditEvent.findFirst({ where: { action: "campaign.created", targetId: created.id } });
    expect(audit).not.toBeNull();
    // Export campaigns have no reminders: the MSP sends the links itself.
    expect(invitations.every((i) => i.nextReminderAt === null)).toBe(true);
  });

  it("refuses what makes no sense, saying why", async () => {
    const webhook = (
      await createChannel({
        name: `hook-${newId().slice(-6)}`,
        kind: "WEBHOOK",
        config: { url: "https://hooks.example/x" },
        secrets: { secrets: ["whsec_C2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"] },
      })
    ).id;
    const id = await seedTenant();
    await expect(createCampaign({ name: "x", tenantIds: [], delivery: "export" }, actor)).rejects.toThrow(/No tenants to invite/);
    await expect(createCampaign({ name: "x", tenantIds: [id], delivery: "email", channelId: webhook }, actor)).rejects.toThrow(/not an email channel/);
    await expect(createCampaign({ name: "x", tenantIds: [id], delivery: "email" }, actor)).rejects.toThrow(/email channel/);
    await expect(createCampaign({ name: "x", tenantIds: [id], delivery: "export", reminderDays: [0] }, actor)).rejects.toThrow(/1 to 30 days/);
    await expect(createCampaign({ name: "x", tenantIds: [id], delivery: "export", reminderDays: [31] }, actor)).rejects.toThrow(/1 to 30 days/);
    await expect(createCampaign({ name: "x", tenantIds: [id], delivery: "export", reminderDays: [5, 2] }, actor)).rejects.toThrow(/ascending/);
    await expect(createCampaign({ name: "x", tenantIds: [id], delivery: "export", linkDays: 365 }, actor)).rejects.toThrow(/at most/);
    const many = Array.from({ length: 501 }, (_, i) => `t${i}`);
    await expect(createCampaign({ name: "x", tenantIds: many, delivery: "export" }, actor)).rejects.toThrow(/up to 500 tenants/);
    const noEmail = await seedTenant({ adminEmail: "" });
    await expect(createCampaign({ name: "x", tenantIds: [id, noEmail], delivery: "export" }, actor)).rejects.toThrow(/no admin email: cust-/);
    const unknown = await seedTenant({ entraTenantId: null, primaryDomain: null });
    await expect(createCampaign({ name: "x", tenantIds: [unknown], delivery: "export" }, actor)).rejects.toThrow(/which Entra tenant/);
    expect(await db.consentCampaign.count({ where: { name: "x" } })).toBe(0);
  });

  it("by tag: every tenant with the tag", async () => {
    const tagId = newId();
    await db.tag.create({ data: { id: tagId, name: `wave-${tagId.slice(-6)}` } });
    const ids = [await seedTenant(), await seedTenant()];
    await seedTenant();
    for (const tenantId of ids) await db.tenantTag.create({ data: { tenantId, tagId } });
    const created = await createCampaign({ name: "Tagged", tagId, delivery: "export" }, actor);
    expect((await invitationsOf(created.id)).map((i) => i.tenantId).sort()).toEqual([...ids].sort());
  });
});

describe("by root-cause group", () => {
  it("invites the group's failed tenants only", async () => {
    const failed = [await seedTenant(), await seedTenant()];
    await seedTenant();
    await db.tenant.updateMany({ where: { id: { in: failed } }, data: { lastStatus: "FAILED", lastStatusCode: "CONSENT_REQUIRED" } });
    const group = { reasonCode: "CONSENT_REQUIRED", method: "APP_REGISTRATION" as const, cloud: "CUSTOM" as const, app: "default" };
    const created = await createCampaign({ name: "Cause", failureGroup: group, delivery: "export" }, actor);
    expect((await invitationsOf(created.id)).map((i) => i.tenantId).sort()).toEqual([...failed].sort());
  });
});

describe("email delivery and reminders", () => {
  it("emails each admin, then reminds after 2 and 5 days, and stops once the tenant verifies", async () => {
    const channelId = await smtpChannel();
    const a = await seedTenant({ name: "Contoso Ltd" });
    const b = await seedTenant({ name: "Northwind" });
    const created = await createCampaign({ name: "Email wave", tenantIds: [a, b], delivery: "email", channelId }, actor);
    expect(created.links).toBeNull();
    expect((await invitationsOf(created.id)).map((i) => i.state)).toEqual(["pending", "pending"]);

    await deliverDue({ now: new Date() });
    let invitations = await invitationsOf(created.id);
    expect(invitations.map((i) => i.state)).toEqual(["sent", "sent"]);
    for (const inv of invitations) {
      const mails = mailsTo(inv.email);
      expect(mails).toHaveLength(1);
      // To the customer's admin only, never to the channel's own recipients.
      expect(mails[0]!.to).toEqual([inv.email]);
      expect(mails[0]!.subject).toContain(inv.tenant.displayName);
      expect(mails[0]!.text).toMatch(/\/consent\/[A-Za-z0-9_-]{43}/);
      expect(mails[0]!.html).toContain("Review and grant consent");
      // The link in the email is the invitation's own, and it works.
      const token = /\/consent\/([A-Za-z0-9_-]{43})/.exec(mails[0]!.text)![1]!;
      expect((await findActiveConsentLink(token))?.id).toBe(inv.consentLinkId);
      expect(inv.nextReminderAt!.getTime()).toBe(inv.sentAt!.getTime() + 2 * DAY);
    }
    const sentAt = invitations[0]!.sentAt!;

    // Nothing is due a day later.
    expect((await campaignTick(new Date(sentAt.getTime() + DAY))).reminders).toBe(0);

    const day2 = new Date(sentAt.getTime() + 2 * DAY + 60_000);
    expect((await campaignTick(day2)).reminders).toBe(2);
    await deliverDue({ now: day2 });
    invitations = await invitationsOf(created.id);
    for (const inv of invitations) {
      const mails = mailsTo(inv.email);
      expect(mails).toHaveLength(2);
      expect(mails[1]!.subject).toMatch(/^Reminder: /);
      expect(inv.remindersSent).toBe(1);
      expect(inv.state).toBe("sent");
    }

    // Tenant a verifies: its invitation closes, and it gets no second reminder.
    const verifiedAt = new Date(sentAt.getTime() + 3 * DAY);
    await db.tenant.update({ where: { id: a }, data: { lastStatus: "VERIFIED", lastVerifiedAt: verifiedAt } });
    const day5 = new Date(sentAt.getTime() + 5 * DAY + 120_000);
    const tick = await campaignTick(day5);
    expect(tick.verified).toBe(1);
    expect(tick.reminders).toBe(1);
    await deliverDue({ now: day5 });
    invitations = await invitationsOf(created.id);
    const [ia, ib] = [invitations.find((i) => i.tenantId === a)!, invitations.find((i) => i.tenantId === b)!];
    expect(ia.state).toBe("verified");
    expect(ia.verifiedAt?.getTime()).toBe(verifiedAt.getTime());
    expect(ia.closedAt).not.toBeNull();
    expect(mailsTo(ia.email)).toHaveLength(2);
    expect(mailsTo(ib.email)).toHaveLength(3);
    expect(ib.remindersSent).toBe(2);
    expect(ib.nextReminderAt).toBeNull();
    expect((await campaignTick(new Date(sentAt.getTime() + 6 * DAY))).reminders).toBe(0);
  });

  it("an email the server refuses: delivery failed, with the server's reply", async () => {
    const channelId = await smtpChannel(locked, "wrong");
    const id = await seedTenant();
    const created = await createCampaign({ name: "Refused", tenantIds: [id], delivery: "email", channelId }, actor);
    await deliverDue({ now: new Date() });
    const [inv] = await invitationsOf(created.id);
    expect(inv!.state).toBe("delivery_failed");
    expect(inv!.deliveryFailedAt).not.toBeNull();
    expect(inv!.lastError).toMatch(/535|auth/i);
  });

  it("expires an invitation whose link expired", async () => {
    const id = await seedTenant();
    const created = await createCampaign({ name: "Short", tenantIds: [id], delivery: "export", linkDays: 1 }, actor);
    expect((await campaignTick(new Date(Date.now() + 12 * 3_600_000))).expired).toBe(0);
    expect((await campaignTick(new Date(Date.now() + DAY + 60_000))).expired).toBe(1);
    const [inv] = await invitationsOf(created.id);
    expect(inv!.state).toBe("expired");
    expect(inv!.closedAt).not.toBeNull();
  });
});

describe("a link revoked on the tenant's page", () => {
  it("closes its invitation as revoked at the next tick", async () => {
    const id = await seedTenant();
    const created = await createCampaign({ name: "Revoked elsewhere", tenantIds: [id], delivery: "export" }, actor);
    expect(created.refused).toEqual([]);
    await revokeConsentLinks({ tenantId: id, actor });
    await campaignTick(new Date());
    const [inv] = await invitationsOf(created.id);
    expect(inv!.state).toBe("revoked");
    expect(inv!.closedAt).not.toBeNull();
  });
});

describe("channels that are not email", () => {
  it("refuse an invitation email for good", async () => {
    const id = (
      await createChannel({
        name: `hook-${newId().slice(-6)}`,
        kind: "WEBHOOK",
        config: { url: "https://hooks.example/x" },
        secrets: { secrets: ["whsec_C2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"] },
      })
    ).id;
    const channel = (await loadResolvedChannel(id))!;
    const message = { id: newId(), type: "invitation", severity: "info" as const, title: "t", text: "t", occurredAt: new Date(), data: {} };
    const result = await deliverTo(channel, { ...message, email: { to: ["a@b.example"], subject: "s", text: "t", html: "<p>t</p>" } }, { timeoutMs: 1000 });
    expect(result).toMatchObject({ ok: false, permanent: true, error: expect.stringMatching(/Only an email channel/) });
  });
});

describe("the invitation follows the consent flow", () => {
  async function oneInvitation() {
    const id = await seedTenant({ fabrikam: true });
    const created = await createCampaign({ name: "Flow", tenantIds: [id], delivery: "export" }, actor);
    const [inv] = await invitationsOf(created.id);
    return { inv: inv!, token: tokenOf(created.links![0]!.url) };
  }
  const stateOf = (id: string) => db.invitation.findUniqueOrThrow({ where: { id } });

  it("moves forward only; a declined invitation may be opened again", async () => {
    const { inv, token } = await oneInvitation();
    await recordInvitationOpened(token);
    expect((await stateOf(inv.id)).state).toBe("opened");
    await recordInvitationAtMicrosoft(inv.consentLinkId);
    await recordInvitationOpened(token);
    const atMicrosoft = await stateOf(inv.id);
    expect(atMicrosoft.state).toBe("sent_to_microsoft");
    expect(atMicrosoft.openedAt).not.toBeNull();
    expect(atMicrosoft.sentToMicrosoftAt).not.toBeNull();

    await recordInvitationOutcome(inv.consentLinkId, { kind: "declined", tenantName: "x", message: "m", codes: [65004], reason: "cancelled" });
    expect(await stateOf(inv.id)).toMatchObject({ state: "declined", declineReason: "cancelled" });
    await recordInvitationOpened(token);
    expect((await stateOf(inv.id)).state).toBe("opened");

    await recordInvitationOutcome(inv.consentLinkId, {
      kind: "mismatch",
      tenantName: "x",
      message: "m",
      expectedDomain: "contoso.example",
      account: "jane@other.example",
      otherTenant: null,
    });
    expect(await stateOf(inv.id)).toMatchObject({ state: "declined", declineReason: "wrong_directory", declineDetail: "Signed in as jane@other.example" });

    await recordInvitationOutcome(inv.consentLinkId, { kind: "declined", tenantName: "x", message: "m", codes: [90094], reason: "not_admin" });
    expect(await stateOf(inv.id)).toMatchObject({
      state: "declined",
      declineReason: "not_admin",
      declineDetail: "Global Administrator or Privileged Role Administrator",
    });

    await recordInvitationOutcome(inv.consentLinkId, { kind: "failed", tenantName: "x", title: "The app is disabled", message: "m", codes: [7000112] });
    expect(await stateOf(inv.id)).toMatchObject({ state: "declined", declineReason: "failed", declineDetail: "The app is disabled" });

    await recordInvitationOutcome(inv.consentLinkId, { kind: "confirming", tenantName: "x", flow: "ADMIN_CONSENT" });
    const confirming = await stateOf(inv.id);
    expect(confirming.state).toBe("confirming");
    expect(confirming.consentedAt).not.toBeNull();

    // A later step never goes back.
    await recordInvitationOpened(token);
    await recordInvitationAtMicrosoft(inv.consentLinkId);
    expect((await stateOf(inv.id)).state).toBe("confirming");
  });

  it("a link without an invitation changes nothing", async () => {
    await expect(recordInvitationAtMicrosoft("no-such-link")).resolves.toBeUndefined();
    await expect(recordInvitationOpened("A".repeat(43))).resolves.toBeUndefined();
  });

  it("through the real flow: Continue, then the administrator cancels at Microsoft", async () => {
    const { inv, token } = await oneInvitation();
    const browser = browserBindingValue(undefined);
    const started = await startConsent(token, browser);
    expect(started.ok).toBe(true);
    expect((await stateOf(inv.id)).state).toBe("sent_to_microsoft");
    emu.state.armInteraction({ user: TEST.fabrikamAdmin, password: TEST.password, decision: "cancel" });
    const response = await fetch(started.ok ? started.redirectTo : "", { redirect: "manual" });
    const location = new URL(response.headers.get("location")!);
    await callbackRoute(new NextRequest(location, { headers: { cookie: `${CONSENT_BROWSER_COOKIE}=${browser}` } }));
    expect(await stateOf(inv.id)).toMatchObject({ state: "declined", declineReason: "cancelled" });
  });

  it("through the real flow: the administrator consents and the tenant verifies", async () => {
    const { inv, token } = await oneInvitation();
    const browser = browserBindingValue(undefined);
    const started = await startConsent(token, browser);
    emu.state.armInteraction({ user: TEST.fabrikamAdmin, password: TEST.password, decision: "accept" });
    const response = await fetch(started.ok ? started.redirectTo : "", { redirect: "manual" });
    await callbackRoute(new NextRequest(new URL(response.headers.get("location")!), { headers: { cookie: `${CONSENT_BROWSER_COOKIE}=${browser}` } }));
    const after = await stateOf(inv.id);
    expect(["verified", "confirming"]).toContain(after.state);
    expect(after.consentedAt).not.toBeNull();
  });
});

describe("resend and revoke", () => {
  it("revoke: the link is refused from then on, and the invitation is closed", async () => {
    const id = await seedTenant();
    const created = await createCampaign({ name: "Revoke", tenantIds: [id], delivery: "export" }, actor);
    const token = tokenOf(created.links![0]!.url);
    const [inv] = await invitationsOf(created.id);
    await revokeInvitation(inv!.id, actor);
    expect(await findActiveConsentLink(token)).toBeNull();
    const started = await startConsent(token, browserBindingValue(undefined));
    expect(started.ok).toBe(false);
    expect(await db.invitation.findUniqueOrThrow({ where: { id: inv!.id } })).toMatchObject({ state: "revoked" });
    await expect(revokeInvitation(inv!.id, actor)).rejects.toThrow(/already closed/);
    expect(await db.auditEvent.count({ where: { action: "invitation.revoked", targetId: inv!.id } })).toBe(1);
  });

  it("resend: a new link replaces the old one, and a new email goes out", async () => {
    const channelId = await smtpChannel();
    const id = await seedTenant();
    const created = await createCampaign({ name: "Resend", tenantIds: [id], delivery: "email", channelId }, actor);
    await deliverDue({ now: new Date() });
    const [inv] = await invitationsOf(created.id);
    const first = /\/consent\/([A-Za-z0-9_-]{43})/.exec(mailsTo(inv!.email)[0]!.text)![1]!;
    await recordInvitationOpened(first);
    const resent = await resendInvitation(inv!.id, actor);
    expect(resent.state).toBe("pending");
    expect(await findActiveConsentLink(first)).toBeNull();
    await deliverDue({ now: new Date() });
    const mails = mailsTo(inv!.email);
    expect(mails).toHaveLength(2);
    const second = /\/consent\/([A-Za-z0-9_-]{43})/.exec(mails[1]!.text)![1]!;
    expect(second).not.toBe(first);
    const after = await db.invitation.findUniqueOrThrow({ where: { id: inv!.id } });
    expect(after).toMatchObject({ state: "sent", openedAt: null });
    expect((await findActiveConsentLink(second))?.id).toBe(after.consentLinkId);
  });
});
