import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce, plainHtmlContentSecurityPolicy, securityHeaders } from "./security-headers";

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe("security headers", () => {
  it("sends HSTS when APP_URL is https, and not over http", () => {
    expect(securityHeaders("https://console.msp.example")["Strict-Transport-Security"]).toBe("max-age=31536000; includeSubDomains");
    expect(securityHeaders("http://localhost:3000")).not.toHaveProperty("Strict-Transport-Security");
  });

  it("always sends the static headers", () => {
    expect(securityHeaders("http://localhost:3000")).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "same-origin",
      "Cross-Origin-Opener-Policy": "same-origin",
    });
    const permissions = securityHeaders("http://localhost:3000")["Permissions-Policy"]!.split(", ");
    expect(permissions).toEqual(expect.arrayContaining(["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]));
    // "Copy consent link" writes to the clipboard.
    expect(permissions.join()).not.toContain("clipboard");
  });

  it("allows scripts only by this response's nonce, never inline or eval in production", () => {
    const csp = directives(contentSecurityPolicy("abc123==", { appUrl: "http://localhost:3000", development: false }));
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(
      expect.arrayContaining(["'self'", "https://login.microsoftonline.com", "https://login.microsoftonline.us", "https://login.partner.microsoftonline.cn"]),
    );
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
  });

  it("adds 'unsafe-eval' in development only, and upgrade-insecure-requests on https", () => {
    const dev = directives(contentSecurityPolicy("n", { appUrl: "https://console.msp.example", development: true }));
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    expect(dev.get("script-src")).not.toContain("'unsafe-inline'");
    expect(dev.has("upgrade-insecure-requests")).toBe(true);
  });

  it("the plain HTML page policy allows no script and no framing", () => {
    const csp = directives(plainHtmlContentSecurityPolicy);
    expect(csp.get("default-src")).toEqual(["'none'"]);
    expect(csp.has("script-src")).toBe(false);
    // The MSP's logo, from the console itself.
    expect(csp.get("img-src")).toEqual(["'self'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
  });

  it("makes a new 128-bit nonce each time", () => {
    const a = createNonce();
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    expect(createNonce()).not.toBe(a);
  });
});
