import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { DEMO_SCENARIO_PATH } from "../emulator/index";
import type { ScenarioInput } from "../emulator/scenario";
import { expect, test, type Browser } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { control, CONSENT_REDIRECT, DEMO, EMULATOR_PORT, GRAPH_PORT, restoreDemoScenario } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { baseURL, EMULATOR2_PORT, GRAPH2_PORT, RECEIVER_PORT } from "./support/ports";
import { configureProviderApp } from "./support/provider";

// Issue 18's "done when": a consent campaign over 20 emulator tenants, emailed through the Graph mail channel
// (sendMail from the MSP's alerts@ mailbox) into the emulator's mailboxes; scripted customers accept,
// cancel, use the wrong directory and try as a non-administrator; the board shows each state; reminders go
// out when the clock is advanced (the tick run at a later `now`, not waited for); a revoked invitation's link
// is refused; the summary counts match.

test.use({ viewport: { width: 1440, height: 1100 } });
test.describe.configure({ mode: "serial" });

const N = 20;
const tag = randomUUID().slice(0, 6);
/** Entra ids of this run's directories and users: `<tag>00-0000-4000-8000-<n>`. */
const guid = (n: number) => `${tag}00-0000-4000-8000-${String(n).padStart(12, "0")}`;
const customers = Array.from({ length: N }, (_, i) => {
  const n = i + 1;
  const domain = `cmp${tag}${n}.onmicrosoft.com`;
  return {
    n,
    entraId: guid(n),
    domain,
    admin: `admin@${domain}`,
    user: `staff@${domain}`,
    name: `Campaign Customer ${String(n).padStart(2, "0")}`,
    customerId: `CMP-${tag}-${String(n).padStart(2, "0")}`,
  };
});
const MAILBOX = "alerts@lakeshoreit.onmicrosoft.com";

function scenario(): ScenarioInput {
  const demo = JSON.parse(readFileSync(DEMO_SCENARIO_PATH, "utf8")) as ScenarioInput & { tenants: unknown[] };
  const extra = customers.map((c) => ({
    id: c.entraId,
    displayName: c.name,
    domains: [{ name: c.domain, isDefault: true, isInitial: true }],
    countryLetterCode: "US",
    users: [
      { id: guid(100 + c.n), userPrincipalName: c.admin, displayName: `${c.name} admin`, password: DEMO.userPassword, roles: ["Global Administrator"] },
      { id: guid(200 + c.n), userPrincipalName: c.user, displayName: `${c.name} staff`, password: DEMO.userPassword },
    ],
  }));
  return { ...demo, tenants: [...demo.tenants, ...extra] } as ScenarioInput;
}

/** The console's alerts and campaigns tick at `at` (e2e/support/notify-tick.ts), as the running console would do then. */
function tickAt(at: Date) {
  const run = spawnSync("npx", ["--no-install", "tsx", "--conditions=react-server", "e2e/support/notify-tick.ts", at.toISOString()], {
    encoding: "utf8",
    env: {
      ...(Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "DATABASE_URL")) as NodeJS.ProcessEnv),
      DATA_DIR: ".data/e2e",
      APP_URL: baseURL,
      OUTBOUND_ALLOW_HOSTS: [EMULATOR_PORT, GRAPH_PORT, EMULATOR2_PORT, GRAPH2_PORT, RECEIVER_PORT].map((p) => `127.0.0.1:${p}`).join(","),
    },
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as { delivered: number };
}

const inbox = async (address: string) => (await control.mailbox(address)).filter((m) => m.folder === "inbox");

/** The consent link in the invitation email (the last one received). */
async function linkFrom(address: string): Promise<string> {
  const [latest] = await inbox(address);
  const m = /https?:\/\/[^\s"<>]+\/consent\/[A-Za-z0-9_-]{43}/.exec(latest!.body.content);
  expect(m, `no consent link in ${address}'s invitation`).not.toBeNull();
  return m![0];
}

/** A customer in a browser of their own: opens the link, continues to Microsoft, signs in as `user` and answers. */
async function customerAnswers(browser: Browser, link: string, user: string, decision: "Accept" | "Cancel" | null) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole("button", { name: "Continue to Microsoft" }).click();
  await page.getByLabel("Email").fill(user);
  await page.getByLabel("Password").fill(DEMO.userPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (decision) await page.getByRole("button", { name: decision }).click();
  await expect(page).toHaveURL(/\/authenticate\/OAuth2Callback\?/);
  const text = await page.locator("body").innerText();
  await context.close();
  return text;
}

test.afterAll(async () => {
  await e2eDb.tenant.deleteMany({ where: { customerId: { startsWith: `CMP-${tag}-` } } });
  await restoreDemoScenario();
});

test("a consent campaign over 20 tenants: emailed, answered, reminded, revoked, counted", async ({ page, browser }, testInfo) => {
  test.setTimeout(300_000);
  await control.loadScenario(scenario());
  await control.setRedirectUris(DEMO.providerClientId, [CONSENT_REDIRECT]);
  await control.clearMailboxes();
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);

  // The Graph mail channel: sendMail as the MSP's alerts@ mailbox with the default registration (Mail.Send in the home tenant).
  const channelId = randomUUID();
  await e2eDb.notificationChannel.create({
    data: {
      id: channelId,
      name: `Invitations ${tag}`,
      kind: "GRAPH_MAIL",
      config: JSON.stringify({ appRegistrationId: "provider", mailbox: MAILBOX, to: ["noc@lakeshoreit.onmicrosoft.com"] }),
    },
  });
  await e2eDb.tenant.createMany({
    data: customers.map((c) => ({
      id: randomUUID(),
      customerId: c.customerId,
      displayName: c.name,
      entraTenantId: c.entraId,
      primaryDomain: c.domain,
      adminEmail: c.admin,
      authMethod: "APP_REGISTRATION" as const,
      cloud: "CUSTOM" as const,
    })),
  });

  // The MSP selects the 20 tenants and sends invitations through the channel.
  await page.goto(`/tenants?q=CMP-${tag}&pageSize=25&sort=customerId`);
  await expect(page.getByRole("row").filter({ hasText: `CMP-${tag}-` })).toHaveCount(N);
  await page.getByRole("checkbox", { name: /Select all/ }).check();
  await page.getByRole("region", { name: "Selected tenants" }).getByRole("button", { name: "Request consent" }).click();
  const dialog = page.getByRole("dialog", { name: "Request consent" });
  await dialog.getByLabel("Campaign name").fill(`Wave ${tag}`);
  await dialog.getByLabel(/Email each tenant/).check();
  await dialog.getByLabel("Email channel").selectOption(channelId);
  await dialog.getByLabel("Reminder days").fill("2, 5");
  await dialog.getByRole("button", { name: "Send invitations" }).click();
  await page.getByRole("dialog").getByRole("link", { name: "Open the campaign" }).click();
  await page.waitForURL(/\/campaigns\/[^/?]+/);
  await expect(page.getByRole("heading", { name: `Wave ${tag}`, exact: true })).toBeVisible();
  const boardUrl = page.url();

  // The console's own tick delivers them: one invitation in each customer admin's mailbox.
  await expect.poll(async () => (await Promise.all(customers.map((c) => inbox(c.admin)))).filter((m) => m.length === 1).length, { timeout: 60_000 }).toBe(N);
  const first = (await inbox(customers[0]!.admin))[0]!;
  expect(first.from.address).toBe(MAILBOX);
  expect(first.subject).toContain(customers[0]!.name);
  const links = new Map<number, string>();
  for (const c of customers) links.set(c.n, await linkFrom(c.admin));

  // Scripted customers: 1–12 accept, 13–14 cancel, 15–16 sign in with another directory's admin, 17–18 as a
  // non-administrator; 19 is revoked by the MSP; 20 never answers.
  // Six customers at a time, each in a browser context of its own.
  const answers: (readonly [(typeof customers)[number], string, "Accept" | "Cancel" | null, RegExp | string])[] = [
    ...customers.slice(0, 12).map((c) => [c, c.admin, "Accept", /Thank you/] as const),
    ...customers.slice(12, 14).map((c) => [c, c.admin, "Cancel", /cancel/i] as const),
    ...customers.slice(14, 16).map((c) => [c, customers[0]!.admin, null, c.domain] as const),
    ...customers.slice(16, 18).map((c) => [c, c.user, null, /Global Administrator/] as const),
  ];
  for (let i = 0; i < answers.length; i += 6)
    await Promise.all(
      answers.slice(i, i + 6).map(async ([c, user, decision, expected]) => {
        const text = await customerAnswers(browser, links.get(c.n)!, user, decision);
        if (typeof expected === "string") expect(text).toContain(expected);
        else expect(text).toMatch(expected);
      }),
    );
  await page.goto(boardUrl);
  const row = (c: (typeof customers)[number]) => page.getByRole("row").filter({ hasText: c.customerId });
  await page.getByRole("button", { name: `Revoke the invitation of ${customers[18]!.customerId}` }).click();
  await page
    .getByRole("dialog", { name: `Revoke the invitation of ${customers[18]!.customerId}?` })
    .getByRole("button", { name: "Revoke invitation" })
    .click();
  await expect(row(customers[18]!)).toContainText("Revoked");

  // Accepted tenants verify (the console confirms each consent), and their invitations close as Verified.
  await expect
    .poll(async () => e2eDb.invitation.count({ where: { campaign: { name: `Wave ${tag}` }, state: "verified" } }), { timeout: 90_000, intervals: [1000] })
    .toBe(12);
  await page.reload();
  for (const c of customers.slice(0, 12)) await expect(row(c)).toContainText("Verified");
  for (const c of customers.slice(12, 14)) await expect(row(c)).toContainText(/Declined[\s\S]*Cancelled/i);
  for (const c of customers.slice(14, 16)) await expect(row(c)).toContainText(/Declined[\s\S]*(directory)/i);
  for (const c of customers.slice(16, 18)) await expect(row(c)).toContainText(/Declined[\s\S]*Global Administrator/);
  await expect(row(customers[19]!)).toContainText("Sent");

  // Reminders: nothing before two days; the first after two days, the second after five, only to those still pending.
  const sentAt = (await e2eDb.invitation.findFirstOrThrow({ where: { tenant: { customerId: customers[19]!.customerId } } })).sentAt!;
  tickAt(new Date(sentAt.getTime() + 36 * 3_600_000));
  expect(await inbox(customers[19]!.admin)).toHaveLength(1);
  tickAt(new Date(sentAt.getTime() + 2 * 86_400_000 + 60_000));
  await expect.poll(async () => (await inbox(customers[19]!.admin)).length).toBe(2);
  expect((await inbox(customers[19]!.admin))[0]!.subject).toMatch(/^Reminder/);
  tickAt(new Date(sentAt.getTime() + 5 * 86_400_000 + 60_000));
  await expect.poll(async () => (await inbox(customers[19]!.admin)).length).toBe(3);
  for (const c of customers.slice(0, 12)) expect(await inbox(c.admin)).toHaveLength(1);
  expect(await inbox(customers[18]!.admin)).toHaveLength(1);

  // The revoked invitation's link is refused.
  await page.goto(links.get(19)!);
  await expect(page.getByRole("heading", { name: "This link is not valid" })).toBeVisible();

  // The summary counts match the rows.
  await page.goto(boardUrl);
  const summary = page.getByRole("region", { name: "Summary" });
  const card = (label: string) => summary.locator("div.card").filter({ hasText: label }).locator("dd").first();
  await expect(card("Invited")).toHaveText(String(N));
  await expect(card("Verified")).toHaveText("12");
  await expect(card("Failed")).toHaveText("6");
  await expect(card("Pending")).toHaveText("1");
  const stored = await e2eDb.invitation.groupBy({ by: ["state"], where: { campaign: { name: `Wave ${tag}` } }, _count: true });
  expect(Object.fromEntries(stored.map((s) => [s.state, s._count]))).toEqual({ verified: 12, declined: 6, revoked: 1, sent: 1 });
  await page.screenshot({ path: testInfo.outputPath("campaign-board.png"), fullPage: true });
});
