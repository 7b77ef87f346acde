import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { env } from "@/lib/env";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { config, proxy } from "./proxy";

const app = new URL(env.APP_URL);
const SESSION = { cookie: "authjs.session-token=x" };

function call(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return proxy(new NextRequest(new URL(path, app), { method: init.method ?? "GET", headers: init.headers }));
}

describe("proxy", () => {
  it("refuses a write to a page or to next-auth without the console's Origin, before anything runs", async () => {
    for (const path of ["/tenants", "/consent/abc", "/sign-in", "/api/auth/signout", "/no-such-page"]) {
      for (const headers of [{}, { origin: "https://attacker.example" }, { origin: "null" }] as Record<string, string>[]) {
        const response = call(path, { method: "POST", headers: { ...SESSION, ...headers } });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(await response.text()).toContain("did not come from the console's own pages");
        expect(response.headers.get("x-middleware-next")).toBeNull();
      }
    }
    expect(call("/tenants", { method: "POST", headers: { ...SESSION, origin: app.origin } }).status).toBe(200);
  });

  it("does not run for the REST API (bearer tokens only; its bodies must not be buffered), and runs for every other path", () => {
    const matches = (url: string) => unstable_doesMiddlewareMatch({ config, nextConfig: {}, url });
    for (const url of ["/api/v1", "/api/v1/tenants", "/api/v1/tenants/abc/verify"]) expect(matches(url), url).toBe(false);
    for (const url of ["/", "/tenants", "/sign-in", "/consent/abc", "/api/auth/signout", "/api/health", "/_next/static/chunks/a.js"])
      expect(matches(url), url).toBe(true);
  });

  it("sends visitors without a session to sign-in only where it did before", () => {
    expect(call("/tenants?q=x").headers.get("location")).toBe(new URL("/sign-in?callbackUrl=%2Ftenants%3Fq%3Dx", app).href);
    expect(call("/forbidden").status).toBe(307);
    expect(call("/logo.svg.map").status).toBe(307);
    for (const path of [
      "/sign-in",
      "/consent/abc",
      "/authenticate/OAuth2Callback",
      "/api/auth/session",
      "/_next/static/chunks/a.js",
      "/favicon.ico",
      "/icon.svg",
      "/logo.svg",
    ]) {
      expect(call(path).headers.get("x-middleware-next"), path).toBe("1");
    }
  });

  it("gives every page its own nonce, in the response and in the request Next.js renders with", () => {
    const [a, b] = [call("/sign-in"), call("/sign-in")];
    const policy = a.headers.get("content-security-policy")!;
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
    expect(b.headers.get("content-security-policy")).not.toBe(policy);
    expect(a.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    expect(a.headers.get("x-middleware-request-x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps the OAuth callback's script-free policy, and static files get only the static headers", () => {
    expect(call("/authenticate/OAuth2Callback").headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    const asset = call("/_next/static/chunks/a.js");
    expect(asset.headers.get("content-security-policy")).toBeNull();
    expect(asset.headers.get("x-frame-options")).toBe("DENY");
  });
});
