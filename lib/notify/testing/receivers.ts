import { createServer as createHttpsServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { Webhook } from "standardwebhooks";
import { ensureTlsMaterial } from "@/emulator/certs";
import { testDataDir } from "@/emulator/testing/paths";

/**
 * Real receivers for tests and the demo: an HTTPS webhook receiver that verifies Standard Webhooks
 * signatures (the `standardwebhooks` package, as a PSA would), and an in-process SMTP server (smtp-server)
 * whose messages are parsed with mailparser. Both serve over the emulator's test CA, which every test
 * worker trusts (emulator/testing/vitest-global-setup.ts).
 */

export type ReceivedWebhook = {
  id: string;
  timestamp: string;
  verified: boolean;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
  /** The request as sent, for a test that verifies or inspects it itself (a Teams card, a secret learnt later). */
  path: string;
  headers: Record<string, string>;
  raw: string;
};

export type WebhookReceiver = {
  url: string;
  received: ReceivedWebhook[];
  /** Requests answered so far (including refused ones). */
  requests: number;
  /** The status codes (and headers) to answer, in order; then 200s. */
  script(responses: ({ status: number; headers?: Record<string, string> } | number)[]): void;
  /** Answer nothing until this is turned off (a hanging receiver). */
  hang(on: boolean): void;
  close(): Promise<void>;
};

/** `port`: a fixed one (the e2e console may call only listed ports); `dataDir`: whose CA the caller trusts (default: the tests'). */
export async function startWebhookReceiver(secrets: string[], options: { port?: number; dataDir?: string } = {}): Promise<WebhookReceiver> {
  const tls = ensureTlsMaterial(options.dataDir ?? testDataDir());
  const verifiers = secrets.map((s) => new Webhook(s));
  let queue: { status: number; headers?: Record<string, string> }[] = [];
  let hanging = false;
  const receiver: WebhookReceiver = {
    url: "",
    received: [],
    requests: 0,
    script: (r) => (queue = r.map((x) => (typeof x === "number" ? { status: x } : x))),
    hang: (on) => (hanging = on),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createHttpsServer({ cert: tls.serverCertPem, key: tls.serverKeyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      receiver.requests++;
      if (hanging) return;
      const next = queue.shift() ?? { status: 200 };
      if (next.status >= 200 && next.status < 300) {
        const raw = Buffer.concat(chunks).toString("utf8");
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const verified = verifiers.length > 0 && verifiers.every((v) => ok(() => v.verify(raw, headers)));
        receiver.received.push({
          id: headers["webhook-id"] ?? "",
          timestamp: headers["webhook-timestamp"] ?? "",
          verified,
          body: JSON.parse(raw) as ReceivedWebhook["body"],
          path: req.url ?? "",
          headers,
          raw,
        });
      }
      res.writeHead(next.status, next.headers ?? {}).end();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  receiver.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tac`;
  return receiver;
}

function ok(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

export type ReceivedMail = { from: string; to: string[]; subject: string; text: string; html: string; messageId: string };

export type SmtpReceiver = { host: string; port: number; messages: ReceivedMail[]; close(): Promise<void> };

/** A plain SMTP server on 127.0.0.1 (no TLS, no authentication unless `auth` is given). */
export async function startSmtpReceiver(options: { auth?: { user: string; password: string } } = {}): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.password) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            messageId: mail.messageId ?? "",
          });
          callback();
        })
        .catch((e: Error) => callback(e));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { host: "127.0.0.1", port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
