import { randomUUID } from "node:crypto";
import { expect, test, type Page, type TestInfo } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb, releaseEntraTenants } from "./support/db";
import { DEMO } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// Settings → Branding as an MSP admin uses it: a template with an unknown placeholder and an SVG logo
// refused with messages that say why, then name, support, custom text and a PNG logo applied with the
// live preview following; the logo served anonymously with safe headers; and the customer's consent page
// showing the MSP, its logo, the permissions and the role needed. A viewer sees the page read-only.

test.use({ viewport: { width: 1440, height: 1000 } });

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** A real PNG logo, drawn by the browser. */
async function drawLogo(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = 360;
    c.height = 96;
    const g = c.getContext("2d")!;
    g.fillStyle = "#0f766e";
    g.beginPath();
    g.arc(48, 48, 40, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = "#ffffff";
    g.font = "bold 44px sans-serif";
    g.fillText("N", 33, 64);
    g.fillStyle = "#0f172a";
    g.font = "600 40px sans-serif";
    g.fillText("Northwind IT", 104, 62);
    return c.toDataURL("image/png");
  });
  return Buffer.from(dataUrl.split(",")[1]!, "base64");
}

test.afterAll(async () => {
  await e2eDb.branding.deleteMany();
});

test("branding: validated, previewed, served, and shown to the customer", async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  await e2eDb.branding.deleteMany();
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);

  await page.goto("/settings/branding");
  await expect(page.getByRole("link", { name: "Branding" })).toHaveAttribute("aria-current", "page");
  const form = page.getByRole("form", { name: "Branding" });
  await expect(form.getByLabel("Invitation text")).toHaveValue(/\{\{link\}\}/);

  // Refusals say what is wrong.
  await form.getByLabel("Invitation subject").fill("Consent for {{company}}");
  await form.getByLabel("Logo").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
  await form.getByRole("button", { name: "Apply Changes" }).click();
  await expect(form.getByText("Check the highlighted fields.")).toBeVisible();
  await expect(form.getByText(/^Unknown placeholder \{\{company\}\}\./)).toBeVisible();
  // The file is judged by its bytes once the fields are valid.
  await form.getByLabel("Invitation subject").fill("Consent for {{customer}}");
  await form.getByRole("button", { name: "Apply Changes" }).click();
  await expect(form.getByText("The logo must be a PNG, JPEG or WebP image (SVG is not accepted).")).toBeVisible();
  expect(await e2eDb.branding.count()).toBe(0);

  // The preview follows the fields.
  await form.getByLabel("MSP name").fill("Northwind IT Services");
  await form.getByLabel("Support email").fill("help@northwind.example");
  await form.getByLabel("Custom text").fill("Northwind never asks for your password. Questions about this request? Call us on +1 425 555 0100.");
  await form.getByLabel("Invitation subject").fill("{{msp}}: please approve access to {{customer}}'s Microsoft 365");
  await form.getByLabel("Logo").setInputFiles({ name: "northwind.png", mimeType: "image/png", buffer: await drawLogo(page) });
  await expect(page.getByTestId("preview-subject")).toHaveText("Northwind IT Services: please approve access to Contoso Ltd's Microsoft 365");
  const email = page.frameLocator('iframe[title="Invitation email (HTML)"]');
  await expect(email.getByRole("link", { name: "Review and grant consent" })).toBeVisible();
  await expect(email.getByText("Northwind IT Services manages Microsoft 365 for Contoso Ltd.")).toBeVisible();
  await expect(page.getByLabel("Invitation email (plain text)")).toContainText("Questions? help@northwind.example");
  await expect(page.getByRole("heading", { name: "Grant Northwind IT Services access to Contoso Ltd" })).toBeVisible();

  await form.getByRole("button", { name: "Apply Changes" }).click();
  await expect(form.getByRole("status")).toContainText("Changes applied: mspName, supportEmail, customText, inviteSubject, logo.");
  const stored = await e2eDb.branding.findUniqueOrThrow({ where: { id: "branding" } });
  expect(stored).toMatchObject({ mspName: "Northwind IT Services", logoType: "image/png", version: 1, inviteText: null });
  const audit = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "branding.updated" }, orderBy: { at: "desc" } });
  expect(JSON.parse(audit.details)).toEqual({ changedFields: ["mspName", "supportEmail", "customText", "inviteSubject", "logo"] });
  await page.reload();
  await expect(page.getByLabel("Remove the logo")).toBeVisible();
  await screenshot(page, testInfo, "settings-branding");

  // The logo: public, typed from its bytes, nothing to sniff or run.
  const logoPath = `/branding/logo?v=${stored.logoUpdatedAt!.getTime()}`;
  const anonymous = await browser.newContext({ ignoreHTTPSErrors: true });
  const logo = await anonymous.request.get(new URL(logoPath, page.url()).toString(), { maxRedirects: 0 });
  expect(logo.status()).toBe(200);
  expect(logo.headers()["content-type"]).toBe("image/png");
  expect(logo.headers()["x-content-type-options"]).toBe("nosniff");
  expect(logo.headers()["content-security-policy"]).toBe("default-src 'none'");
  expect(logo.headers()["cache-control"]).toContain("public");

  // The customer's consent page.
  const id = randomUUID();
  await releaseEntraTenants([DEMO.proseware.id]);
  await e2eDb.tenant.create({
    data: {
      id,
      customerId: `branding-${id.slice(0, 6)}`,
      displayName: "Proseware Architects",
      entraTenantId: DEMO.proseware.id,
      primaryDomain: DEMO.proseware.domain,
      adminEmail: DEMO.proseware.admin,
      authMethod: "APP_REGISTRATION",
      cloud: "CUSTOM",
    },
  });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto(`/tenants/${id}`);
  await page.getByRole("button", { name: "Copy consent link", exact: true }).click();
  await expect(page.getByText("Consent link copied")).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const customer = await anonymous.newPage();
  await customer.goto(link);
  await expect(customer.getByRole("heading", { name: "Grant Northwind IT Services access to Proseware Architects" })).toBeVisible();
  await expect(customer.getByRole("img", { name: "Northwind IT Services logo" })).toBeVisible();
  await expect(customer.getByText("Northwind never asks for your password.")).toBeVisible();
  const appPermissions = customer.getByRole("table", { name: /Application permissions/ });
  await expect(appPermissions.getByRole("rowheader")).not.toHaveCount(0);
  await expect(customer.getByRole("region", { name: "Who can grant it" })).toContainText("Global Administrator or Privileged Role Administrator");
  await expect(customer.getByRole("link", { name: "help@northwind.example" })).toBeVisible();
  await screenshot(customer, testInfo, "consent-page");
  await anonymous.close();
  await e2eDb.tenant.delete({ where: { id } });

  // A viewer sees the branding but cannot change it.
  const viewerContext = await browser.newContext({ ignoreHTTPSErrors: true });
  const viewer = await viewerContext.newPage();
  await signInAndExpectConsole(viewer, await createAdmin("VIEWER"));
  await viewer.goto("/settings/branding");
  await expect(viewer.getByLabel("MSP name")).toHaveValue("Northwind IT Services");
  await expect(viewer.getByLabel("MSP name")).toBeDisabled();
  await expect(viewer.getByRole("button", { name: "Apply Changes" })).toHaveCount(0);
  await viewerContext.close();
});
