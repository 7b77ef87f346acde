import { expect, test } from "./support/test";
import { randomUUID } from "node:crypto";
import { createAdmin } from "./support/admins";
import { e2eDb, releaseEntraTenants } from "./support/db";
import { DEMO } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// The Authentication Status console against the emulator: Verify All finds working and failing tenants,
// the admin follows a failed tenant's remediation (consent link → customer consents → verified),
// Test the connection shows Graph's answer, and Reload All refreshes directory details from Graph.
test("from Verify All to a failed tenant fixed by its customer's consent, with Test the connection and Reload All", async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const prefix = `emu${randomUUID().slice(0, 6)}`;
  const seed = async (suffix: string, name: string, tenantId: string, domain: string, admin: string) => {
    const id = randomUUID();
    await releaseEntraTenants([tenantId]);
    await e2eDb.tenant.create({
      data: {
        id,
        customerId: `${prefix}-${suffix}`,
        displayName: `${name} (old name)`,
        entraTenantId: tenantId,
        primaryDomain: domain,
        adminEmail: admin,
        authMethod: "APP_REGISTRATION",
        cloud: "CUSTOM",
      },
    });
    return { id, customerId: `${prefix}-${suffix}` };
  };
  const contoso = await seed("contoso", "Contoso Dental", DEMO.contoso.id, DEMO.contoso.domain, DEMO.contoso.admin);
  const proseware = await seed("proseware", "Proseware Architects", DEMO.proseware.id, DEMO.proseware.domain, DEMO.proseware.admin);

  await page.goto(`/tenants?q=${prefix}`);
  await page.getByRole("button", { name: "Verify All" }).click();
  const run = page.getByRole("region", { name: "Verification run" });
  await expect(run.getByRole("heading", { name: /Verification finished/ })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole("row").filter({ hasText: contoso.customerId })).toContainText("Verified");
  await expect(page.getByRole("row").filter({ hasText: proseware.customerId })).toContainText("Failed");

  // Filter to failures and open the failed tenant.
  await page.getByRole("button", { name: /^Failed: / }).click();
  await expect(page.getByRole("row").filter({ hasText: prefix })).toHaveCount(1);
  await page.getByRole("table").getByRole("link", { name: proseware.customerId, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(proseware.customerId);

  // Its remediation: send the consent link; the customer's admin consents on Microsoft's pages.
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByRole("button", { name: "Fix: copy consent link" }).click();
  await expect(page.getByText("Consent link copied")).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const customer = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  await customer.goto(link);
  await customer.getByRole("button", { name: "Continue to Microsoft" }).click();
  await customer.getByLabel("Email").fill(DEMO.proseware.admin);
  await customer.getByLabel("Password").fill(DEMO.userPassword);
  await customer.getByRole("button", { name: "Sign in" }).click();
  await customer.getByRole("button", { name: "Accept" }).click();
  await expect(customer.getByRole("heading", { name: "Thank you: consent was granted" })).toBeVisible();
  await customer.context().close();

  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Verified");

  // Test the connection: Graph's organization, users and granted permissions.
  await page.getByRole("button", { name: "Test the connection" }).click();
  const connection = page.getByRole("region", { name: "Test the connection" });
  await expect(connection).toContainText("Proseware Architects");
  await expect(connection).toContainText("Organization.Read.All");
  await testInfo.attach("tenant-page-verified", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

  // Reload All refreshes directory details (organization name) from Graph for every reachable tenant.
  await page.goto(`/tenants?q=${prefix}`);
  const reloadAll = page.getByRole("button", { name: "Reload All" });
  await reloadAll.click();
  await expect(page.getByRole("region", { name: "Reload All" })).toContainText("Directory details reloaded", { timeout: 60_000 });
  // Finished means usable again, without dismissing the panel first.
  await expect(reloadAll).toBeEnabled();
  await expect(reloadAll).not.toHaveAttribute("aria-busy", "true");
  await expect(page.getByRole("row").filter({ hasText: contoso.customerId })).toContainText("Contoso Dental");
  await expect(page.getByRole("row").filter({ hasText: contoso.customerId })).not.toContainText("(old name)");
  expect((await e2eDb.tenant.findUniqueOrThrow({ where: { id: proseware.id } })).displayName).toBe("Proseware Architects");
});

// Reload All is a database row: a job started on another console instance shows here with its
// progress, and when that instance stops renewing its heartbeat this one finishes the job.
test("a Reload All left by a stopped console instance is shown and finished here", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const prefix = `rel${randomUUID().slice(0, 6)}`;
  await releaseEntraTenants([DEMO.proseware.id]);
  const tenant = await e2eDb.tenant.create({
    data: {
      id: randomUUID(),
      customerId: `${prefix}-proseware`,
      displayName: "Proseware (old name)",
      entraTenantId: DEMO.proseware.id,
      primaryDomain: DEMO.proseware.domain,
      adminEmail: DEMO.proseware.admin,
      authMethod: "APP_REGISTRATION",
      cloud: "CUSTOM",
      lastStatus: "VERIFIED",
    },
  });
  const total = await e2eDb.tenant.count({ where: { lastStatus: { in: ["VERIFIED", "WARNING"] } } });
  // The other instance started the job 10 s ago and has not renewed its heartbeat since (stale after 15 s).
  const job = await e2eDb.jobRun.create({
    data: {
      id: randomUUID(),
      kind: "reload-directory",
      status: "RUNNING",
      activeSlot: "reload-directory",
      trigger: "manual",
      requestedBy: "ops@msp.example",
      total,
      concurrency: 8,
      startedAt: new Date(Date.now() - 10_000),
      heartbeatAt: new Date(Date.now() - 10_000),
      ownerId: "other-host:4242:stopped",
    },
  });
  try {
    await page.goto(`/tenants?q=${prefix}`);
    const region = page.getByRole("region", { name: "Reload All" });
    await expect(region).toContainText("Reloading directory details");
    await expect(region).toContainText(`of ${total.toLocaleString("en-US")} reachable tenants`);
    await expect(region).toContainText("Directory details reloaded", { timeout: 60_000 });
    await expect(page.getByRole("button", { name: "Reload All" })).toBeEnabled();
    await expect(page.getByRole("row").filter({ hasText: tenant.customerId })).toContainText("Proseware Architects");
    const finished = await e2eDb.jobRun.findUniqueOrThrow({ where: { id: job.id } });
    expect(finished).toMatchObject({ status: "COMPLETED", activeSlot: null });
    expect(finished.ok + finished.failed).toBe(total);
    expect(finished.ownerId).not.toBe("other-host:4242:stopped");
  } finally {
    await e2eDb.jobRun.updateMany({ where: { id: job.id, status: "RUNNING" }, data: { status: "CANCELLED", activeSlot: null } });
  }
});

// A finished Verify All with failures is a summary of what changed, not an error: N verified, newly
// failed, recovered, still failing, blocked; the toast is a status, and the counts are the run's stored ones.
test("a finished Verify All shows its summary of status changes and no error toast", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const prefix = `sum${randomUUID().slice(0, 6)}`;
  type Customer = { id: string; domain: string; admin: string };
  const seed = async (suffix: string, customer: Customer, before: { lastStatus: "NEVER" | "FAILED"; lastStatusCode?: string }) => {
    await releaseEntraTenants([customer.id]);
    await e2eDb.tenant.create({
      data: {
        id: randomUUID(),
        customerId: `${prefix}-${suffix}`,
        displayName: suffix,
        entraTenantId: customer.id,
        primaryDomain: customer.domain,
        adminEmail: customer.admin,
        authMethod: "APP_REGISTRATION",
        cloud: "CUSTOM",
        ...before,
      },
    });
  };
  // Contoso and Fabrikam Legal work; tenants Entra does not know fail: one new tenant of each kind, one of each that failed before.
  const unknown = (n: number): Customer => ({ id: randomUUID(), domain: `${prefix}-${n}.example`, admin: `admin@${prefix}-${n}.example` });
  await seed("new-ok", DEMO.contoso, { lastStatus: "NEVER" });
  await seed("recovers", DEMO.fabrikamLegal, { lastStatus: "FAILED", lastStatusCode: "APP_NOT_IN_TENANT" });
  await seed("new-fail", unknown(1), { lastStatus: "NEVER" });
  await seed("still-fails", unknown(2), { lastStatus: "FAILED", lastStatusCode: "TENANT_NOT_FOUND" });

  await page.goto(`/tenants?q=${prefix}`);
  await page.getByRole("button", { name: "Verify All" }).click();
  const run = page.getByRole("region", { name: "Verification run" });
  await expect(run.getByRole("heading", { name: /Verification finished/ })).toBeVisible({ timeout: 120_000 });

  const stored = await e2eDb.jobRun.findFirstOrThrow({ where: { kind: "verify", status: "COMPLETED", scope: null }, orderBy: { startedAt: "desc" } });
  expect(stored.summaryRecovered).toBeGreaterThanOrEqual(1);
  expect(stored.summaryStillFailing).toBeGreaterThanOrEqual(1);
  expect(stored.summaryNewlyFailed).toBeGreaterThanOrEqual(1);
  const fmt = (n: number) => n.toLocaleString("en-US");
  const summary = run.getByTestId("run-summary");
  await expect(summary).toContainText(
    `Summary: ${fmt(stored.summaryVerified)} verified · ${fmt(stored.summaryNewlyFailed)} newly failed · ${fmt(stored.summaryRecovered)} recovered · ${fmt(stored.summaryStillFailing)} still failing · ${fmt(stored.summaryBlocked)} blocked`,
  );
  expect(
    stored.summaryVerified + stored.summaryRecovered + stored.summaryNewlyFailed + stored.summaryStillFailing + stored.summaryBlocked + stored.summaryRetrying,
  ).toBe(stored.ok + stored.warnings + stored.failed);

  // The toast tells the same summary as a status; nothing is announced as an error.
  const notifications = page.getByRole("region", { name: "Notifications" });
  await expect(notifications.getByRole("status").filter({ hasText: "Verification finished" })).toContainText(`${fmt(stored.summaryRecovered)} recovered`);
  await expect(notifications.getByRole("alert")).toHaveCount(0);
  await expect(run.getByText("ETA")).toBeVisible();
  const shot = await page.screenshot({ path: "test-results/verify-all-summary.png" });
  await testInfo.attach("verify-all-summary", { body: shot, contentType: "image/png" });
});
