import { readFile } from "node:fs/promises";
import { expect, test, type Page, type TestInfo } from "./support/test";
import { createAdmin } from "./support/admins";
import { signInAndExpectConsole } from "./support/pages";

// A new admin's path through the Authentication Status console: import tenants from CSV, run Verify All and
// watch it finish, filter to the failures, open one and follow its remediation, Update, Reload All, export.
// The tenants are in the Global cloud, which has no app registration here (the emulator's is Custom): they
// fail fast for a real reason (NO_APP_REGISTRATION, "No app registration for Global"), which still runs
// the whole verification path end to end.

test.use({ timezoneId: "Europe/Amsterdam", viewport: { width: 1440, height: 1000 } });

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

test("a new admin imports tenants, verifies them all, fixes a failure and exports the view", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const admin = await createAdmin();
  const prefix = `E2E${Date.now().toString(36).toUpperCase()}`;
  const ids = [`${prefix}-NORTHWIND`, `${prefix}-CONTOSO`, `${prefix}-FABRIKAM`] as const;
  const header = "customer_id,display_name,tenant,admin_email,auth_method,cloud";
  const good = [
    `${ids[0]},Northwind Traders,${prefix.toLowerCase()}-northwind.onmicrosoft.com,admin@northwind.example,AUTH_TOKEN,GLOBAL`,
    `${ids[1]},Contoso Ltd,${prefix.toLowerCase()}-contoso.onmicrosoft.com,it@contoso.example,auth token,`,
    `${ids[2]},"Fabrikam, Inc.",${prefix.toLowerCase()}-fabrikam.onmicrosoft.com,ops@fabrikam.example,AUTH_TOKEN,GLOBAL`,
  ];

  await signInAndExpectConsole(page, admin);

  // Import: a file with a bad row and a duplicate is previewed with per-row errors and writes nothing.
  await page.getByRole("link", { name: "Import CSV" }).click();
  await expect(page.getByRole("heading", { name: "Import tenants from CSV" })).toBeVisible();
  const fileInput = page.getByLabel("CSV file");
  await fileInput.setInputFiles({
    name: "broken.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      [header, good[0], `${ids[0]},Again,other.example,x@other.example,AUTH_TOKEN,GLOBAL`, `${prefix}-BAD,Bad,not a domain,nope,FAX,GLOBAL`].join("\n"),
    ),
  });
  await page.getByRole("button", { name: "Check file" }).click();
  const preview = page.getByRole("region", { name: /Preview/ });
  await expect(preview.getByRole("status")).toContainText("3 rows: 1 ready, 2 with errors. Nothing has been written yet.");
  await expect(preview).toContainText(`Duplicate: customer id ${ids[0]} is already on line 2.`);
  await expect(preview).toContainText("M365 email: Enter the M365 admin's email address.");
  await expect(page.getByRole("button", { name: /^Import \d+ tenants$/ })).toHaveCount(0);

  await fileInput.setInputFiles({ name: "tenants.csv", mimeType: "text/csv", buffer: Buffer.from(`${[header, ...good].join("\r\n")}\r\n`) });
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(preview.getByRole("status")).toContainText("3 rows: 3 ready, 0 with errors.");
  await page.getByRole("button", { name: "Import 3 tenants" }).click();
  await expect(page.getByRole("heading", { name: "Imported 3 tenants" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the tenants" }).click();
  await expect(page).toHaveURL(/\/tenants\?status=NEVER/);
  for (const id of ids) await expect(page.getByRole("row").filter({ hasText: id })).toContainText("Not verified");

  // Verify All: the live progress panel runs to completion and the rows update.
  await page.goto(`/tenants?q=${prefix}`);
  await page.getByRole("button", { name: "Verify All" }).click();
  const run = page.getByRole("region", { name: "Verification run" });
  await expect(run).toBeVisible();
  await expect(run.getByRole("progressbar", { name: "Verification progress" })).toBeVisible();
  await expect(run.getByRole("heading", { name: /Verification finished/ })).toBeVisible({ timeout: 120_000 });
  await expect(run.getByRole("progressbar")).toHaveAttribute("aria-valuetext", /^(\d+) of \1 tenants checked$/);
  // Failing tenants are the run's findings, not an error: the finished run is a status with its summary.
  // (The run's panel, which stays; its toast says the same but leaves after a few seconds.)
  await expect(page.getByRole("region", { name: "Verification run" })).toContainText("Verification finished");
  await expect(page.getByTestId("run-summary")).toContainText(/\d+ newly failed/);
  await expect(page.getByRole("alert").filter({ hasText: "Verification" })).toHaveCount(0);
  for (const id of ids) await expect(page.getByRole("row").filter({ hasText: id })).toContainText("Failed");

  // Filter to the failures with the summary count; the filter is in the URL.
  await page.getByRole("button", { name: /^Failed: / }).click();
  await expect(page).toHaveURL(/status=FAILED/);
  await expect(page.getByRole("button", { name: /^Failed: / })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("row").filter({ hasText: prefix })).toHaveCount(3);
  // The status is the details' toggle.
  await page.getByRole("row").filter({ hasText: ids[0]! }).getByRole("button", { name: "Failed", exact: true }).click();
  await expect(page.getByRole("heading", { name: "What to do" })).toBeVisible();
  await screenshot(page, testInfo, "tenants-page");

  // Open a failed tenant and follow its remediation.
  await page.getByRole("table").getByRole("link", { name: ids[0], exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(ids[0]);
  await expect(page.getByRole("heading", { name: "No app registration for this cloud" })).toBeVisible();
  await expect(page.getByText("No app registration for Global").first()).toBeVisible();
  await expect(page.getByText("Add an app registration for the tenant's cloud on Settings → App registrations")).toBeVisible();
  await expect(page.getByRole("region", { name: "Verification history" }).getByRole("row")).toHaveCount(2);
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: `${ids[0]}: No app registration for Global` })).toBeVisible();
  await expect(page.getByRole("region", { name: "Verification history" }).getByRole("row")).toHaveCount(3);
  await expect(page.getByRole("region", { name: "Audit trail" })).toContainText("tenant.verified");
  await screenshot(page, testInfo, "tenant-page");
  await page.getByRole("link", { name: "Fix: add an app registration" }).click();
  await expect(page).toHaveURL(/\/settings\/provider\/new\?cloud=GLOBAL/);
  await expect(page.getByLabel("Cloud")).toHaveValue("GLOBAL");

  // Search from the table: part of one tenant's domain, in another case, finds that tenant only, and the
  // counts follow; operators and wildcards a person types are text, so this one matches nothing.
  await page.goto("/tenants");
  await page.getByLabel("Search tenants").fill(`${prefix.toLowerCase()}-CONTOSO.ONMICRO`);
  await expect(page).toHaveURL(/q=/);
  await expect(page.getByRole("row").filter({ hasText: ids[1] })).toContainText("Contoso Ltd");
  await expect(page.getByRole("row").filter({ hasText: prefix })).toHaveCount(1);
  await expect(page.getByRole("button", { name: "All tenants: 1" })).toBeVisible();
  await page.getByLabel("Search tenants").fill(`${prefix} OR %`);
  await expect(page.getByText("No tenants match this view")).toBeVisible();
  await expect(page.getByRole("button", { name: "All tenants: 0" })).toBeVisible();

  // Update re-reads the table; Reload All refreshes reachable tenants (none yet) and reloads it.
  await page.goto(`/tenants?q=${prefix}`);
  await page.getByRole("button", { name: "Update" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Table updated" })).toBeVisible();
  await page.getByRole("button", { name: "Reload All" }).click();
  await expect(page.getByRole("region", { name: "Reload All" })).toContainText("Directory details reloaded");

  // Export the filtered view as CSV.
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^tenants-view-\d+\.csv$/);
  const csv = await readFile((await download.path())!, "utf8");
  const lines = csv
    .replace(/^\ufeff/, "")
    .trim()
    .split("\r\n");
  expect(lines[0]).toBe(
    "customer_id,display_name,entra_tenant_id,primary_domain,admin_email,auth_method,cloud,app_registration,last_status,last_status_code,last_status_message,last_verified_at,access_breaks_at,tags",
  );
  expect(lines).toHaveLength(4);
  expect(csv).toContain(`${ids[2]},"Fabrikam, Inc.",`);
  expect(csv).toContain(",AUTH_TOKEN,GLOBAL,,FAILED,NO_APP_REGISTRATION,No app registration for Global,");
});
