import { readFile } from "node:fs/promises";
import { expect, test } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";

// Issue 20 item 2: the audit log filters by action and actor, keeps them in the URL (a reload shows the
// same view), and exports exactly the filtered rows as CSV.

test("filter the audit log by action and actor; the URL keeps it; the export holds the filtered rows", async ({ page }) => {
  const lead = await createAdmin();
  await signInAndExpectConsole(page, lead);
  // Another audited action by lead, which the action filter leaves out.
  const bystander = await createAdmin();
  await page.goto("/settings/admins");
  await page.getByRole("button", { name: `Revoke sessions of ${bystander.email}` }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText("revoked");
  await page.goto(`/audit?actor=${encodeURIComponent(lead.email)}`);
  await expect(page.getByRole("table", { name: "Audit events" }).locator("tbody tr")).toHaveCount(2);

  await page.getByLabel("Actor").fill(lead.email);
  await page.getByLabel("Action").selectOption(["auth.sign_in.succeeded", "tag.created"]);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/actor=/);
  const url = new URL(page.url());
  expect(url.searchParams.get("actor")).toBe(lead.email);
  expect(url.searchParams.getAll("action")).toEqual(["auth.sign_in.succeeded", "tag.created"]);

  const rows = page.getByRole("table", { name: "Audit events" }).locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("auth.sign_in.succeeded");
  await expect(rows.first()).toContainText(lead.email);
  await page.screenshot({ path: "test-results/audit.png", fullPage: true });

  // The URL alone gives the same view.
  await page.goto(page.url());
  await expect(page.getByLabel("Actor")).toHaveValue(lead.email);
  await expect(rows).toHaveCount(1);

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const csv = (await readFile(file!, "utf8"))
    .replace(/^\ufeff/, "")
    .trim()
    .split("\r\n");
  expect(csv[0]).toBe("time_utc,action,actor_type,actor,target_type,target_id,request_id,details_json");
  expect(csv).toHaveLength(2);
  expect(csv[1]).toContain(`,auth.sign_in.succeeded,admin,${lead.email},`);
  expect(await e2eDb.auditEvent.count({ where: { actorLabel: lead.email, action: { in: ["auth.sign_in.succeeded", "tag.created"] } } })).toBe(1);
});
