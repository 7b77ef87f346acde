import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getChannelRoute, PATCH as patchChannelRoute } from "@/app/api/v1/channels/[id]/route";
import { GET as deliveriesRoute } from "@/app/api/v1/channels/[id]/deliveries/route";
import { POST as testRoute } from "@/app/api/v1/channels/[id]/test/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/v1/channels/route";
import { generateApiToken } from "@/lib/api-tokens/format";
import { db } from "@/lib/db";
import { CommandError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { loadResolvedChannel } from "@/lib/notify/channels/store";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/notify/testing/receivers";
import {
  createChannelCommand,
  deleteChannelCommand,
  finishChannelRotationCommand,
  rotateChannelSecretCommand,
  testChannelCommand,
  updateChannelCommand,
} from "./channels";
import { runCommand, type CommandContext } from "./command";

/**
 * Channels through the command layer and the REST API, on the test database (SQLite, or PostgreSQL with
 * TEST_DATABASE=postgres): secrets are accepted, stored encrypted and never come back, in a view, a REST
 * answer or an audit row; bad input is refused field by field in words; Test writes the delivery log.
 */

const admin: CommandContext = {
  actor: { type: "admin", id: "adm1", label: "alice@msp.example" },
  role: "ADMINISTRATOR",
  requestId: "req-1",
  principalKind: "admin",
};
const operator: CommandContext = { ...admin, role: "OPERATOR" };
const PASSWORD = "pw-Secret-4711";
const WORKFLOW_URL_SIG = "sig=Zm9vYmFyU2VjcmV0";

let receiver: WebhookReceiver;
let token = "";

beforeAll(async () => {
  receiver = await startWebhookReceiver([]);
  const t = generateApiToken();
  await db.apiToken.create({
    data: {
      id: newId(),
      name: "channels admin",
      role: "ADMINISTRATOR",
      tokenHash: t.hash,
      prefix: t.prefix,
      createdBy: "test",
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  token = t.token;
});
afterAll(() => receiver.close());

beforeEach(async () => {
  await db.notificationChannel.deleteMany();
  await db.auditEvent.deleteMany();
  receiver.received.length = 0;
  receiver.script([]);
});

const smtpInput = (over: Record<string, unknown> = {}) => ({
  kind: "SMTP" as const,
  name: "NOC mail",
  host: "smtp.msp.example",
  port: "587",
  security: "starttls",
  user: "alerts@msp.example",
  password: PASSWORD,
  from: "alerts@msp.example",
  to: "noc@msp.example, oncall@msp.example",
  ...over,
});

async function api(
  handler: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>,
  method: string,
  path: string,
  body?: unknown,
  params: Record<string, string> = {},
) {
  const res = await handler(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { params: Promise.resolve(params) },
  );
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function auditText() {
  return JSON.stringify(await db.auditEvent.findMany({ orderBy: { at: "asc" } }));
}

describe("channel commands", () => {
  it("an SMTP password is stored encrypted, hinted, kept when the field is sent empty, and never shown or audited", async () => {
    const view = await runCommand(createChannelCommand, smtpInput(), admin);
    expect(view).toMatchObject({
      kind: "SMTP",
      secretHint: "password set",
      config: { host: "smtp.msp.example", port: 587, to: ["noc@msp.example", "oncall@msp.example"] },
    });
    expect(JSON.stringify(view)).not.toContain(PASSWORD);
    const row = await db.notificationChannel.findUniqueOrThrow({ where: { id: view.id } });
    expect(row.secret).toBeTruthy();
    expect(row.secret).not.toContain(PASSWORD);

    const updated = await runCommand(updateChannelCommand, { id: view.id, version: view.version, host: "mail.msp.example", password: "" }, admin);
    expect(updated.changedFields).toEqual(["host"]);
    expect((await loadResolvedChannel(view.id))?.secrets).toEqual({ password: PASSWORD });

    const changed = await runCommand(updateChannelCommand, { id: view.id, version: updated.view.version, password: "new-pass-0815" }, admin);
    expect(changed.changedFields).toEqual(["password"]);
    expect((await loadResolvedChannel(view.id))?.secrets).toEqual({ password: "new-pass-0815" });

    const audit = await auditText();
    expect(audit).toContain("channel.created");
    expect(audit).toContain("channel.updated");
    expect(audit).not.toContain(PASSWORD);
    expect(audit).not.toContain("new-pass-0815");
  });

  it("bad input is refused field by field, in words", async () => {
    const e = await runCommand(
      createChannelCommand,
      smtpInput({ name: " ", port: "smtp", security: "ssl", to: "noc@msp.example, not-an-address", from: "" }),
      admin,
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommandError);
    const fields = (e as CommandError).fieldErrors!;
    expect(fields.name).toEqual(["Name the channel, e.g. NOC mailbox or PSA webhook."]);
    expect(fields.port).toEqual(["Enter the SMTP port, e.g. 587 (STARTTLS) or 465 (TLS)."]);
    expect(fields.security).toEqual(["Choose TLS, STARTTLS or none."]);
    expect(fields.to).toEqual(["Enter an email address such as alerts@contoso.com."]);
    expect(fields.from).toEqual(["Enter an email address such as alerts@contoso.com."]);
    expect(await db.notificationChannel.count()).toBe(0);
  });

  it("a webhook URL the outbound policy refuses, a duplicate name and a changed kind are refused on their fields", async () => {
    const http = await runCommand(createChannelCommand, { kind: "WEBHOOK", name: "PSA", url: "http://psa.example/hook" }, admin).catch((x: unknown) => x);
    expect((http as CommandError).fieldErrors?.url).toEqual(["Use an https:// URL: the console sends notifications over https only."]);
    const priv = await runCommand(createChannelCommand, { kind: "WEBHOOK", name: "PSA", url: "https://10.1.2.3/hook" }, admin).catch((x: unknown) => x);
    expect((priv as CommandError).fieldErrors?.url?.[0]).toMatch(/private address/);
    const view = await runCommand(createChannelCommand, { kind: "WEBHOOK", name: "PSA", url: receiver.url }, admin);
    const dup = await runCommand(createChannelCommand, { kind: "WEBHOOK", name: "PSA", url: receiver.url }, admin).catch((x: unknown) => x);
    expect((dup as CommandError).fieldErrors?.name).toEqual(["Another channel has this name. Choose another one."]);
    const kind = await runCommand(updateChannelCommand, { id: view.id, kind: "TEAMS" }, admin).catch((x: unknown) => x);
    expect((kind as CommandError).fieldErrors?.kind).toEqual(["A channel's kind cannot change. Create a new channel instead."]);
  });

  it("only administrators manage channels", async () => {
    const e = await runCommand(createChannelCommand, smtpInput(), operator).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "forbidden", message: "Only administrators can add notification channels." });
  });

  it("webhook rotation: the secret is shown once, both sign until Finish rotation, and a test is verified and logged", async () => {
    const created = await runCommand(createChannelCommand, { kind: "WEBHOOK", name: "PSA", url: receiver.url }, admin);
    const first = created.signingSecret!;
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(created.secretHint).toBe("1 signing secret");

    const rotated = await runCommand(rotateChannelSecretCommand, { id: created.id }, admin);
    const second = rotated.signingSecret!;
    expect(second).not.toBe(first);
    expect(rotated.view).toMatchObject({ secretHint: "2 signing secrets (rotation in progress)", rotating: true });

    const test = await runCommand(testChannelCommand, { id: created.id }, admin);
    expect(test).toMatchObject({ ok: true, responseCode: 200, error: null });
    const req = receiver.received[0]!;
    for (const secret of [first, second]) expect(new Webhook(secret).verify(req.raw, req.headers)).toMatchObject({ type: "test" });

    const finished = await runCommand(finishChannelRotationCommand, { id: created.id }, admin);
    expect(finished).toMatchObject({ secretHint: "1 signing secret", rotating: false });
    expect((await loadResolvedChannel(created.id))?.secrets).toEqual({ secrets: [second] });
    const again = await runCommand(finishChannelRotationCommand, { id: created.id }, admin).catch((x: unknown) => x);
    expect(again).toMatchObject({ code: "conflict", message: "No rotation is in progress: the channel signs with one secret." });

    const audit = await auditText();
    for (const action of ["channel.created", "channel.secret_rotated", "channel.tested", "channel.rotation_finished"]) expect(audit).toContain(action);
    expect(audit).not.toContain(first.slice(6, 20));
    expect(audit).not.toContain(second.slice(6, 20));
  });

  it("a failing test is logged with the receiver's status; deleting the channel removes its log", async () => {
    const view = await runCommand(createChannelCommand, { kind: "WEBHOOK", name: "PSA", url: receiver.url }, admin);
    receiver.script([500]);
    const result = await runCommand(testChannelCommand, { id: view.id }, admin);
    expect(result).toMatchObject({ ok: false, responseCode: 500, error: "The receiver answered HTTP 500 Internal Server Error" });
    const rows = await db.deliveryAttempt.findMany({ where: { channelId: view.id } });
    expect(rows).toEqual([expect.objectContaining({ notificationId: null, attempt: 1, outcome: "test_failed", responseCode: 500 })]);
    await runCommand(deleteChannelCommand, { id: view.id }, admin);
    expect(await db.deliveryAttempt.count({ where: { channelId: view.id } })).toBe(0);
  });
});

describe("REST /api/v1/channels", () => {
  it("accepts secrets on POST and PATCH and never returns them", async () => {
    const workflowUrl = `${receiver.url}/workflows/1/triggers/manual/paths/invoke?api-version=2016-06-01&${WORKFLOW_URL_SIG}`;
    const host = new URL(receiver.url).host;
    const created = await api(createRoute, "POST", "/channels", { kind: "TEAMS", name: "Teams NOC", url: workflowUrl });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ kind: "TEAMS", secretHint: `workflow on ${host}`, signingSecret: null });
    const id = created.json!.id as string;

    const renamed = await api(patchChannelRoute, "PATCH", `/channels/${id}`, { name: "Teams NOC (renamed)", url: "" }, { id });
    expect(renamed.json).toMatchObject({ name: "Teams NOC (renamed)", secretHint: `workflow on ${host}` });
    expect((await loadResolvedChannel(id))?.secrets).toEqual({ url: workflowUrl });

    const smtp = await api(createRoute, "POST", "/channels", smtpInput({ to: ["noc@msp.example"] }));
    expect(smtp.status).toBe(201);
    const patched = await api(
      patchChannelRoute,
      "PATCH",
      `/channels/${smtp.json!.id as string}`,
      { password: "rotated-pw-1" },
      { id: smtp.json!.id as string },
    );
    expect(patched.status).toBe(200);

    const got = await api(getChannelRoute, "GET", `/channels/${id}`, undefined, { id });
    const list = await api(listRoute, "GET", "/channels");
    for (const r of [created, renamed, smtp, patched, got, list]) {
      expect(r.text).not.toContain(WORKFLOW_URL_SIG);
      expect(r.text).not.toContain(PASSWORD);
      expect(r.text).not.toContain("rotated-pw-1");
    }
    expect((list.json!.items as unknown[]).length).toBe(2);
    const audit = await auditText();
    expect(audit).not.toContain(WORKFLOW_URL_SIG);
    expect(audit).not.toContain("rotated-pw-1");

    receiver.script([202]);
    const tested = await api(testRoute, "POST", `/channels/${id}/test`, undefined, { id });
    expect(tested.json).toMatchObject({ ok: true, responseCode: 202 });
    const log = await api(deliveriesRoute, "GET", `/channels/${id}/deliveries`, undefined, { id });
    expect(log.json).toMatchObject({ total: 1, items: [{ outcome: "test_ok", responseCode: 202, attempt: 1, notificationId: null }] });
  });

  it("bad input is a 422 naming each field", async () => {
    const r = await api(createRoute, "POST", "/channels", { kind: "WEBHOOK", name: "", url: "not a url" });
    expect(r.status).toBe(422);
    expect(r.json!.errors).toEqual(
      expect.arrayContaining([
        { path: "name", message: "Name the channel, e.g. NOC mailbox or PSA webhook." },
        { path: "url", message: "Enter the receiver's URL, such as https://psa.example.com/hooks/tac." },
      ]),
    );
    const graph = await api(createRoute, "POST", "/channels", {
      kind: "GRAPH_MAIL",
      name: "Graph",
      appRegistrationId: "gone",
      mailbox: "alerts@msp.example",
      to: ["noc@msp.example"],
    });
    expect(graph.status).toBe(422);
    expect(graph.json!.errors).toEqual([{ path: "appRegistrationId", message: "This app registration no longer exists. Choose another one." }]);
    const kind = await api(createRoute, "POST", "/channels", { kind: "PAGER", name: "x" });
    expect(kind.status).toBe(422);
    expect(JSON.stringify(kind.json!.errors)).toContain("Choose the kind of channel: SMTP, GRAPH_MAIL, TEAMS or WEBHOOK.");
  });

  it("PATCH with a stale If-Match is a 409 and changes nothing", async () => {
    const created = await api(createRoute, "POST", "/channels", { kind: "WEBHOOK", name: "PSA", url: receiver.url });
    const id = created.json!.id as string;
    const res = await patchChannelRoute(
      new Request(`http://localhost/api/v1/channels/${id}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "if-match": '"7"' },
        body: JSON.stringify({ name: "Renamed" }),
      }),
      { params: Promise.resolve({ id }) },
    );
    expect(res.status).toBe(409);
    expect((await db.notificationChannel.findUniqueOrThrow({ where: { id } })).name).toBe("PSA");
  });
});

describe("the OpenAPI document describes the webhook payload", () => {
  it("a `webhooks` entry posts WebhookEvent, one variant per event type", async () => {
    const { openApiDocument } = await import("@/lib/api/openapi");
    const { eventTypes } = await import("@/lib/notify/events");
    const doc = openApiDocument();
    const post = doc.webhooks.notification!.post as { requestBody: { content: Record<string, { schema: { $ref: string } }> }; parameters: { name: string }[] };
    expect(post.requestBody.content["application/json"]!.schema.$ref).toBe("#/components/schemas/WebhookEvent");
    expect(post.parameters.map((p) => p.name)).toEqual(["webhook-id", "webhook-timestamp", "webhook-signature"]);
    const variants = (doc.components.schemas.WebhookEvent as { oneOf: { properties: { type: { const: string } } }[] }).oneOf;
    expect(variants.map((v) => v.properties.type.const)).toEqual([...eventTypes, "digest", "test"]);
  });
});
