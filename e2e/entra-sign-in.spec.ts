import { readFileSync } from "node:fs";
import { expect, test, type Browser, type Page } from "./support/test";
import { createSelfSignedCertificate } from "../emulator/certs";
import { DEMO_SCENARIO_PATH } from "../emulator/index";
import { baseURL } from "../playwright.config";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { control, DEMO, DEMO_API, emulator, restoreDemoScenario } from "./support/emulator";
import { configureProviderApp } from "./support/provider";
import { signInAndExpectConsole } from "./support/pages";

// Seed 001 end to end: settings, sign-in with Microsoft through the emulator, roles from group membership.
const GROUPS = {
  admins: "e0000000-0000-4000-8000-00000000000a",
  operators: "e0000000-0000-4000-8000-00000000000b",
  viewers: "e0000000-0000-4000-8000-00000000000c",
  unmapped: "e0000000-0000-4000-8000-00000000000d",
};
const USERS = {
  owner: "owner@lakeshoreit.onmicrosoft.com",
  tech: "tech@lakeshoreit.onmicrosoft.com",
  viewer: "viewer@lakeshoreit.onmicrosoft.com",
  nogroup: "nogroup@lakeshoreit.onmicrosoft.com",
};
const CONSENT_REDIRECT = `${baseURL}/authenticate/OAuth2Callback`;
const ENTRA_CALLBACK = `${baseURL}/api/auth/callback/entra`;
const certificate = createSelfSignedCertificate("tac-entra-sign-in-e2e");

type Json = Record<string, unknown>;

/** The demo scenario plus groups in the MSP's own tenant and the sign-in certificate on the provider app. */
function scenario(): Json {
  const demo = JSON.parse(readFileSync(DEMO_SCENARIO_PATH, "utf8")) as Json & { providerApp: Json; tenants: Json[] };
  const home = demo.tenants.find((t) => t.id === DEMO.homeTenantId) as Json & { users: Json[]; consents: Json[] };
  const member = (upn: string, group: string) => {
    const existing = home.users.find((u) => u.userPrincipalName === upn);
    if (existing) existing.groups = [group];
    else
      home.users.push({
        id: `d1000000-0000-4000-8000-0000000000${group.slice(-2)}`,
        userPrincipalName: upn,
        displayName: upn.split("@")[0],
        password: DEMO.userPassword,
        groups: [group],
      });
  };
  home.groups = Object.entries(GROUPS).map(([name, id]) => ({ id, displayName: `TAC ${name}` }));
  member(USERS.owner, GROUPS.admins);
  member(USERS.tech, GROUPS.operators);
  member(USERS.viewer, GROUPS.viewers);
  member(USERS.nogroup, GROUPS.unmapped);
  // The console re-reads groups with an app-only token once the group cache has expired.
  const consent = home.consents.find((c) => c.clientId === DEMO.providerClientId) as { applicationPermissions: string[] };
  consent.applicationPermissions = [...consent.applicationPermissions, "GroupMember.Read.All"];
  demo.providerApp.certificates = [{ certPem: certificate.certPem, endDateTime: "2099-01-01T00:00:00Z" }];
  demo.providerApp.redirectUris = [CONSENT_REDIRECT, ENTRA_CALLBACK];
  return demo;
}

type ProviderRow = Awaited<ReturnType<typeof e2eDb.appRegistration.findUnique>>;

/** Leaves the shared singletons (provider app, Entra settings, emulator directory) as the spec found them. */
async function restoreDefaults(provider: ProviderRow) {
  await e2eDb.entraAuthSettings.deleteMany({});
  await e2eDb.entraGroupRole.deleteMany({});
  await e2eDb.appRegistration.deleteMany({});
  if (provider) await e2eDb.appRegistration.create({ data: provider });
  await restoreDemoScenario();
}

async function signInWithMicrosoft(page: Page, upn: string) {
  await control.armInteraction({ user: upn, decision: "accept" });
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
}

async function microsoftSession(browser: Browser, upn: string) {
  const context = await browser.newContext({ baseURL, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await signInWithMicrosoft(page, upn);
  await expect(page.getByRole("heading", { name: "Authentication Status" })).toBeVisible();
  return { context, page };
}

const settingsValues = {
  "Tenant ID": DEMO.homeTenantId,
  "Client ID": DEMO.providerClientId,
  Audience: DEMO.providerClientId,
  Issuer: `${emulator.loginUrl}/{TenantId}/v2.0`,
  Authority: `${emulator.loginUrl}/{TenantId}/`,
  "Metadata Address": `${emulator.loginUrl}/{TenantId}/v2.0/.well-known/openid-configuration`,
  "Required Claims": "tid={TenantId};oid",
  "Clock Skew": "00:02:00",
  "JWKS Keys Cache Duration": "00:10:00",
  "Entra Group Cache Duration": "00:30:00",
  "API Audience": DEMO_API.audience,
  "API Issuer": `${emulator.loginUrl}/{TenantId}/`,
};

test.describe.configure({ mode: "serial" });

test.describe("sign-in with Microsoft Entra ID (seed 001)", () => {
  let applyActionId = "";
  let applyBody: Buffer | null = null;
  let applyContentType = "";
  let providerBefore: ProviderRow = null;

  test.beforeAll(async () => {
    providerBefore = await e2eDb.appRegistration.findUnique({ where: { id: "provider" } });
    await control.loadScenario(scenario() as never);
  });

  test.afterAll(async () => {
    await restoreDefaults(providerBefore);
  });

  test("an administrator configures Entra Authentication: defaults, validation messages, {TenantId} expansion, round-trip", async ({ page }) => {
    const admin = await createAdmin("ADMINISTRATOR");
    await signInAndExpectConsole(page, admin);
    await configureProviderApp(page);
    await page
      .getByLabel("Certificate file")
      .setInputFiles({ name: "sign-in.pem", mimeType: "application/x-pem-file", buffer: Buffer.from(`${certificate.keyPem}\n${certificate.certPem}`) });
    await page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(page.getByRole("status").filter({ hasText: "certificate" })).toBeVisible();

    await page.goto("/settings/entra");
    await expect(page.getByLabel("Entra Authentication Enabled")).not.toBeChecked();
    await expect(page.getByLabel("Audience", { exact: true })).toHaveValue("{ClientId}");
    await expect(page.getByLabel("Issuer", { exact: true })).toHaveValue("https://login.microsoftonline.com/{TenantId}/v2.0");
    // The REST API's own audience and issuer start empty: no Entra tokens on /api/v1 until set.
    await expect(page.getByLabel("API Audience")).toHaveValue("");
    await expect(page.getByLabel("API Issuer")).toHaveValue("");
    await expect(page.getByLabel("Authority")).toHaveValue("https://login.microsoftonline.com/{TenantId}/");
    await expect(page.getByLabel("Metadata Address")).toHaveValue("https://login.microsoftonline.com/{TenantId}/v2.0/.well-known/openid-configuration");
    await expect(page.getByLabel("Required Claims")).toHaveValue("tid={TenantId};");
    await expect(page.getByLabel("Clock Skew")).toHaveValue("00:05:00");
    await expect(page.getByLabel("JWKS Keys Cache Duration")).toHaveValue("01:00:00");
    await expect(page.getByLabel("Entra Group Cache Duration")).toHaveValue("00:30:00");

    // Enabled: every field is required and checked.
    await page.getByLabel("Entra Authentication Enabled").check();
    await page.getByLabel("Tenant ID").fill("not-a-guid");
    await page.getByLabel("Clock Skew").fill("5 minutes");
    await page.getByLabel("JWKS Keys Cache Duration").fill("25:00:00");
    await page.getByLabel("Required Claims").fill("tid=;roles");
    await page.getByLabel("Certificate Thumbprint").fill("XYZ");
    await page.getByLabel("Authority").fill("http://login.example/{TenantId}/");
    await page.getByLabel("API Audience").fill("api://tenant access console");
    await page.getByLabel("API Issuer").fill("http://sts.windows.net/{TenantId}/");
    await page.getByLabel("Local sign-in (break-glass)").uncheck();
    await page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Check the highlighted fields." })).toBeVisible();
    await expect(page.getByLabel("Tenant ID")).toHaveAccessibleDescription(/Must be the tenant's GUID/);
    await expect(page.getByLabel("Client ID")).toHaveAccessibleDescription(/Required when Entra Authentication is enabled/);
    await expect(page.getByLabel("Clock Skew")).toHaveAccessibleDescription(/Use hh:mm:ss/);
    await expect(page.getByLabel("JWKS Keys Cache Duration")).toHaveAccessibleDescription(/Use hh:mm:ss/);
    await expect(page.getByLabel("Required Claims")).toHaveAccessibleDescription(/has no expected value/);
    await expect(page.getByLabel("Certificate Thumbprint")).toHaveAccessibleDescription(/SHA-1 \(40 hex characters\) or SHA-256/);
    await expect(page.getByLabel("Authority")).toHaveAccessibleDescription(/must use https/);
    await expect(page.getByLabel("API Audience")).toHaveAccessibleDescription(/without spaces/);
    await expect(page.getByLabel("API Issuer")).toHaveAccessibleDescription(/API Issuer must use https/);
    await page.getByRole("button", { name: "Reset Changes" }).click();

    // Valid values; the thumbprint is pasted with spaces and a zero-width space, as certlm.msc copies it.
    await page.getByLabel("Entra Authentication Enabled").check();
    for (const [label, value] of Object.entries(settingsValues)) await page.getByLabel(label, { exact: true }).fill(value);
    const pasted = `\u200B ${certificate.thumbprintSha1.toLowerCase().match(/.{2}/g)!.join(" ")} `;
    await page.getByLabel("Certificate Thumbprint").fill(pasted);
    await page.getByLabel("Group role mappings").fill(`${GROUPS.admins} = Administrator\n${GROUPS.operators} = Operator\n${GROUPS.viewers} = Viewer`);
    await expect(page.getByText(`${emulator.loginUrl}/${DEMO.homeTenantId}/v2.0/.well-known/openid-configuration`, { exact: true })).toBeVisible();
    await expect(page.getByText(`tid=${DEMO.homeTenantId};oid`, { exact: true })).toBeVisible();

    // Remember how the browser calls the action, to replay it later with a lower role.
    const requestPromise = page.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"]));
    await page.getByRole("button", { name: "Apply Changes" }).click();
    const request = await requestPromise;
    applyActionId = request.headers()["next-action"]!;
    applyBody = request.postDataBuffer();
    applyContentType = request.headers()["content-type"]!;
    await expect(page.getByRole("status").filter({ hasText: "Changes applied" })).toBeVisible();
    const applied = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "entra_settings.updated" }, orderBy: { at: "desc" } });
    expect(JSON.parse(applied.details).changedFields).toEqual(expect.arrayContaining(["audience", "issuer", "apiAudience", "apiIssuer"]));

    await page.reload();
    await expect(page.getByLabel("Entra Authentication Enabled")).toBeChecked();
    for (const [label, value] of Object.entries(settingsValues)) await expect(page.getByLabel(label, { exact: true })).toHaveValue(value);
    await expect(page.getByLabel("Certificate Thumbprint")).toHaveValue(certificate.thumbprintSha1);
    await expect(page.getByLabel("Group role mappings")).toHaveValue(
      `${GROUPS.admins} = Administrator\n${GROUPS.operators} = Operator\n${GROUPS.viewers} = Viewer`,
    );
    await expect(page.getByLabel("Local sign-in (break-glass)")).toBeChecked();
    await expect(page.getByRole("status", { name: "Certificate problem" })).toHaveCount(0);
  });

  test("an administrator from the Entra admins group signs in with Microsoft and may change settings", async ({ browser }) => {
    const { context, page } = await microsoftSession(browser, USERS.owner);
    await expect(page.getByText(`Signed in as ${USERS.owner}`)).toBeVisible();
    await expect(page.getByText("administrator", { exact: true })).toBeVisible();
    await page.goto("/settings/entra");
    await expect(page.getByRole("button", { name: "Apply Changes" })).toBeVisible();
    await page.goto("/settings/admins");
    await expect(page.getByRole("heading", { name: "Admins" })).toBeVisible();
    const audit = await e2eDb.auditEvent.findFirst({ where: { action: "auth.sign_in.succeeded", actorLabel: USERS.owner } });
    expect(audit?.details).toContain("entra");
    const owner = await e2eDb.adminUser.findUniqueOrThrow({ where: { email: USERS.owner }, select: { id: true } });
    expect(await e2eDb.adminSession.count({ where: { adminId: owner.id, method: "entra", revokedAt: null } })).toBeGreaterThan(0);
    await context.close();
  });

  test("an operator may not change settings, even when calling the action directly; role changes and revocation apply", async ({ browser }) => {
    const operator = await microsoftSession(browser, USERS.tech);
    await expect(operator.page.getByText("operator", { exact: true })).toBeVisible();
    await operator.page.goto("/settings/entra");
    await expect(operator.page.getByLabel("Tenant ID")).toBeDisabled();
    await expect(operator.page.getByRole("button", { name: "Apply Changes" })).toHaveCount(0);
    await operator.page.goto("/settings/admins");
    await expect(operator.page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();

    const before = await e2eDb.entraAuthSettings.findUniqueOrThrow({ where: { id: "entra" } });
    const response = await operator.page.request.post("/settings/entra", {
      headers: { "next-action": applyActionId, "content-type": applyContentType, accept: "text/x-component", origin: baseURL },
      data: applyBody!,
    });
    expect(await response.text()).toContain("Only administrators can change how admins sign in.");
    const after = await e2eDb.entraAuthSettings.findUniqueOrThrow({ where: { id: "entra" } });
    expect(after.version).toBe(before.version);

    // An administrator demotes the operators group: the change reaches the signed-in operator at once
    // (new mappings invalidate the group cache; groups are re-read from Graph with an app token).
    const owner = await microsoftSession(browser, USERS.owner);
    await owner.page.goto("/settings/entra");
    await owner.page.getByLabel("Group role mappings").fill(`${GROUPS.admins} = Administrator\n${GROUPS.operators} = Viewer\n${GROUPS.viewers} = Viewer`);
    await owner.page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(owner.page.getByRole("status").filter({ hasText: "groupRoles" })).toBeVisible();
    await operator.page.goto("/tenants");
    await expect(operator.page.getByText("viewer", { exact: true })).toBeVisible();

    // Revoking the sessions ends the operator's session at the next request.
    await owner.page.goto("/settings/admins");
    await owner.page.getByRole("button", { name: `Revoke sessions of ${USERS.tech}` }).click();
    await expect(owner.page.getByRole("status").filter({ hasText: "revoked" })).toBeVisible();
    await operator.page.goto("/tenants");
    await expect(operator.page).toHaveURL(/\/sign-in/);
    await operator.context.close();
    await owner.context.close();
  });

  test("a viewer can read but not manage", async ({ browser }) => {
    const { context, page } = await microsoftSession(browser, USERS.viewer);
    await expect(page.getByText("viewer", { exact: true })).toBeVisible();
    await page.goto("/settings/provider");
    await expect(page.getByRole("button", { name: "Apply Changes" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Test" })).toHaveCount(0);
    await page.goto("/settings/admins");
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
    await context.close();
  });

  test("a user in no mapped group and a user from another tenant are refused", async ({ page }) => {
    await signInWithMicrosoft(page, USERS.nogroup);
    await expect(page).toHaveURL(/\/sign-in\?error=no_role/);
    await expect(page.getByRole("main").getByRole("alert")).toContainText("not in any group");

    await signInWithMicrosoft(page, DEMO.contoso.admin);
    await expect(page.getByText(/AADSTS50020/)).toBeVisible();
    await page.goto("/tenants");
    await expect(page).toHaveURL(/\/sign-in/);
    expect(await e2eDb.adminUser.count({ where: { email: { in: [USERS.nogroup, DEMO.contoso.admin] } } })).toBe(0);
  });

  test("a token request Microsoft throttles ends the sign-in at once, with the reason verification gives, and is audited", async ({ page }) => {
    const since = new Date();
    await control.throttle({ scope: "token", tenantIds: [DEMO.homeTenantId], retryAfterSeconds: 60 });
    try {
      await signInWithMicrosoft(page, USERS.tech);
      await expect(page).toHaveURL(/\/sign-in\?error=CredentialsSignin&code=THROTTLED/);
      await expect(page.getByRole("main").getByRole("alert")).toContainText("Sign-in with Microsoft failed: Throttled by Microsoft");
    } finally {
      await control.clearFaults();
    }
    const refused = await e2eDb.auditEvent.findMany({ where: { action: "auth.sign_in.refused", at: { gte: since } }, select: { details: true } });
    expect(refused.map((e) => JSON.parse(e.details))).toContainEqual(
      expect.objectContaining({ method: "entra", reason: "token_refused", entraReason: "THROTTLED", codes: "90055" }),
    );
  });

  test("local sign-in can be switched off once Microsoft sign-in works", async ({ browser, page }) => {
    const owner = await microsoftSession(browser, USERS.owner);
    await owner.page.goto("/settings/entra");
    await owner.page.getByLabel("Local sign-in (break-glass)").uncheck();
    await owner.page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(owner.page.getByRole("status").filter({ hasText: "localSignInEnabled" })).toBeVisible();
    await owner.context.close();

    await page.goto("/sign-in");
    await expect(page.getByRole("button", { name: "Sign in with Microsoft" })).toBeVisible();
    await expect(page.getByLabel("Password")).toHaveCount(0);
  });
});
