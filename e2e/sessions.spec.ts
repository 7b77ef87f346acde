import { expect, test, type Browser, type BrowserContext, type Page } from "./support/test";
import { createAdmin, type TestAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";

// Issue 13 item 3: signing out, revoking, and the idle and absolute limits end a session on the server,
// so a copy of the session cookie taken earlier stops working too.

/** SESSION_IDLE_MINUTES: the e2e console runs with the default. */
const IDLE_MINUTES = 60;
const SESSION_ENDED = "Your session has ended. Sign in again.";

async function signedIn(browser: Browser, admin: TestAdmin): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAndExpectConsole(page, admin);
  return { context, page };
}

/** Another browser holding a copy of the session cookie, on Settings → Admins (whose buttons run server actions). */
async function copiedSession(browser: Browser, from: BrowserContext): Promise<{ context: BrowserContext; page: Page }> {
  const cookies = (await from.cookies()).filter((c) => c.name.includes("authjs.session-token"));
  expect(cookies.length).toBeGreaterThan(0);
  const context = await browser.newContext();
  await context.addCookies(cookies);
  const page = await context.newPage();
  await page.goto("/settings/admins");
  await expect(page.getByRole("heading", { name: "Admins" })).toBeVisible();
  return { context, page };
}

async function adminId(admin: TestAdmin) {
  return (await e2eDb.adminUser.findUniqueOrThrow({ where: { email: admin.email }, select: { id: true } })).id;
}

async function latestSession(adminId: string) {
  return (await e2eDb.adminSession.findFirstOrThrow({ where: { adminId }, orderBy: { createdAt: "desc" }, select: { id: true } })).id;
}

/** What the copied session sees once its session has ended: no server action runs, no page opens. */
async function expectSessionEnded(page: Page, bystander: TestAdmin) {
  await page.getByRole("button", { name: `Revoke sessions of ${bystander.email}` }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(SESSION_ENDED);
  expect(await e2eDb.auditEvent.count({ where: { action: "admin.sessions_revoked", targetId: await adminId(bystander) } })).toBe(0);
  await page.goto("/tenants");
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
}

test.describe("console sessions end on the server", () => {
  test("signing out with the sidebar button ends the session for a copied cookie too", async ({ browser }) => {
    const [admin, bystander] = [await createAdmin(), await createAdmin()];
    const user = await signedIn(browser, admin);
    const copy = await copiedSession(browser, user.context);

    await user.page.getByRole("button", { name: "Sign out" }).click();
    await expect(user.page).toHaveURL(/\/sign-in/);
    const sessions = await e2eDb.adminSession.findMany({ where: { adminId: await adminId(admin) } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ method: "credentials", revokedReason: "signed_out" });
    expect(await e2eDb.auditEvent.count({ where: { action: "auth.sign_out", actorLabel: admin.email } })).toBe(1);

    await expectSessionEnded(copy.page, bystander);
    await Promise.all([user.context.close(), copy.context.close()]);
  });

  test("signing out on next-auth's own sign-out page (POST /api/auth/signout with its CSRF token) ends it too", async ({ browser }) => {
    const [admin, bystander] = [await createAdmin(), await createAdmin()];
    const user = await signedIn(browser, admin);
    const copy = await copiedSession(browser, user.context);

    await user.page.goto("/api/auth/signout");
    await expect(user.page.getByText("Are you sure you want to sign out?")).toBeVisible();
    const signOut = user.page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/auth/signout");
    await user.page.getByRole("button", { name: "Sign out" }).click();
    expect((await signOut).postDataJSON()).toMatchObject({ csrfToken: expect.any(String) });
    await expect.poll(async () => (await e2eDb.adminSession.findFirst({ where: { adminId: await adminId(admin) } }))?.revokedReason).toBe("signed_out");
    await user.page.goto("/tenants");
    await expect(user.page).toHaveURL(/\/sign-in/);

    await expectSessionEnded(copy.page, bystander);
    await Promise.all([user.context.close(), copy.context.close()]);
  });

  test("Revoke sessions on Settings → Admins ends another browser's session", async ({ browser }) => {
    const [administrator, operator] = [await createAdmin("ADMINISTRATOR"), await createAdmin("OPERATOR")];
    const elsewhere = await signedIn(browser, operator);
    const admins = await signedIn(browser, administrator);

    await admins.page.goto("/settings/admins");
    await admins.page.getByRole("button", { name: `Revoke sessions of ${operator.email}` }).click();
    await expect(admins.page.getByRole("main").getByRole("status")).toHaveText(`Sessions of ${operator.email} revoked.`);
    expect(await e2eDb.adminSession.findMany({ where: { adminId: await adminId(operator) }, select: { revokedReason: true } })).toEqual([
      { revokedReason: "revoked" },
    ]);

    await elsewhere.page.reload();
    await expect(elsewhere.page).toHaveURL(/\/sign-in/);
    // The administrator's own session is untouched.
    await admins.page.goto("/tenants");
    await expect(admins.page.getByText(`Signed in as ${administrator.email}`)).toBeVisible();
    await Promise.all([elsewhere.context.close(), admins.context.close()]);
  });

  test("a session idle for SESSION_IDLE_MINUTES, or past SESSION_MAX_HOURS, has ended", async ({ browser }) => {
    const [admin, bystander] = [await createAdmin(), await createAdmin()];
    const id = await adminId(admin);

    const idle = await signedIn(browser, admin);
    await idle.page.goto("/settings/admins");
    await e2eDb.adminSession.update({ where: { id: await latestSession(id) }, data: { lastSeenAt: new Date(Date.now() - (IDLE_MINUTES + 1) * 60_000) } });
    await expectSessionEnded(idle.page, bystander);

    const old = await signedIn(browser, admin);
    await old.page.goto("/settings/admins");
    await e2eDb.adminSession.update({ where: { id: await latestSession(id) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectSessionEnded(old.page, bystander);
    await Promise.all([idle.context.close(), old.context.close()]);
  });
});
