import { randomUUID } from "node:crypto";
import { spawnSync } from "node:child_process";
import { createSelfSignedCertificate } from "../emulator/certs";
import { baseURL } from "../playwright.config";
import { expect, test } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb, releaseEntraTenants } from "./support/db";
import { control, DEMO, emulator, restoreDemoScenario } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { EMULATOR2_PORT, EMULATOR_PORT, GRAPH2_PORT, GRAPH_PORT, RECEIVER_PORT } from "./support/ports";
import { configureProviderApp } from "./support/provider";

// Issue 19: "Rotate secret now" on the registration's settings page. The demo provider app holds no
// Graph permission to manage its own secrets, so the rotation is refused with the reason, and nothing
// (the stored secret, the app's secrets in Entra) changes. Granted the permission, a rotation runs to
// its end: the console's own tick (every ROTATION_TICK_SECONDS) takes it through acceptance, the canary
// and the switch; the grace period's end is reached by ticking at a later moment (e2e/support/rotation-tick.ts).

const HOUR = 3_600_000;

/** The console's rotation tick at `at`, as the running console would run it then. */
function rotationTickAt(at: Date) {
  const run = spawnSync("npx", ["--no-install", "tsx", "--conditions=react-server", "e2e/support/rotation-tick.ts", at.toISOString()], {
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
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as { advanced: number };
}

test("Rotate secret now explains a missing Graph permission and changes nothing", async ({ page }, testInfo) => {
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const before = await e2eDb.appRegistration.findUniqueOrThrow({ where: { id: "provider" }, select: { clientSecret: true, version: true } });

  const panel = page.getByRole("region", { name: "Secret rotation" });
  await expect(panel).toContainText("not been rotated by the console yet");
  await panel.getByRole("button", { name: "Rotate secret now" }).click();
  const dialog = page.getByRole("dialog", { name: /Rotate the secret of/ });
  await expect(dialog.getByLabel("Create it through Microsoft Graph")).toBeChecked();
  await dialog.getByRole("button", { name: "Start rotation" }).click();
  await expect(dialog.getByRole("alert")).toContainText("Application.ReadWrite.OwnedBy");
  await expect(dialog.getByRole("alert")).toContainText("Nothing was changed.");
  await page.screenshot({ path: testInfo.outputPath("rotation-refused.png"), fullPage: true });

  await dialog.getByLabel("Paste a secret created in the Entra admin center").check();
  await expect(dialog.getByRole("button", { name: "Start rotation" })).toBeDisabled();
  await dialog.getByRole("button", { name: "Cancel" }).click();

  expect(await e2eDb.appRegistration.findUniqueOrThrow({ where: { id: "provider" }, select: { clientSecret: true, version: true } })).toEqual(before);
  expect(await e2eDb.secretRotation.count({ where: { appRegistrationId: "provider", state: { in: ["accepting", "canary", "grace"] } } })).toBe(0);
});

test("Rotate secret now runs to completion: accepted, canary, switched, the old secret removed after the grace period", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const name = `Rotation ${randomUUID().slice(0, 6)}`;
  try {
    // A registration of the demo app of its own, chosen by one tenant only, so the canary is that tenant.
    await page.goto("/settings/provider/new");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Use as the default registration").uncheck();
    await page.getByLabel("Cloud").selectOption("CUSTOM");
    await page.getByLabel("Client ID").fill(DEMO.providerClientId);
    await page.getByLabel("Client Secret").fill(DEMO.providerSecret);
    await page.getByLabel("Redirect URL").fill(`${baseURL}/authenticate/OAuth2Callback`);
    await page.getByLabel("Home tenant").fill(DEMO.homeTenantId);
    await page.getByLabel("Authority host").fill(emulator.authorityHost);
    await page.getByLabel("Graph host").fill(emulator.graphHost);
    await page.getByLabel("Required application permissions").fill("Organization.Read.All User.Read.All");
    await page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(page.getByRole("heading", { name: `App registration: ${name}` })).toBeVisible();
    const registration = await e2eDb.appRegistration.findFirstOrThrow({ where: { name } });
    await releaseEntraTenants([DEMO.contoso.id]);
    await e2eDb.tenant.create({
      data: {
        id: randomUUID(),
        customerId: `rot-${registration.id.slice(0, 8)}`,
        displayName: "Contoso Dental (rotation canary)",
        entraTenantId: DEMO.contoso.id,
        adminEmail: DEMO.contoso.admin,
        authMethod: "APP_REGISTRATION",
        cloud: "CUSTOM",
        appRegistrationId: registration.id,
        lastStatus: "VERIFIED",
        lastStatusCode: "VERIFIED",
        lastVerifiedAt: new Date(),
      },
    });
    // The home tenant's administrator grants the app the permission to manage its own secrets.
    await control.grantConsent(DEMO.homeTenantId, DEMO.providerClientId, {
      applicationPermissions: ["Application.Read.All", "Organization.Read.All", "Mail.Send", "Application.ReadWrite.OwnedBy"],
    });

    const panel = page.getByRole("region", { name: "Secret rotation" });
    await panel.getByRole("button", { name: "Rotate secret now" }).click();
    const dialog = page.getByRole("dialog", { name: `Rotate the secret of ${name}` });
    await dialog.getByRole("button", { name: "Start rotation" }).click();
    await expect(dialog).toBeHidden();
    const history = panel.getByRole("list", { name: "Rotation history" });
    await expect(history.locator(":scope > li")).toHaveCount(1);
    // The console's tick takes it through acceptance, the canary and the switch.
    await expect(async () => {
      await page.reload();
      await expect(panel).toContainText("Switched; the old secret is kept until the grace period ends", { timeout: 1_000 });
    }).toPass({ timeout: 60_000 });
    const timeline = panel.getByRole("list", { name: "Rotation timeline" });
    await expect(timeline).toContainText(/New secret .{3}… created through Microsoft Graph \(addPassword\)\./);
    await expect(timeline).toContainText("Microsoft accepts the new secret");
    await expect(timeline).toContainText("Canary passed: 1 tenant(s) verified with the new secret (CUSTOM/APP_REGISTRATION).");
    await expect(timeline).toContainText("every tenant uses it from now on");
    await expect(timeline).toContainText(`The old secret ${DEMO.providerSecret.slice(0, 3)}… stays in Entra until`);
    const switched = await e2eDb.appRegistration.findUniqueOrThrow({ where: { id: registration.id } });
    expect(switched.clientSecretHint).not.toBe(DEMO.providerSecret.slice(0, 3));
    expect(switched.version).toBe(registration.version + 1);
    await page.screenshot({ path: testInfo.outputPath("rotation-grace.png"), fullPage: true });

    // The new secret is the one in use: Test gets a token with it.
    await page.getByRole("button", { name: "Test" }).click();
    await expect(page.getByRole("status", { name: "Test result" })).toContainText(`Test passed: a token was issued for tenant ${DEMO.homeTenantId}`);

    // Past the grace period (ROTATION_GRACE_MINUTES, 120 by default) the old secret is removed from Entra.
    expect(rotationTickAt(new Date(Date.now() + 3 * HOUR)).advanced).toBeGreaterThanOrEqual(1);
    await page.reload();
    await expect(panel).toContainText("Completed");
    await expect(timeline).toContainText(`The old secret ${DEMO.providerSecret.slice(0, 3)}… was removed from Entra.`);
    await expect(timeline).toContainText("Rotation complete.");
    await page.screenshot({ path: testInfo.outputPath("rotation-completed.png"), fullPage: true });

    // The default registration still holds the old secret, which Entra no longer knows: its Test says so.
    await page.goto("/settings/provider");
    await page.getByRole("button", { name: "Test" }).click();
    await expect(page.getByRole("status", { name: "Test result" })).toContainText("Invalid client secret");
  } finally {
    await restoreDemoScenario();
  }
});

test("Certificate rollover: the new certificate overlaps the old one until the switch, which waits for Entra; then the old one is removed", async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const name = `Certificate ${randomUUID().slice(0, 6)}`;
  const oldCert = createSelfSignedCertificate("MSP console 2026");
  const newCert = createSelfSignedCertificate("MSP console 2027", { days: 730 });
  const pem = (c: typeof oldCert, file: string) => ({ name: file, mimeType: "application/x-pem-file", buffer: Buffer.from(`${c.keyPem}\n${c.certPem}`) });
  try {
    await control.addCertificate(DEMO.providerClientId, oldCert.certPem);
    await page.goto("/settings/provider/new");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Use as the default registration").uncheck();
    await page.getByLabel("Cloud").selectOption("CUSTOM");
    await page.getByLabel("Client ID").fill(DEMO.providerClientId);
    await page.getByLabel("Certificate file").setInputFiles(pem(oldCert, "old.pem"));
    await page.getByLabel("Redirect URL").fill(`${baseURL}/authenticate/OAuth2Callback`);
    await page.getByLabel("Home tenant").fill(DEMO.homeTenantId);
    await page.getByLabel("Authority host").fill(emulator.authorityHost);
    await page.getByLabel("Graph host").fill(emulator.graphHost);
    await page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(page.getByRole("heading", { name: `App registration: ${name}` })).toBeVisible();

    const panel = page.getByRole("region", { name: "Certificate rollover" });
    await expect(panel).toContainText(oldCert.thumbprintSha1);
    await panel.getByLabel("New certificate (.pfx, or PEM with the private key)").setInputFiles(pem(newCert, "new.pem"));
    await panel.getByRole("button", { name: "Upload as standby" }).click();
    await expect(panel).toContainText(`${newCert.thumbprintSha1}`);
    await expect(panel).toContainText("new, not used until you switch");
    await expect(panel.getByRole("button", { name: "Rotate to it with a canary" })).toBeVisible();
    const registration = await e2eDb.appRegistration.findFirstOrThrow({ where: { name } });
    expect(registration).toMatchObject({ certificateThumbprint: oldCert.thumbprintSha1, standbyCertificateThumbprint: newCert.thumbprintSha1 });

    // Entra does not know the new certificate yet: the switch says what to do, and nothing changes.
    await panel.getByRole("button", { name: "Switch to the new certificate" }).click();
    await expect(panel.getByRole("alert")).toContainText("Microsoft does not accept the standby certificate");
    await expect(panel.getByRole("alert")).toContainText("Nothing was changed.");
    await page.screenshot({ path: testInfo.outputPath("certificate-standby.png"), fullPage: true });
    expect((await e2eDb.appRegistration.findUniqueOrThrow({ where: { id: registration.id } })).certificateThumbprint).toBe(oldCert.thumbprintSha1);

    // The administrator uploads its public key to the app in Entra; the switch goes through.
    await control.addCertificate(DEMO.providerClientId, newCert.certPem);
    await panel.getByRole("button", { name: "Switch to the new certificate" }).click();
    await expect(panel.getByRole("status")).toContainText("Switched: every tenant uses the new certificate from now on.");
    await expect(panel).toContainText(/no longer used/);
    const switched = await e2eDb.appRegistration.findUniqueOrThrow({ where: { id: registration.id } });
    expect(switched).toMatchObject({ certificateThumbprint: newCert.thumbprintSha1, standbyCertificateThumbprint: oldCert.thumbprintSha1 });
    await page.getByRole("button", { name: "Test" }).click();
    await expect(page.getByRole("status", { name: "Test result" })).toContainText(`Test passed: a token was issued for tenant ${DEMO.homeTenantId}`);

    await panel.getByRole("button", { name: "Remove the old certificate" }).click();
    await expect(panel.getByRole("status")).toContainText("Standby certificate removed.");
    await expect(panel).not.toContainText(oldCert.thumbprintSha1);
    await page.screenshot({ path: testInfo.outputPath("certificate-switched.png"), fullPage: true });
    expect((await e2eDb.appRegistration.findUniqueOrThrow({ where: { id: registration.id } })).standbyCertificate).toBeNull();
  } finally {
    await restoreDemoScenario();
  }
});
