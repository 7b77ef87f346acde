import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { startTestEmulator, TEST } from "@/emulator/testing/index";
import { GET as callbackRoute } from "@/app/authenticate/OAuth2Callback/route";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { applyEmulatorProvider } from "@/lib/provider/testing";
import { releaseEntraTenant } from "@/lib/verification/testing";
import { browserBindingValue, CONSENT_BROWSER_COOKIE } from "./browser-binding";
import { describeConsentLink, startConsent } from "./flow";
import { createConsentLink } from "./links";

// The customer's side, end to end against the emulator: each way a scripted customer answers Microsoft,
// the console's callback, and what the result page tells them (naming the MSP from Settings → Branding).

const actor = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
const browser = browserBindingValue(undefined);
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
  await applyEmulatorProvider(emu);
  await db.branding.upsert({
    where: { id: "branding" },
    create: { id: "branding", mspName: "Northwind IT <Services>", supportEmail: "help@northwind.example", customText: "We never ask for passwords." },
    update: {},
  });
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => {
  emu.state.revokeConsent?.(TEST.fabrikamId, TEST.providerClientId);
});

async function seedFabrikam(authMethod: "APP_REGISTRATION" | "AUTH_TOKEN" = "APP_REGISTRATION") {
  const id = newId();
  await releaseEntraTenant(TEST.fabrikamId);
  await db.tenant.create({
    data: {
      id,
      customerId: `cust-${id.slice(-8)}`,
      displayName: "Fabrikam",
      entraTenantId: TEST.fabrikamId,
      primaryDomain: TEST.fabrikamDomain,
      adminEmail: TEST.fabrikamAdmin,
      authMethod,
      cloud: "CUSTOM",
    },
  });
  return id;
}

async function tokenFor(tenantId: string) {
  const link = await createConsentLink({ tenantId, actor });
  if (!link.ok) throw new Error(link.error);
  return new URL(link.data.url).pathname.split("/").pop()!;
}

/** The customer opens the link, continues to Microsoft and answers as `user`; returns the console's result page. */
async function customer(tenantId: string, user: string, decision: "accept" | "cancel" = "accept") {
  const started = await startConsent(await tokenFor(tenantId), browser);
  if (!started.ok) throw new Error(started.error);
  await emu.control.armInteraction({ user, password: TEST.password, decision });
  const microsoft = await fetch(started.redirectTo, { redirect: "manual" });
  const location = new URL(microsoft.headers.get("location")!);
  return { location, ...(await resultPage(location)) };
}

async function resultPage(location: URL) {
  const response = await callbackRoute(new NextRequest(location, { headers: { cookie: `${CONSENT_BROWSER_COOKIE}=${browser}` } }));
  const html = await response.text();
  const entities: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&amp;": "&" };
  const text = html
    .replace(/<style>[^<]*<\/style>/, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&(lt|gt|quot|#39|amp);/g, (e) => entities[e]!)
    .replace(/\s+/g, " ");
  return { status: response.status, html, text };
}

describe("the consent page", () => {
  it("lists exactly the application permissions admin consent asks for, described, with the roles that can grant them", async () => {
    const link = await describeConsentLink(await tokenFor(await seedFabrikam()));
    expect(link?.applicationPermissions).toEqual([
      { name: "Organization.Read.All", kind: "application", description: "Read your organization's profile: its name, verified domains and subscriptions." },
      { name: "User.Read.All", kind: "application", description: "Read the profiles of all users in your directory (names, email addresses, job titles)." },
    ]);
    expect(link?.delegatedPermissions).toEqual([]);
    expect(link?.rolesNeeded).toEqual(["Global Administrator", "Privileged Role Administrator"]);
  });

  it("lists the delegated scopes of the auth-code flow, sign-in scopes included", async () => {
    const link = await describeConsentLink(await tokenFor(await seedFabrikam("AUTH_TOKEN")));
    expect(link?.flow).toBe("AUTH_CODE");
    expect(link?.delegatedPermissions.map((p) => p.name)).toEqual(["openid", "profile", "offline_access", "User.Read", "Organization.Read.All"]);
    expect(link?.delegatedPermissions[2]?.description).toMatch(/^Keep the access granted here while you are away/);
    expect(link?.rolesNeeded).toEqual([
      "Global Administrator",
      "Privileged Role Administrator",
      "Cloud Application Administrator",
      "Application Administrator",
    ]);
  });
});

describe("result pages", () => {
  it("cancelled: says so, names the MSP (escaped) and tells the customer to open the link again when ready", async () => {
    const page = await customer(await seedFabrikam(), TEST.fabrikamAdmin, "cancel");
    expect(page.location.searchParams.get("error_description")).toMatch(/^AADSTS65004/);
    expect(page.status).toBe(200);
    expect(page.text).toContain("You cancelled: nothing was granted");
    expect(page.text).toContain("When you are ready, open the link again and accept on Microsoft's page.");
    expect(page.html).toContain("Northwind IT &lt;Services&gt;");
    expect(page.html).not.toContain("<Services>");
    expect(page.html).toContain('<a href="mailto:help@northwind.example">');
  });

  it("wrong directory: names the account used and the domain to sign in with; nothing is stored", async () => {
    const tenantId = await seedFabrikam();
    const page = await customer(tenantId, TEST.admin);
    expect(page.location.searchParams.get("error_description")).toMatch(/^AADSTS50020/);
    expect(page.text).toContain("You signed in with an account of another organization");
    expect(page.text).toContain(`you signed in with the account ${TEST.admin} of another directory`);
    expect(page.text).toContain(`sign in with an account of ${TEST.fabrikamDomain}`);
    expect(await db.auditEvent.count({ where: { targetId: tenantId, action: "consent.granted" } })).toBe(0);
  });

  it("not an administrator (AADSTS90094): names the roles that can grant consent", async () => {
    await emu.control.setUserRoles(TEST.fabrikamAdmin, []);
    try {
      const tenantId = await seedFabrikam();
      const page = await customer(tenantId, TEST.fabrikamAdmin);
      expect(page.location.searchParams.get("error_description")).toMatch(/^AADSTS90094/);
      expect(page.text).toContain("This account cannot grant consent");
      expect(page.text).toContain("The account you used is not an administrator of Fabrikam");
      expect(page.text).toContain("An administrator with the role Global Administrator or Privileged Role Administrator must open this link");
      const tenant = await db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
      expect(tenant.lastStatus).toBe("FAILED");
      expect(tenant.entraTenantId).toBe(TEST.fabrikamId);
      expect(await db.auditEvent.count({ where: { targetId: tenantId, action: "consent.granted" } })).toBe(0);
    } finally {
      await emu.control.setUserRoles(TEST.fabrikamAdmin, ["Global Administrator"]);
    }
  });

  it("success, then the same response again: thanks and what happens next, then an expired-or-used page", async () => {
    const page = await customer(await seedFabrikam(), TEST.fabrikamAdmin);
    expect(page.text).toMatch(/Thank you: consent was (granted|received)/);
    expect(page.text).toContain("What to do next");
    expect(page.text).toMatch(/Nothing else is needed from you/);
    const replay = await resultPage(page.location);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain("This sign-in response has expired or was already used.");
    expect(replay.text).toContain("ask Northwind IT <Services> for a new one");
  });
});
