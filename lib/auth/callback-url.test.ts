import { describe, expect, it } from "vitest";
import { safeCallbackPath, safeRedirect } from "./callback-url";

describe("safeCallbackPath", () => {
  it.each(["/", "/tenants", "/tenants?status=FAILED&q=contoso", "/tenants/abc#history", "/audit?q=%0A"])("keeps the same-origin path %s", (path) => {
    expect(safeCallbackPath(path)).toBe(path);
  });

  it.each([
    ["a newline", "/\njavascript:alert(1)"],
    ["a leading newline", "\n/tenants"],
    ["a carriage return", "/tenants\r\nSet-Cookie: x=1"],
    ["a tab", "/\t/evil.example"],
    ["javascript:", "javascript:alert(document.cookie)"],
    ["another origin", "https://evil.example/tenants"],
    ["a protocol-relative URL", "//evil.example"],
    ["a backslash", "/\\evil.example"],
    ["a backslash later", "/tenants\\..\\x"],
    ["a space", "/tenants list"],
    ["a relative path", "tenants"],
    ["nothing", ""],
    ["no string", null],
    ["a repeated parameter", ["/a", "/b"]],
    ["an overlong value", `/${"a".repeat(5000)}`],
  ])("sends %s to the console's home", (_name, value) => {
    expect(safeCallbackPath(value)).toBe("/");
  });
});

describe("safeRedirect (next-auth's redirect callback)", () => {
  const baseUrl = "http://localhost:3000";
  it("keeps our own paths and absolute URLs of our origin", () => {
    expect(safeRedirect({ url: "/tenants", baseUrl })).toBe(`${baseUrl}/tenants`);
    expect(safeRedirect({ url: `${baseUrl}/audit?page=2`, baseUrl })).toBe(`${baseUrl}/audit?page=2`);
  });

  it("answers everything else with the home page instead of throwing", () => {
    for (const url of [
      "\n",
      "javascript:alert(1)",
      "https://evil.example/",
      `${baseUrl}.evil.example/`,
      `${baseUrl}@evil.example/`,
      `${baseUrl}/\nx`,
      "not a url",
    ]) {
      expect(safeRedirect({ url, baseUrl })).toBe(`${baseUrl}/`);
    }
  });
});
