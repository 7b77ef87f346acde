import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PUT } from "@/app/api/v1/settings/provider/route";
import { generateApiToken } from "@/lib/api-tokens/format";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";

// PUT /settings/provider (source 003's default registration over REST): bad input is a 422 naming the
// field, and nothing is stored.

let adminToken = "";

beforeAll(async () => {
  const t = generateApiToken();
  await db.apiToken.create({
    data: {
      id: newId(),
      name: "provider admin",
      role: "ADMINISTRATOR",
      tokenHash: t.hash,
      prefix: t.prefix,
      createdBy: "test",
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  adminToken = t.token;
});

const body = (over: Record<string, unknown> = {}) => ({
  clientId: "6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b",
  clientSecret: "abc8Q~a-client-secret-value-0000000000000",
  redirectUrl: "http://localhost:3000/authenticate/OAuth2Callback",
  cloud: "GLOBAL",
  tokenVersion: "v2",
  scopes: "User.Read",
  requiredAppPermissions: "Organization.Read.All",
  requestOfflineAccess: true,
  ...over,
});

async function put(b: unknown) {
  const res = await PUT(
    new Request("http://localhost/api/v1/settings/provider", {
      method: "PUT",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(b),
    }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, json: (await res.json()) as { errors?: { path: string; message: string }[]; version?: number } };
}

beforeEach(async () => {
  await db.appRegistration.deleteMany();
});

describe("PUT /settings/provider refuses bad input per field", () => {
  it("a v1.0 endpoint without a Resource", async () => {
    const r = await put(body({ tokenVersion: "v1", resource: "" }));
    expect(r.status).toBe(422);
    expect(r.json.errors).toEqual([{ path: "resource", message: "The v1.0 endpoint needs a Resource such as https://graph.microsoft.com" }]);
    expect(await db.appRegistration.count()).toBe(0);
  });

  it("a secret's ID (a GUID) where its Value belongs", async () => {
    const r = await put(body({ clientSecret: "7f3c9a1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b" }));
    expect(r.status).toBe(422);
    expect(r.json.errors).toEqual([
      { path: "clientSecret", message: "This is the secret's ID (a GUID), not its Value: copy the Value column shown when the secret was created." },
    ]);
    expect(await db.appRegistration.count()).toBe(0);
  });

  it("a second default registration for a cloud", async () => {
    await db.appRegistration.create({
      data: { id: newId(), name: "Global app", cloud: "GLOBAL", defaultForCloud: "GLOBAL", clientId: "11111111-2222-4333-8444-555555555555" },
    });
    const r = await put(body({ isDefault: true }));
    expect(r.status).toBe(422);
    expect(r.json.errors?.[0]?.path).toBe("isDefault");
    expect(r.json.errors?.[0]?.message).toMatch(/"Global app" is already the default registration for Global/);
    expect(await db.appRegistration.count()).toBe(1);
  });

  it("stores a v1.0 registration with its Resource, and says where its tokens come from", async () => {
    const r = await put(body({ tokenVersion: "v1", resource: "https://graph.microsoft.com" }));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      tokenVersion: "v1",
      resource: "https://graph.microsoft.com",
      loginUrl: "https://login.microsoftonline.com/{tenant}/oauth2/authorize",
      tokenUrl: "https://login.microsoftonline.com/{tenant}/oauth2/token",
    });
  });
});
