import { beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { TEST } from "@/emulator/testing/index";
import { withTestEmulator } from "@/emulator/testing/vitest-hooks";
import { runCommand } from "@/lib/commands/command";
import { applyProviderSettingsCommand } from "@/lib/commands/settings";
import { db } from "@/lib/db";
import { emulatorProviderValues } from "@/lib/provider/testing";
import type { ResolvedChannel } from "./config";
import { deliverGraphMail } from "./graph-mail";
import type { OutgoingMessage } from "./types";

// The Graph mail channel against the emulator's Graph sendMail: a token for the MSP's app registration in
// its home tenant, then POST /users/{mailbox}/sendMail; the emulator's mailboxes show what arrived.
let emu: RunningEmulator;
withTestEmulator((e) => (emu = e));

const asAdmin = {
  actor: { type: "admin" as const, id: "admin-1", label: "ops@msp.example" },
  role: "ADMINISTRATOR" as const,
  requestId: "req-1",
  principalKind: "admin" as const,
};
const MAILBOX = `owner@${TEST.homeDomain}`;

/** The default registration, pointing at the emulator as a Custom cloud (as Settings → App registrations saves it). */
async function applyRegistration() {
  const current = await db.appRegistration.findUnique({ where: { id: "provider" } });
  await runCommand(applyProviderSettingsCommand, { ...emulatorProviderValues(emu, { scopes: "User.Read" }), version: current?.version ?? 0 }, asAdmin);
  return db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
}

function grantMailSend() {
  emu.state.grantConsent(TEST.homeTenantId, TEST.providerClientId, { applicationPermissions: ["Application.Read.All", "Mail.Send"] });
}

const channel = (over: Partial<Extract<ResolvedChannel, { kind: "GRAPH_MAIL" }>["config"]> = {}): Extract<ResolvedChannel, { kind: "GRAPH_MAIL" }> => ({
  id: "ch-1",
  name: "MSP alerts mailbox",
  kind: "GRAPH_MAIL",
  config: { appRegistrationId: "provider", mailbox: MAILBOX, to: ["noc@lakeshore.example", "oncall@lakeshore.example"], ...over },
  secrets: {},
});

const message: OutgoingMessage = {
  id: "ntf_01HZX3",
  type: "incident.opened",
  severity: "critical",
  title: "Access lost: Contoso <Dental> & Co",
  text: "The console lost access to Contoso <Dental>.\nReason: consent revoked.",
  occurredAt: new Date("2026-12-06T20:00:00Z"),
  data: { tenantId: "t-1" },
  link: "https://console.example/incidents/inc-1",
};

const options = { timeoutMs: 10_000 };

beforeEach(async () => {
  emu.state.reset();
  await db.appRegistration.deleteMany({});
});

describe("deliverGraphMail", () => {
  it("sends the notification from the mailbox: stored in every recipient's mailbox and the sender's Sent Items", async () => {
    await applyRegistration();
    grantMailSend();
    const result = await deliverGraphMail(channel(), message, options);
    expect(result).toEqual({ ok: true, responseCode: 202 });

    for (const recipient of ["noc@lakeshore.example", "oncall@lakeshore.example"]) {
      const box = await emu.control.mailbox(recipient);
      expect(box).toHaveLength(1);
      expect(box[0]).toMatchObject({
        folder: "inbox",
        subject: "[Critical] Access lost: Contoso <Dental> & Co",
        from: { address: MAILBOX, name: "MSP Owner" },
        toRecipients: [
          { address: "noc@lakeshore.example", name: null },
          { address: "oncall@lakeshore.example", name: null },
        ],
        importance: "high",
        internetMessageId: `<ntf_01HZX3@${TEST.homeDomain}>`,
        senderTenantId: TEST.homeTenantId,
        senderAppId: TEST.providerClientId,
      });
    }
    const [stored] = await emu.control.mailbox("noc@lakeshore.example");
    expect(stored!.body.contentType).toBe("html");
    const html = stored!.body.content;
    expect(html).toContain("Access lost: Contoso &lt;Dental&gt; &amp; Co</h1>");
    expect(html).toContain("The console lost access to Contoso &lt;Dental&gt;.<br>Reason: consent revoked.");
    expect(html).toContain(`href="https://console.example/incidents/inc-1"`);
    expect(html).toContain("Occurred 6 Dec 2026, 20:00 UTC");
    expect(html).not.toContain("<Dental>");
    expect((await emu.control.mailbox(MAILBOX)).map((m) => m.folder)).toEqual(["sentitems"]);
    // One token request and one sendMail, nothing else.
    const counters = await emu.control.counters();
    expect(counters.endpoints["graph:/v1.0/users/{id}/sendMail"]).toBe(1);
  });

  it("sends an invitation email exactly as given, to its own recipients only (a campaign's invitation)", async () => {
    await applyRegistration();
    grantMailSend();
    const email = {
      to: ["admin@customer.example"],
      subject: "Northwind asks for your consent",
      text: "Open the link",
      html: '<p>Open the <a href="https://x.example/consent/t">link</a></p>',
    };
    const result = await deliverGraphMail(channel(), { ...message, severity: "info", email }, options);
    expect(result).toEqual({ ok: true, responseCode: 202 });
    const [mail] = await emu.control.mailbox("admin@customer.example");
    expect(mail).toMatchObject({ subject: "Northwind asks for your consent", toRecipients: [{ address: "admin@customer.example", name: null }] });
    expect(mail!.body.content).toBe(email.html);
    expect(await emu.control.mailbox("noc@lakeshore.example")).toEqual([]);
  });

  it("fails permanently, naming the missing permission, when the registration lacks Mail.Send", async () => {
    const row = await applyRegistration();
    const result = await deliverGraphMail(channel(), message, options);
    expect(result).toEqual({
      ok: false,
      responseCode: 403,
      permanent: true,
      error: `The app registration "${row.name}" lacks the application permission Mail.Send in its home tenant (403 ErrorAccessDenied); grant it and admin-consent (or, if an Exchange application access policy limits the app, allow it to send as ${MAILBOX}).`,
    });
    expect(await emu.control.mailboxes()).toEqual([]);
  });

  it("fails permanently for a mailbox that is not in the registration's home tenant", async () => {
    const row = await applyRegistration();
    grantMailSend();
    const result = await deliverGraphMail(channel({ mailbox: TEST.admin }), message, options);
    expect(result).toEqual({
      ok: false,
      responseCode: 404,
      permanent: true,
      error: `The mailbox ${TEST.admin} does not exist in the home tenant of app registration "${row.name}" (404 ErrorInvalidUser). Enter a user or shared mailbox of that tenant.`,
    });
    expect(await emu.control.mailboxes()).toEqual([]);
  });

  it("makes a single attempt when Graph throttles, and passes Retry-After on to the outbox", async () => {
    await applyRegistration();
    grantMailSend();
    emu.state.throttle({ scope: "graph", count: 1, endpoint: "graph:/v1.0/users/{id}/sendMail", retryAfterSeconds: 2.5 });
    emu.state.resetCounters();
    const result = await deliverGraphMail(channel(), message, options);
    expect(result).toMatchObject({ ok: false, responseCode: 429, retryAfterMs: 2500 });
    expect(result).not.toHaveProperty("permanent");
    expect((await emu.control.counters()).endpoints["graph:/v1.0/users/{id}/sendMail"]).toBe(1);
    expect(await emu.control.mailboxes()).toEqual([]);

    // The outbox's next attempt goes through.
    expect(await deliverGraphMail(channel(), message, options)).toEqual({ ok: true, responseCode: 202 });
  });

  it("fails permanently when Entra rejects the registration's secret, without a token or secret in the result", async () => {
    const row = await applyRegistration();
    grantMailSend();
    emu.state.removeSecret(TEST.providerClientId, "dddddddd-0000-4000-8000-000000000001");
    const result = await deliverGraphMail(channel(), message, options);
    expect(result).toMatchObject({ ok: false, responseCode: 401, permanent: true });
    expect(result.ok ? "" : result.error).toMatch(
      new RegExp(`^Entra ID refused a token for app registration "${row.name}" in its home tenant \\(401 AADSTS7000215\\): Invalid client secret\\.`),
    );
    expect(JSON.stringify(result)).not.toContain(TEST.providerSecret);
    expect(JSON.stringify(result)).not.toMatch(/eyJ/);
  });

  it("fails permanently when the channel's app registration is gone", async () => {
    grantMailSend();
    const result = await deliverGraphMail(channel({ appRegistrationId: "deleted-registration" }), message, options);
    expect(result).toEqual({
      ok: false,
      responseCode: null,
      permanent: true,
      error: "The app registration this channel sends with no longer exists. Choose another one on the channel.",
    });
  });
});
