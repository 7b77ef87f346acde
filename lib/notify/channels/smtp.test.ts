import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureTlsMaterial } from "@/emulator/certs";
import { testDataDir } from "@/emulator/testing/paths";
import type { ResolvedChannel } from "./config";
import { deliverTo } from "./index";
import type { OutgoingMessage } from "./types";

/**
 * The SMTP driver against a real in-process SMTP server (smtp-server) that requires STARTTLS and AUTH, with
 * the emulator's test certificate (trusted through NODE_EXTRA_CA_CERTS by the vitest global setup).
 */

type Behaviour = "accept" | "temp_fail";
let behaviour: Behaviour = "accept";
let received: ParsedMail[] = [];
let envelopes: { from: string; to: string[] }[] = [];
let server: SMTPServer;
let port: number;

beforeAll(async () => {
  const tls = ensureTlsMaterial(testDataDir());
  server = new SMTPServer({
    key: tls.serverKeyPem,
    cert: tls.serverCertPem,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "alerts@msp.example" && auth.password === "correct horse") return callback(null, { user: auth.username });
      callback(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      if (behaviour === "temp_fail") return callback(Object.assign(new Error("4.3.0 Mailbox temporarily unavailable, try again later"), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          envelopes.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  behaviour = "accept";
  received = [];
  envelopes = [];
});

function channel(password = "correct horse", security: "starttls" | "tls" | "none" = "starttls"): ResolvedChannel {
  return {
    id: "ch1",
    name: "Ops mail",
    kind: "SMTP",
    config: { host: "localhost", port, security, user: "alerts@msp.example", from: "alerts@msp.example", to: ["ops@msp.example", "noc@msp.example"] },
    secrets: { password },
  };
}

const message: OutgoingMessage = {
  id: "ntf_01HZX3",
  type: "incident.opened",
  severity: "critical",
  title: "Access lost: Contoso <Ltd>",
  text: "Contoso Ltd (C-1001) failed verification.\nReason: consent revoked",
  occurredAt: new Date("2026-12-06T10:00:00Z"),
  data: { tenantId: "t1" },
  link: "https://console.example/tenants/t1",
};

describe("SMTP driver", () => {
  it("delivers the message over STARTTLS with AUTH: subject, text and an escaped HTML part arrive", async () => {
    const result = await deliverTo(channel(), message, { timeoutMs: 5000 });
    expect(result).toEqual({ ok: true, responseCode: 250 });
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail.subject).toBe("[Critical] Access lost: Contoso <Ltd>");
    expect(mail.text).toContain("Reason: consent revoked");
    expect(mail.text).toContain("https://console.example/tenants/t1");
    expect(mail.html).toContain("Access lost: Contoso &lt;Ltd&gt;");
    expect(mail.html).toContain('href="https://console.example/tenants/t1"');
    expect(mail.messageId).toBe("<ntf_01HZX3@msp.example>");
    expect(envelopes[0]).toEqual({ from: "alerts@msp.example", to: ["ops@msp.example", "noc@msp.example"] });
  });

  it("a rejected password is permanent, with the server's 535", async () => {
    const result = await deliverTo(channel("wrong"), message, { timeoutMs: 5000 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.responseCode).toBe(535);
    expect(result.permanent).toBe(true);
    expect(result.error).toContain("535");
    expect(result.error).not.toContain("wrong");
    expect(received).toHaveLength(0);
  });

  it("a 451 temporary failure is worth another try", async () => {
    behaviour = "temp_fail";
    const result = await deliverTo(channel(), message, { timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, responseCode: 451 });
    expect(result.ok === false && result.permanent).toBeFalsy();
    expect(received).toHaveLength(0);
  });

  it("a server that refuses connections is worth another try", async () => {
    const closed = { ...channel(), config: { ...channel().config, port: 1 } } as ResolvedChannel;
    const result = await deliverTo(closed, message, { timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, responseCode: null });
    expect(result.ok === false && result.permanent).toBeFalsy();
  });
});
