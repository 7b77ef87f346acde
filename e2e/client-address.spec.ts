import { request as httpRequest } from "node:http";
import { expect, test } from "./support/test";
import { baseURL } from "../playwright.config";
import { createAdmin } from "./support/admins";
import { apiClient, createApiToken, expectProblem } from "./support/api";
import { e2eDb } from "./support/db";
import { signIn } from "./support/pages";

/**
 * Issue 13, item 1 and 8, against the real console server (server.ts, no TRUST_PROXY): a client's
 * X-Forwarded-For is not believed, and oversized REST API bodies are refused before anything buffers them.
 */

test("a new X-Forwarded-For value on each attempt neither escapes the sign-in lock nor unlocks a locked account", async ({ page }) => {
  const admin = await createAdmin();
  for (let i = 0; i < 8; i++) {
    await page.setExtraHTTPHeaders({ "X-Forwarded-For": `203.0.113.${i + 1}` });
    await signIn(page, admin, `wrong-${i}`);
    await expect(page.getByRole("main").getByRole("alert")).toBeVisible();
  }
  await page.setExtraHTTPHeaders({ "X-Forwarded-For": "198.51.100.77" });
  await signIn(page, admin);
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Too many failed sign-in attempts");
  await expect(page).toHaveURL(/\/sign-in/);

  // Every failure was recorded from the socket's address, none from a forged one.
  const failures = await e2eDb.auditEvent.findMany({ where: { action: { in: ["auth.sign_in.failed", "auth.sign_in.throttled"] }, actorLabel: admin.email } });
  expect(failures.length).toBeGreaterThanOrEqual(6);
  for (const f of failures) expect(JSON.parse(f.details)).toMatchObject({ address: "127.0.0.1" });
});

test("an API token's last use is recorded from the real address, not a forged X-Forwarded-For", async () => {
  const token = await createApiToken("VIEWER");
  const client = await apiClient(token.token, { "X-Forwarded-For": "203.0.113.50", "X-Real-IP": "203.0.113.51" });
  expect((await client.get("tenants")).status()).toBe(200);
  const row = await e2eDb.apiToken.findUniqueOrThrow({ where: { id: token.id } });
  expect(row.lastUsedFrom).toBe("127.0.0.1");
});

test("an oversized REST API body is refused with 413 before authentication, whatever the token", async () => {
  const anonymous = await apiClient();
  const body = Buffer.alloc(20 * 1024 * 1024, 0x20);
  const refused = await anonymous.post("tenants", { data: body, headers: { "Content-Type": "application/json" } });
  await expectProblem(refused, 413, "payload-too-large");
});

test("a chunked REST API upload without a token is answered 401 without reading it", async () => {
  const url = new URL("/api/v1/tenants", baseURL);
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    // Chunked, no Content-Length; the answer comes while the client is still sending.
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < 32 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
  expect(status).toBe(401);
});
