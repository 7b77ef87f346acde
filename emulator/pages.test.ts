import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "./index.js";
import { startTestEmulator, TEST } from "./testing/index.js";

/**
 * The HTML flow as a browser drives it: a session cookie on the login origin, form posts, and the
 * accessible names Playwright uses (Email, Password, Sign in, Code, Verify, Accept, Cancel).
 */

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu?.close();
});

class Browser {
  private cookie = "";
  constructor(private readonly origin: string) {}

  async get(url: string): Promise<Response> {
    return this.remember(await fetch(url, { redirect: "manual", headers: this.cookie ? { Cookie: this.cookie } : {} }));
  }

  async submit(html: string, fields: Record<string, string>): Promise<Response> {
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    const flow = /name="flow" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !flow) throw new Error("no form on page");
    return this.remember(
      await fetch(new URL(action.replace(/&amp;/g, "&"), this.origin), {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...(this.cookie ? { Cookie: this.cookie } : {}) },
        body: new URLSearchParams({ flow, ...fields }).toString(),
      }),
    );
  }

  private remember(response: Response): Response {
    const setCookie = response.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0]!;
    return response;
  }
}

function hasLabel(html: string, label: string, name: string): boolean {
  const id = new RegExp(`<label for="([^"]+)">${label}</label>`).exec(html)?.[1];
  return Boolean(id) && new RegExp(`<input id="${id}" name="${name}"`).test(html);
}

describe("interactive pages", () => {
  it("walks sign-in, MFA and admin consent in a browser-like session and redirects like Entra", async () => {
    emu.state.reset();
    const browser = new Browser(emu.loginUrl);
    const start = await browser.get(
      `${emu.loginUrl}/${TEST.fabrikamId}/v2.0/adminconsent?client_id=${TEST.providerClientId}&scope=${encodeURIComponent(`${emu.graphUrl}/.default`)}&redirect_uri=${encodeURIComponent(TEST.redirectUri)}&state=abc`,
    );
    expect(start.status).toBe(200);
    const signIn = await start.text();
    expect(hasLabel(signIn, "Email", "login")).toBe(true);
    expect(hasLabel(signIn, "Password", "passwd")).toBe(true);
    expect(signIn).toContain(">Sign in</button>");

    const wrong = await (await browser.submit(signIn, { login: TEST.fabrikamAdmin, passwd: "bad" })).text();
    expect(wrong).toContain('role="alert"');
    expect(wrong).toContain("AADSTS50126");

    emu.state.setMfa(TEST.fabrikamAdmin, true);
    const mfa = await (await browser.submit(wrong, { login: TEST.fabrikamAdmin, passwd: TEST.password })).text();
    expect(hasLabel(mfa, "Code", "otc")).toBe(true);
    expect(mfa).toContain(">Verify</button>");

    const consent = await (await browser.submit(mfa, { otc: "123456" })).text();
    expect(consent).toContain("Organization.Read.All");
    expect(consent).toContain(">Accept</button>");
    expect(consent).toContain(">Cancel</button>");

    const done = await browser.submit(consent, { decision: "accept" });
    expect(done.status).toBe(302);
    const location = new URL(done.headers.get("location")!);
    expect(location.searchParams.get("admin_consent")).toBe("True");
    expect(location.searchParams.get("tenant")).toBe(TEST.fabrikamId);
    expect(location.searchParams.get("state")).toBe("abc");
  });

  it("reuses the signed-in session for a later authorize request until logout", async () => {
    emu.state.reset();
    const browser = new Browser(emu.loginUrl);
    const authorize = `${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/authorize?client_id=${TEST.providerClientId}&response_type=code&scope=${encodeURIComponent("openid User.Read")}&redirect_uri=${encodeURIComponent(TEST.redirectUri)}&state=s`;
    const signIn = await (await browser.get(authorize)).text();
    const first = await browser.submit(signIn, { login: TEST.admin, passwd: TEST.password });
    expect(new URL(first.headers.get("location")!).searchParams.get("code")).toBeTruthy();
    const second = await browser.get(authorize);
    expect(second.status).toBe(302);
    expect(new URL(second.headers.get("location")!).searchParams.get("code")).toBeTruthy();

    const logout = await browser.get(
      `${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent("http://localhost:3000/")}`,
    );
    expect(logout.headers.get("location")).toBe("http://localhost:3000/");
    const afterLogout = await browser.get(authorize);
    expect(afterLogout.status).toBe(200);
    expect(await afterLogout.text()).toContain(">Sign in</button>");
  });

  it("prompt=none answers login_required without a session", async () => {
    const url = `${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/authorize?client_id=${TEST.providerClientId}&response_type=code&scope=User.Read&prompt=none&state=p&redirect_uri=${encodeURIComponent(TEST.redirectUri)}`;
    const res = await fetch(url, { redirect: "manual" });
    const location = new URL(res.headers.get("location")!);
    expect(location.searchParams.get("error")).toBe("login_required");
    expect(location.searchParams.get("state")).toBe("p");
  });

  it("serves an index page for people", async () => {
    const res = await fetch(`${emu.loginUrl}/`);
    expect(await res.text()).toContain("admin consent");
  });
});
