import path from "node:path";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { Webhook } from "standardwebhooks";
import { ensureTlsMaterial } from "../emulator/certs";
import { expect, test, type Page, type TestInfo } from "./support/test";
import { startWebhookReceiver, type WebhookReceiver } from "../lib/notify/testing/receivers";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";
import { RECEIVER_PORT } from "./support/ports";

/**
 * Settings → Channels end to end: a webhook channel pointing at this spec's own HTTPS receiver (the emulator's
 * CA, a port the console's OUTBOUND_ALLOW_HOSTS lists), its signing secret shown once, Test with the result
 * next to the button, and the attempts in the delivery log. The receiver verifies every signature.
 */

test.use({ viewport: { width: 1440, height: 1100 } });

let receiver: WebhookReceiver;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver([], { port: RECEIVER_PORT, dataDir: path.resolve(".data/e2e-emulator") });
});
test.afterAll(() => receiver.close());

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const body = await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  await testInfo.attach(name, { body, contentType: "image/png" });
}

test("an administrator adds a webhook channel, tests it and reads the delivery log", async ({ page }, testInfo) => {
  const admin = await createAdmin();
  const name = `PSA webhook ${randomUUID().slice(0, 6)}`;
  await signInAndExpectConsole(page, admin);

  await page.goto("/settings");
  await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: "Channels" }).click();
  await expect(page).toHaveURL(/\/settings\/channels$/);
  await page.getByRole("link", { name: "Add channel" }).click();

  // Refused input is explained on its field.
  const form = page.getByRole("form", { name: "New channel" });
  await page.getByLabel("Kind").selectOption("WEBHOOK");
  await form.getByLabel("Receiver URL").fill("http://psa.example/hook");
  await form.getByRole("button", { name: "Create channel" }).click();
  await expect(form.getByRole("alert")).toHaveText("Check the highlighted fields.");
  await expect(form.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText("Name the channel, e.g. NOC mailbox or PSA webhook.")).toBeVisible();

  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByRole("button", { name: "Create channel" }).click();
  await expect(form.getByText("Use an https:// URL: the console sends notifications over https only.")).toBeVisible();
  await expect(form.getByLabel("Name", { exact: true })).toHaveValue(name);
  await form.getByLabel("Receiver URL").fill(receiver.url);
  await page.getByRole("button", { name: "Create channel" }).click();
  await expect(page.getByText("Copy the signing secret now: this is the only time it is shown.")).toBeVisible();
  const secret = await page.getByLabel("Signing secret").inputValue();
  expect(secret).toMatch(/^whsec_/);
  await page.getByRole("button", { name: "I have configured the receiver, continue" }).click();
  await expect(page.getByRole("heading", { name, level: 2 })).toBeVisible();
  await expect(page.getByText(secret)).toHaveCount(0);

  await page.getByRole("button", { name: "Send test" }).click();
  const result = page.getByRole("status", { name: "Test result" });
  await expect(result).toHaveText(/^Delivered \(HTTP 200, \d+ ms\)\.$/);
  expect(receiver.received).toHaveLength(1);
  const [delivered] = receiver.received;
  expect(new Webhook(secret).verify(delivered!.raw, delivered!.headers)).toMatchObject({ type: "test", data: { channelName: name, severity: "info" } });

  const log = page.getByRole("table", { name: "Delivery attempts, newest first" });
  await expect(log.getByRole("row")).toHaveCount(2);
  await expect(log.getByRole("row").nth(1)).toContainText("Test delivered");
  await expect(log.getByRole("row").nth(1)).toContainText("200");

  receiver.script([503]);
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(result).toHaveText(/^Not delivered \(HTTP 503, \d+ ms\): The receiver answered HTTP 503 Service Unavailable$/);
  await expect(log.getByRole("row")).toHaveCount(3);
  await expect(log.getByRole("row").nth(1)).toContainText("Test failed");
  await expect(log.getByRole("row").nth(1)).toContainText("503");
  await screenshot(page, testInfo, "channel-page");

  await page.getByRole("link", { name: "Channels", exact: true }).first().click();
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("Webhook (Standard Webhooks)");
  await expect(row).toContainText("Test failed");
  await screenshot(page, testInfo, "channels-list");

  await e2eDb.notificationChannel.deleteMany({ where: { name } });
});

test("an SMTP channel's password is write-only: kept when the field is left empty, and the mail still goes out", async ({ page }) => {
  const tls = ensureTlsMaterial(path.resolve(".data/e2e-emulator"));
  const password = `pw-${randomUUID()}`;
  const subjects: string[] = [];
  const smtp = new SMTPServer({
    key: tls.serverKeyPem,
    cert: tls.serverCertPem,
    logger: false,
    onAuth: (auth, _s, cb) =>
      auth.password === password ? cb(null, { user: auth.username }) : cb(Object.assign(new Error("5.7.8 Bad credentials"), { responseCode: 535 })),
    onData: (stream, _s, cb) => {
      simpleParser(stream)
        .then((mail) => {
          subjects.push(mail.subject ?? "");
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
  const port = (smtp.server.address() as AddressInfo).port;
  const name = `NOC mail ${randomUUID().slice(0, 6)}`;
  try {
    await signInAndExpectConsole(page, await createAdmin());
    await page.goto("/settings/channels/new");
    await page.getByLabel("Kind").selectOption("SMTP");
    const form = page.getByRole("form", { name: "New channel" });
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("SMTP host").fill("localhost");
    await form.getByLabel("Port", { exact: true }).fill(String(port));
    await form.getByLabel("Security").selectOption("starttls");
    await form.getByLabel("User", { exact: true }).fill("alerts@msp.example");
    await form.getByLabel("Password").fill(password);
    await form.getByLabel("From", { exact: true }).fill("alerts@msp.example");
    await form.getByLabel("To", { exact: true }).fill("noc@msp.example, oncall@msp.example");
    await form.getByRole("button", { name: "Create channel" }).click();
    await expect(page.getByRole("heading", { name, level: 2 })).toBeVisible();

    const settings = page.getByRole("form", { name: "Settings" });
    await expect(settings.getByLabel("Password")).toHaveValue("");
    await expect(settings.getByLabel("Password")).toHaveAttribute("placeholder", "unchanged");
    await expect(settings.getByText("Stored (password set). Leave empty to keep it.")).toBeVisible();
    expect(await page.content()).not.toContain(password);

    await settings.getByLabel("Port", { exact: true }).fill(String(port));
    await settings.getByLabel("To", { exact: true }).fill("noc@msp.example");
    await settings.getByRole("button", { name: "Save" }).click();
    await expect(settings.getByRole("status")).toHaveText("Saved: to changed.");

    await page.getByRole("button", { name: "Send test" }).click();
    await expect(page.getByRole("status", { name: "Test result" })).toHaveText(/^Delivered \(SMTP 250, \d+ ms\)\.$/);
    expect(subjects).toEqual([`Test message for "${name}"`]);
  } finally {
    await e2eDb.notificationChannel.deleteMany({ where: { name } });
    await new Promise<void>((r) => smtp.close(() => r()));
  }
});
