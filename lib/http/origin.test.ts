import { describe, expect, it } from "vitest";
import { isAllowedOrigin } from "./origin";

const app = new URL("https://console.msp.example").origin;

describe("isAllowedOrigin", () => {
  it("lets reads through whatever their origin", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "get"]) expect(isAllowedOrigin(method, "https://evil.example", app)).toBe(true);
  });

  it("accepts a write from the console's own origin only", () => {
    expect(isAllowedOrigin("POST", "https://console.msp.example", app)).toBe(true);
    expect(isAllowedOrigin("DELETE", "https://console.msp.example", app)).toBe(true);
  });

  it.each([
    ["no Origin", null],
    ["an opaque origin", "null"],
    ["another site", "https://evil.example"],
    ["another port", "https://console.msp.example:8443"],
    ["http instead of https", "http://console.msp.example"],
    ["a subdomain", "https://x.console.msp.example"],
    ["a suffix", "https://console.msp.example.evil.example"],
  ])("refuses a POST with %s", (_label, origin) => {
    expect(isAllowedOrigin("POST", origin, app)).toBe(false);
    expect(isAllowedOrigin("PUT", origin, app)).toBe(false);
  });
});
