import { describe, expect, it } from "vitest";
import { accessTokenGrantSchema, accessTokenRequestSchema, parseScope } from "./access-tokens";

describe("access-token requests", () => {
  it("turns a resource into its .default scope, and keeps scopes of one resource", () => {
    expect(accessTokenRequestSchema.parse({ resource: "https://graph.microsoft.com/" })).toEqual({
      resource: "https://graph.microsoft.com",
      scopes: ["https://graph.microsoft.com/.default"],
    });
    expect(accessTokenRequestSchema.parse({ scopes: ["https://graph.microsoft.com/User.Read", "https://graph.microsoft.com/User.Read"] })).toEqual({
      resource: "https://graph.microsoft.com",
      scopes: ["https://graph.microsoft.com/User.Read"],
    });
    expect(parseScope("api://1d2c3b4a-0000-4000-8000-000000000001/.default")).toMatchObject({
      resource: "api://1d2c3b4a-0000-4000-8000-000000000001",
      permission: ".default",
    });
  });

  it("refuses both or neither, short scopes, sign-in scopes and two resources, with a message for people", () => {
    const bad = [
      {},
      { resource: "https://graph.microsoft.com", scopes: ["https://graph.microsoft.com/.default"] },
      { scopes: ["User.Read"] },
      { scopes: ["offline_access"] },
      { scopes: ["https://graph.microsoft.com/User.Read", "https://outlook.office.com/Mail.Read"] },
      { resource: "http://graph.microsoft.com" },
      { resource: "https://graph.microsoft.com", extra: 1 },
    ];
    for (const body of bad) {
      const r = accessTokenRequestSchema.safeParse(body);
      expect(r.success, JSON.stringify(body)).toBe(false);
      expect(r.error!.issues[0]!.message.length).toBeGreaterThan(5);
    }
  });
});

describe("access-token grants", () => {
  it("reads the form's lists and needs a target, tenants and something to allow", () => {
    const g = accessTokenGrantSchema.parse({
      apiTokenId: "tok-1",
      tenantScope: "LIST",
      customerIds: "C1\nC2, C1",
      resources: "https://graph.microsoft.com/",
      scopes: "",
      ratePerMinute: "30",
    });
    expect(g).toMatchObject({ customerIds: ["C1", "C2"], resources: ["https://graph.microsoft.com"], scopes: [], ratePerMinute: 30 });
    const none = accessTokenGrantSchema.safeParse({ tenantScope: "TAGS", ratePerMinute: 0 });
    expect(none.success).toBe(false);
    const paths = none.error!.issues.map((i) => i.path[0]);
    expect(paths).toEqual(expect.arrayContaining(["entraAppId", "tagIds", "resources", "ratePerMinute"]));
  });
});
