import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "./index.js";
import { MAILBOX_LIMIT } from "./mail.js";
import { postForm, REQUIRED_APP_PERMISSIONS, REQUIRED_DELEGATED_PERMISSIONS, TEST } from "./testing/index.js";
import { withTestEmulator } from "./testing/vitest-hooks.js";

// Graph sendMail (https://learn.microsoft.com/en-us/graph/api/user-sendmail) with Entra's permission checks,
// the mailboxes it fills, and the pages that show them.
let emu: RunningEmulator;
withTestEmulator((e) => (emu = e));

const OWNER = `owner@${TEST.homeDomain}`;

async function appToken(tenant: string = TEST.homeTenantId): Promise<string> {
  const res = await postForm(`${emu.loginUrl}/${tenant}/oauth2/v2.0/token`, {
    grant_type: "client_credentials",
    client_id: TEST.providerClientId,
    client_secret: TEST.providerSecret,
    scope: `${emu.graphUrl}/.default`,
  });
  expect(res.status).toBe(200);
  return String(res.json.access_token);
}

function grantMailSend() {
  emu.state.grantConsent(TEST.homeTenantId, TEST.providerClientId, { applicationPermissions: ["Application.Read.All", "Mail.Send"] });
}

async function sendMail(
  user: string,
  token: string,
  body: unknown,
): Promise<{ status: number; text: string; json: { error?: { code?: string; message?: string } } | null; headers: Headers }> {
  const response = await fetch(`${emu.graphUrl}/v1.0/${user === "me" ? "me" : `users/${encodeURIComponent(user)}`}/sendMail`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: text ? (JSON.parse(text) as { error?: { code?: string; message?: string } }) : null,
    headers: response.headers,
  };
}

const message = (over: Record<string, unknown> = {}) => ({
  message: {
    subject: "Access lost: Contoso",
    body: { contentType: "Text", content: "The console lost access to Contoso.\nSee the incident." },
    toRecipients: [{ emailAddress: { address: "Ops@Lakeshore.example", name: "Ops team" } }],
    ...over,
  },
});

describe("POST /users/{id}/sendMail with an app-only token", () => {
  it("answers 202 with no body and stores a copy in each recipient's mailbox and the sender's Sent Items", async () => {
    grantMailSend();
    const token = await appToken();
    const res = await sendMail(OWNER, token, {
      ...message({
        body: { contentType: "HTML", content: "<p>Lost <b>access</b></p>" },
        ccRecipients: [{ emailAddress: { address: TEST.admin } }],
        bccRecipients: [{ emailAddress: { address: "audit@elsewhere.example" } }],
        internetMessageId: "<n-1@console.example>",
      }),
      saveToSentItems: true,
    });
    expect(res.status).toBe(202);
    expect(res.text).toBe("");
    expect(res.headers.get("request-id")).toBeTruthy();

    const inbox = await emu.control.mailbox("ops@lakeshore.example");
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      mailbox: "ops@lakeshore.example",
      folder: "inbox",
      subject: "Access lost: Contoso",
      body: { contentType: "html", content: "<p>Lost <b>access</b></p>" },
      from: { address: OWNER, name: "MSP Owner" },
      toRecipients: [{ address: "Ops@Lakeshore.example", name: "Ops team" }],
      ccRecipients: [{ address: TEST.admin, name: null }],
      bccRecipients: [],
      internetMessageId: "<n-1@console.example>",
      senderTenantId: TEST.homeTenantId,
      senderAppId: TEST.providerClientId,
    });
    expect(await emu.control.mailbox(TEST.admin)).toHaveLength(1);
    expect((await emu.control.mailbox("audit@elsewhere.example"))[0]).toMatchObject({ subject: "Access lost: Contoso", bccRecipients: [] });
    const sent = await emu.control.mailbox(OWNER);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ folder: "sentitems", bccRecipients: [{ address: "audit@elsewhere.example", name: null }] });
    expect((await emu.control.mailboxes()).map((b) => [b.address, b.count])).toEqual([
      ["admin@contoso-test.onmicrosoft.com", 1],
      ["audit@elsewhere.example", 1],
      ["ops@lakeshore.example", 1],
      [OWNER, 1],
    ]);
    expect((await emu.control.counters()).endpoints["graph:/v1.0/users/{id}/sendMail"]).toBe(1);
  });

  it("finds the sender by object id too, keeps no Sent Items copy when saveToSentItems is false, and sends one copy per address", async () => {
    grantMailSend();
    const token = await appToken();
    const to = [{ emailAddress: { address: "ops@lakeshore.example" } }, { emailAddress: { address: "OPS@lakeshore.example" } }];
    const res = await sendMail("eeeeeeee-0000-4000-8000-000000000001", token, { ...message({ toRecipients: to }), saveToSentItems: false });
    expect(res.status).toBe(202);
    expect(await emu.control.mailbox("ops@lakeshore.example")).toHaveLength(1);
    expect(await emu.control.mailbox(OWNER)).toEqual([]);
  });

  it("403 ErrorAccessDenied without the application permission Mail.Send, and nothing is delivered", async () => {
    const token = await appToken();
    const res = await sendMail(OWNER, token, message());
    expect(res.status).toBe(403);
    expect(res.json?.error).toMatchObject({ code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." });
    expect(await emu.control.mailboxes()).toEqual([]);
  });

  it("a token for another tenant cannot send from this tenant's mailbox: the user is unknown there (404 ErrorInvalidUser)", async () => {
    emu.state.grantConsent(TEST.contosoId, TEST.providerClientId, { applicationPermissions: [...REQUIRED_APP_PERMISSIONS, "Mail.Send"] });
    const res = await sendMail(OWNER, await appToken(TEST.contosoId), message());
    expect(res.status).toBe(404);
    expect(res.json?.error).toMatchObject({ code: "ErrorInvalidUser", message: `The requested user '${OWNER}' is invalid.` });
  });

  it("a single-tenant app registration gets Mail.Send through grant-consent in its own tenant, like the provider app", async () => {
    const tailspinToken = async () => {
      const res = await postForm(`${emu.loginUrl}/${TEST.tailspinId}/oauth2/v2.0/token`, {
        grant_type: "client_credentials",
        client_id: TEST.tailspinAppId,
        client_secret: TEST.tailspinSecret,
        scope: `${emu.graphUrl}/.default`,
      });
      return String(res.json.access_token);
    };
    const admin = `admin@${TEST.tailspinDomain}`;
    expect((await sendMail(admin, await tailspinToken(), message())).status).toBe(403);
    await emu.control.grantConsent(TEST.tailspinId, TEST.tailspinAppId, { applicationPermissions: ["User.Read.All", "Mail.Send"] });
    expect((await sendMail(admin, await tailspinToken(), message())).status).toBe(202);
    expect((await emu.control.mailbox("ops@lakeshore.example"))[0]).toMatchObject({ from: { address: admin }, senderAppId: TEST.tailspinAppId });
    await expect(emu.control.grantConsent(TEST.contosoId, TEST.tailspinAppId, { applicationPermissions: ["Mail.Send"] })).rejects.toThrow(
      /registered in tenant/,
    );
  });

  it("404 ErrorInvalidUser for an unknown mailbox", async () => {
    grantMailSend();
    const res = await sendMail(`nobody@${TEST.homeDomain}`, await appToken(), message());
    expect(res.status).toBe(404);
    expect(res.json?.error).toMatchObject({ code: "ErrorInvalidUser", message: `The requested user 'nobody@${TEST.homeDomain}' is invalid.` });
  });

  it("400 for a body Graph refuses: no message, no recipients, an address that is not one, a body that is not JSON", async () => {
    grantMailSend();
    const token = await appToken();
    const cases: [unknown, string, string][] = [
      [{ saveToSentItems: true }, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty."],
      [
        message({ toRecipients: [] }),
        "ErrorInvalidRecipients",
        "At least one recipient is not valid., A message can't be sent because it contains no recipients.",
      ],
      [
        message({ toRecipients: [{ emailAddress: { address: "not-an-address" } }] }),
        "ErrorInvalidRecipients",
        "At least one recipient isn't valid., Recipient 'not-an-address' isn't resolved. All recipients must be resolved before a message can be submitted.",
      ],
      [
        message({ body: { contentType: "Markdown", content: "x" } }),
        "RequestBodyRead",
        "Cannot convert the literal 'Markdown' to the expected type 'microsoft.graph.bodyType'.",
      ],
      ["{not json", "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."],
    ];
    for (const [body, code, text] of cases) {
      const res = await sendMail(OWNER, token, body);
      expect(res.status, code).toBe(400);
      expect(res.json?.error).toMatchObject({ code, message: text });
    }
    expect(await emu.control.mailboxes()).toEqual([]);
  });

  it("keeps the newest messages of a mailbox only", () => {
    const sender = { address: OWNER, name: null, tenantId: TEST.homeTenantId, appId: TEST.providerClientId };
    for (let i = 0; i < MAILBOX_LIMIT + 5; i++) {
      emu.state.mail.deliver(
        sender,
        {
          subject: `n${i}`,
          body: { contentType: "text", content: "" },
          toRecipients: [{ address: "ops@lakeshore.example", name: null }],
          ccRecipients: [],
          bccRecipients: [],
          replyTo: [],
          importance: "normal",
          internetMessageId: null,
          saveToSentItems: false,
        },
        Date.now(),
      );
    }
    const box = emu.state.mail.messages("ops@lakeshore.example");
    expect(box).toHaveLength(MAILBOX_LIMIT);
    expect(box[0]!.subject).toBe(`n${MAILBOX_LIMIT + 4}`);
    expect(box.at(-1)!.subject).toBe("n5");
  });
});

describe("sendMail with a delegated token", () => {
  async function userToken(scopes: string): Promise<string> {
    const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
      grant_type: "password",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      username: TEST.admin,
      password: TEST.password,
      scope: scopes,
    });
    expect(res.status).toBe(200);
    return String(res.json.access_token);
  }

  it("sends from the signed-in user's own mailbox only, and needs the scope Mail.Send", async () => {
    emu.state.grantConsent(TEST.contosoId, TEST.providerClientId, {
      applicationPermissions: REQUIRED_APP_PERMISSIONS,
      delegatedPermissions: [...REQUIRED_DELEGATED_PERMISSIONS, "Mail.Send"],
    });
    const withScope = await userToken(`${emu.graphUrl}/User.Read ${emu.graphUrl}/Mail.Send`);
    expect((await sendMail("me", withScope, message())).status).toBe(202);
    expect((await sendMail(TEST.admin, withScope, message())).status).toBe(202);
    const other = await sendMail(TEST.reader, withScope, message());
    expect(other.status).toBe(403);
    expect(other.json?.error?.code).toBe("ErrorAccessDenied");
    const sent = await emu.control.mailbox(TEST.admin);
    expect(sent.map((m) => [m.folder, m.from.address])).toEqual([
      ["sentitems", TEST.admin],
      ["sentitems", TEST.admin],
    ]);

    const withoutScope = await userToken(`${emu.graphUrl}/User.Read`);
    expect((await sendMail("me", withoutScope, message())).json?.error?.code).toBe("ErrorAccessDenied");
  });
});

describe("mailbox pages and control API", () => {
  async function page(path: string): Promise<{ status: number; html: string; headers: Headers }> {
    const res = await fetch(`${emu.loginUrl}${path}`);
    return { status: res.status, html: await res.text(), headers: res.headers };
  }

  it("list mailboxes with counts, a mailbox's messages, and a message with its HTML body sandboxed and everything escaped", async () => {
    grantMailSend();
    const token = await appToken();
    const evil = `<img src=x onerror="alert(1)"><script>alert(2)</script><p>Hello</p>`;
    expect(
      (
        await sendMail(
          OWNER,
          token,
          message({
            subject: "Tenant <Contoso> & co",
            body: { contentType: "HTML", content: evil },
            ccRecipients: [{ emailAddress: { address: TEST.admin } }],
          }),
        )
      ).status,
    ).toBe(202);
    expect(
      (await sendMail(OWNER, token, message({ subject: "Plain <b>text</b>", body: { contentType: "Text", content: "Line 1\n<script>x</script>" } }))).status,
    ).toBe(202);

    const home = await page("/");
    expect(home.html).toContain(`<a href="/mailboxes">Mailboxes</a>`);

    const index = await page("/mailboxes");
    expect(index.status).toBe(200);
    expect(index.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(index.html).toMatch(/<a href="\/mailboxes\/ops%40lakeshore\.example">ops@lakeshore\.example<\/a><\/td><td><\/td><td class="num">2<\/td>/);
    expect(index.html).toMatch(/>admin@contoso-test\.onmicrosoft\.com<\/a><\/td><td>Contoso Admin \(Contoso Test\)<\/td><td class="num">1<\/td>/);
    expect(index.html).toContain("MSP Owner (MSP Test Home)");

    const box = await page("/mailboxes/ops%40lakeshore.example");
    expect(box.status).toBe(200);
    expect(box.html).toContain("Tenant &lt;Contoso&gt; &amp; co");
    expect(box.html).toContain("Plain &lt;b&gt;text&lt;/b&gt;");
    expect(box.html).toContain("MSP Owner");
    expect(box.html.indexOf("Plain &lt;b&gt;")).toBeLessThan(box.html.indexOf("Tenant &lt;Contoso&gt;")); // newest first

    const [plain, html] = await emu.control.mailbox("ops@lakeshore.example");
    const htmlPage = await page(`/mailboxes/ops%40lakeshore.example/messages/${html!.id}`);
    expect(htmlPage.status).toBe(200);
    expect(htmlPage.html).toContain(`<h1>Tenant &lt;Contoso&gt; &amp; co</h1>`);
    expect(htmlPage.html).toContain(
      `<iframe title="Message body" sandbox="" referrerpolicy="no-referrer" srcdoc="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;&lt;p&gt;Hello&lt;/p&gt;"></iframe>`,
    );
    expect(htmlPage.html).not.toContain("<script>");
    expect(htmlPage.html).not.toContain("<img");

    const textPage = await page(`/mailboxes/ops%40lakeshore.example/messages/${plain!.id}`);
    expect(textPage.html).toContain(`<pre aria-label="Message body">Line 1\n&lt;script&gt;x&lt;/script&gt;</pre>`);

    expect((await page(`/mailboxes/ops%40lakeshore.example/messages/nope`)).status).toBe(404);
    expect((await page(`/mailboxes/empty%40lakeshore.example`)).html).toContain("This mailbox is empty.");
  });

  it("clears one mailbox or all of them", async () => {
    grantMailSend();
    const token = await appToken();
    await sendMail(OWNER, token, message({ ccRecipients: [{ emailAddress: { address: TEST.admin } }] }));
    expect(await emu.control.clearMailboxes("ops@lakeshore.example")).toEqual({ removed: 1 });
    expect((await emu.control.mailboxes()).map((b) => b.address)).toEqual([TEST.admin, OWNER]);
    expect(await emu.control.clearMailboxes()).toEqual({ removed: 2 });
    expect(await emu.control.mailboxes()).toEqual([]);
  });

  it("are emptied when the emulator is reset", async () => {
    grantMailSend();
    await sendMail(OWNER, await appToken(), message());
    expect(await emu.control.mailboxes()).toHaveLength(2);
    await emu.control.reset();
    expect(await emu.control.mailboxes()).toEqual([]);
  });
});
