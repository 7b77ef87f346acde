import { expect, test } from "./support/test";
import { createAdmin } from "./support/admins";
import { signInAndExpectConsole } from "./support/pages";

// Hostile or unusual input gets the console's own answer: never a server error or Next's error page.

const hostileCallbacks: [string, string][] = [
  ["a newline in a path", "/\njavascript:alert(1)"],
  ["a leading newline", "\n/tenants"],
  ["javascript:", "javascript:alert(document.cookie)"],
  ["another origin", "https://evil.example/"],
];

test.describe("sign-in with a hostile callbackUrl", () => {
  for (const [name, callbackUrl] of hostileCallbacks) {
    test(`${name}: the admin lands on the console's home`, async ({ page }) => {
      const admin = await createAdmin();
      const response = await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`);
      expect(response?.status()).toBe(200);
      await page.getByLabel("Email").fill(admin.email);
      await page.getByLabel("Password").fill(admin.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("heading", { name: "Authentication Status" })).toBeVisible();
      expect(new URL(page.url()).pathname).toBe("/tenants");
    });
  }

  test("next-auth's own routes answer it without a server error", async ({ request }) => {
    for (const [, callbackUrl] of hostileCallbacks) {
      for (const route of ["/api/auth/signin", "/api/auth/session", "/api/auth/providers", "/api/auth/csrf"]) {
        const response = await request.get(`${route}?callbackUrl=${encodeURIComponent(callbackUrl)}`, { maxRedirects: 0 });
        expect(response.status(), `${route} with ${JSON.stringify(callbackUrl)}`).toBeLessThan(500);
        expect(response.headers().location ?? "", route).not.toMatch(/javascript:|evil\.example/);
      }
    }
  });
});

test.describe("tenant import files", () => {
  test("a CSV over 10 MB gets the console's message and is not uploaded", async ({ page }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await page.goto("/tenants/import");
    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") posts.push(r.url());
    });
    const header = "customer_id,display_name,tenant,admin_email,auth_method,cloud\r\n";
    const buffer = Buffer.alloc(10 * 1024 * 1024 + 1, "x");
    buffer.write(header);
    const tooLarge = page.getByRole("alert").filter({ hasText: "The file is larger than 10 MB. Split it and import the parts." });
    await page.getByLabel("CSV file").setInputFiles({ name: "huge.csv", mimeType: "text/csv", buffer });
    await expect(tooLarge).toBeVisible();
    await expect(page.getByRole("button", { name: "Check file" })).toBeDisabled();
    expect(posts).toEqual([]);

    await page
      .getByLabel("CSV file")
      .setInputFiles({ name: "small.csv", mimeType: "text/csv", buffer: Buffer.from(`${header}X,Y,not a domain,nope,FAX,GLOBAL\r\n`) });
    await expect(tooLarge).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Check file" })).toBeEnabled();
  });

  test("a UTF-16 CSV with a byte order mark is read like UTF-8", async ({ page }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await page.goto("/tenants/import");
    const id = `U16-${Date.now().toString(36).toUpperCase()}`;
    const text = `customer_id,display_name,tenant,admin_email,auth_method,cloud\r\n${id},Café Zürich,${id.toLowerCase()}.example,it@cafe.example,APP_REGISTRATION,GLOBAL\r\n`;
    await page
      .getByLabel("CSV file")
      .setInputFiles({ name: "unicode.csv", mimeType: "text/csv", buffer: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]) });
    await page.getByRole("button", { name: "Check file" }).click();
    const preview = page.getByRole("region", { name: /Preview/ });
    await expect(preview.getByRole("status")).toContainText("1 rows: 1 ready, 0 with errors.");
    await expect(preview).toContainText("Ready: Café Zürich");
  });
});
