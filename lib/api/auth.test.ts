import { beforeEach, describe, expect, it } from "vitest";
import { generateApiToken } from "@/lib/api-tokens/format";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { authenticate, bearerOf, roleOfClaims } from "./auth";
import { ApiError } from "./problem";

// API tokens through authenticate(): known, revoked, expired, unknown and malformed tokens; last use
// recorded at most once a minute. Entra tokens are exercised end to end in e2e/api-entra.spec.ts.

async function token(overrides: { role?: "ADMINISTRATOR" | "OPERATOR" | "VIEWER"; expiresAt?: Date; revokedAt?: Date | null } = {}) {
  const t = generateApiToken();
  const id = newId();
  await db.apiToken.create({
    data: {
      id, name: `token-${id.slice(-6)}`, role: overrides.role ?? "VIEWER", tokenHash: t.hash, prefix: t.prefix, createdBy: "test",
      expiresAt: overrides.expiresAt ?? new Date(Date.now() + 86_400_000), revokedAt: overrides.revokedAt ?? null,
    },
  });
  return { id, token: t.token };
}

const bearer = (value: string) => new Headers({ authorization: `Bearer ${value}` });

async function refusal(headers: Headers) {
  try {
    await authenticate(headers, "203.0.113.7");
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

beforeEach(async () => {
  await db.apiToken.deleteMany({});
  await db.entraAuthSettings.deleteMany({});
});

describe("API token authentication", () => {
  it("accepts a valid token with its role and name, and records its last use once a minute", async () => {
    const t = await token({ role: "OPERATOR" });
    const principal = await authenticate(bearer(t.token), "203.0.113.7");
    expect(principal).toMatchObject({ kind: "api_token", id: t.id, role: "OPERATOR", actor: { type: "api_token", id: t.id }, rateKey: `token:${t.id}` });
    const first = await db.apiToken.findUniqueOrThrow({ where: { id: t.id } });
    expect(first.lastUsedFrom).toBe("203.0.113.7");
    expect(first.lastUsedAt).not.toBeNull();
    await authenticate(bearer(t.token), "198.51.100.1");
    const second = await db.apiToken.findUniqueOrThrow({ where: { id: t.id } });
    expect(second.lastUsedAt).toEqual(first.lastUsedAt);
    expect(second.lastUsedFrom).toBe("203.0.113.7");
  });

  it("refuses revoked, expired, unknown and malformed tokens with 401 invalid_token", async () => {
    const revoked = await token({ revokedAt: new Date() });
    const expired = await token({ expiresAt: new Date(Date.now() - 1000) });
    const cases: [string, RegExp][] = [
      [revoked.token, /revoked/],
      [expired.token, /expired/],
      [generateApiToken().token, /not known/],
      ["tac_short", /malformed/],
      ["not-a-token", /not enabled/],
    ];
    for (const [value, detail] of cases) {
      const e = await refusal(bearer(value));
      expect(e.status).toBe(401);
      expect(e.detail).toMatch(detail);
      expect(e.options.headers?.["WWW-Authenticate"]).toMatch(/^Bearer realm="tenant-access-console", error="invalid_token"/);
    }
  });

  it("asks for a token without an error code when none was sent, and never reads cookies", async () => {
    const e = await refusal(new Headers({ cookie: "authjs.session-token=abc" }));
    expect(e.status).toBe(401);
    expect(e.options.headers?.["WWW-Authenticate"]).toBe('Bearer realm="tenant-access-console"');
    expect(bearerOf(new Headers({ authorization: "Basic dXNlcjpwYXNz" }))).toBe("");
    expect((await refusal(new Headers({ authorization: "Basic dXNlcjpwYXNz" }))).options.headers?.["WWW-Authenticate"]).toContain("invalid_token");
  });
});

describe("roles of an Entra token", () => {
  const groups = new Map([["g-ops", "OPERATOR" as const], ["g-view", "VIEWER" as const]]);
  it("takes the highest exact app role, else the highest mapped group, else none", () => {
    expect(roleOfClaims({ roles: ["Viewer", "Administrator"] }, groups)).toBe("ADMINISTRATOR");
    expect(roleOfClaims({ roles: ["administrator", "Reader"], groups: ["g-view", "g-ops"] }, groups)).toBe("OPERATOR");
    expect(roleOfClaims({ groups: ["G-VIEW"] }, groups)).toBe("VIEWER");
    expect(roleOfClaims({ roles: "Administrator" }, groups)).toBeNull();
    expect(roleOfClaims({}, groups)).toBeNull();
  });
});
