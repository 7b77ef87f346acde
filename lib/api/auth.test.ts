import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { signJwt } from "@/emulator/jwt";
import { postForm, startTestEmulator, TEST, TEST_API } from "@/emulator/testing/index";
import { generateApiToken } from "@/lib/api-tokens/format";
import { ENTRA_SETTINGS_ID } from "@/lib/auth/entra/settings";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { authenticate, bearerOf, roleOfClaims } from "./auth";
import { ApiError } from "@/lib/http/problem";

// API tokens through authenticate(): known, revoked, expired, unknown and malformed tokens; last use
// recorded at most once a minute. Entra tokens: which kind of token and which settings the API takes,
// with tokens signed by the emulator's published key; the whole flow is in e2e/api-entra.spec.ts.

async function token(overrides: { role?: "ADMINISTRATOR" | "OPERATOR" | "VIEWER"; expiresAt?: Date; revokedAt?: Date | null } = {}) {
  const t = generateApiToken();
  const id = newId();
  await db.apiToken.create({
    data: {
      id,
      name: `token-${id.slice(-6)}`,
      role: overrides.role ?? "VIEWER",
      tokenHash: t.hash,
      prefix: t.prefix,
      createdBy: "test",
      expiresAt: overrides.expiresAt ?? new Date(Date.now() + 86_400_000),
      revokedAt: overrides.revokedAt ?? null,
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
  await db.entraGroupRole.deleteMany({});
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
  const groups = new Map([
    ["g-ops", "OPERATOR" as const],
    ["g-view", "VIEWER" as const],
  ]);
  it("takes the highest exact app role, else the highest mapped group, else none", () => {
    expect(roleOfClaims({ roles: ["Viewer", "Administrator"] }, groups)).toBe("ADMINISTRATOR");
    expect(roleOfClaims({ roles: ["administrator", "Reader"], groups: ["g-view", "g-ops"] }, groups)).toBe("OPERATOR");
    expect(roleOfClaims({ groups: ["G-VIEW"] }, groups)).toBe("VIEWER");
    expect(roleOfClaims({ roles: "Administrator" }, groups)).toBeNull();
    expect(roleOfClaims({}, groups)).toBeNull();
  });

  it("finds no role in names of Object.prototype's members", () => {
    for (const value of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      expect(roleOfClaims({ roles: [value] }, groups), value).toBeNull();
      expect(roleOfClaims({ roles: [value], groups: ["g-view"] }, groups), value).toBe("VIEWER");
    }
  });
});

describe("Entra tokens on the API", () => {
  let emu: RunningEmulator;
  const API = TEST_API.v2ApiAppId;
  const OID = "eeeeeeee-0000-4000-8000-000000000001";
  const v2Issuer = () => `${emu.loginUrl}/${TEST.homeTenantId}/v2.0`;

  beforeAll(async () => {
    emu = await startTestEmulator();
  });

  afterAll(async () => {
    await emu?.close();
  });

  /** Sign-in as the README sets it up (Audience = Client ID, v2 Issuer); the API registered as TEST_API's v2 API. */
  async function configure(overrides: Record<string, string> = {}) {
    await db.entraAuthSettings.create({
      data: {
        id: ENTRA_SETTINGS_ID,
        enabled: true,
        tenantId: TEST.homeTenantId,
        clientId: TEST.providerClientId,
        audience: TEST.providerClientId,
        issuer: `${emu.loginUrl}/{TenantId}/v2.0`,
        authority: `${emu.loginUrl}/{TenantId}/`,
        metadataAddress: `${emu.loginUrl}/{TenantId}/v2.0/.well-known/openid-configuration`,
        certificateThumbprint: "A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5F6A1B2",
        apiAudience: API,
        ...overrides,
      },
    });
  }

  /** A token signed with the key the tenant publishes, so only its claims decide. */
  function mint(claims: Record<string, unknown>) {
    const now = Math.floor(Date.now() / 1000);
    const base = { aud: API, iss: v2Issuer(), iat: now, nbf: now, exp: now + 3600, oid: OID, sub: "pairwise-sub", tid: TEST.homeTenantId, ver: "2.0" };
    return signJwt({ ...base, ...claims }, emu.state.activeSigningKey);
  }

  /** The claims of a v2.0 ID token with roles (Entra puts no azp, appid or scp in ID tokens). */
  const idToken = (extra: Record<string, unknown> = {}) =>
    mint({ name: "MSP Owner", preferred_username: `owner@${TEST.homeDomain}`, roles: ["Administrator"], ...extra });
  const accessToken = (extra: Record<string, unknown> = {}) =>
    mint({ azp: TEST_API.adminClientId, azpacr: "1", idtyp: "app", roles: ["Administrator"], ...extra });

  it("refuses an ID token carrying app roles or mapped groups (401 invalid_token); the same claims in an access token pass", async () => {
    await configure();
    await db.entraGroupRole.create({ data: { id: newId(), groupId: TEST.groupId, role: "OPERATOR" } });
    for (const token of [idToken(), idToken({ roles: undefined, groups: [TEST.groupId] })]) {
      const e = await refusal(bearer(token));
      expect(e.status).toBe(401);
      expect(e.detail).toMatch(/ID token, not an access token/);
      expect(e.options.headers?.["WWW-Authenticate"]).toMatch(/error="invalid_token"/);
    }
    expect(await authenticate(bearer(accessToken()), "203.0.113.7")).toMatchObject({
      kind: "entra_client",
      role: "ADMINISTRATOR",
      id: OID,
      label: TEST_API.adminClientId,
    });
    // v1.0 access tokens name the client in appid.
    expect(await authenticate(bearer(mint({ appid: TEST_API.adminClientId, appidacr: "1", groups: [TEST.groupId] })), "203.0.113.7")).toMatchObject({
      role: "OPERATOR",
    });
  });

  it("accepts a real client-credentials access token from the emulator", async () => {
    await configure();
    const { json } = await postForm(`${emu.loginUrl}/${TEST.homeTenantId}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: TEST_API.adminClientId,
      client_secret: TEST_API.adminSecret,
      scope: `${TEST_API.v2IdentifierUri}/.default`,
    });
    expect(await authenticate(bearer(String(json.access_token)), "203.0.113.7")).toMatchObject({ kind: "entra_client", role: "ADMINISTRATOR" });
  });

  it("validates with API Audience and API Issuer, not sign-in's Audience and Issuer; an empty API Issuer means the Issuer", async () => {
    await configure();
    // Issued for the sign-in app (sign-in's Audience): not for the API.
    expect((await refusal(bearer(accessToken({ aud: TEST.providerClientId })))).detail).toMatch(/not the configured API Audience/);
    // API Issuer empty: the Issuer (v2) applies.
    expect(await authenticate(bearer(accessToken()), "203.0.113.7")).toMatchObject({ role: "ADMINISTRATOR" });

    // API Issuer v1: sign-in's v2 Issuer no longer passes on the API, the v1 one does.
    await db.entraAuthSettings.update({ where: { id: ENTRA_SETTINGS_ID }, data: { apiIssuer: `${emu.loginUrl}/{TenantId}/` } });
    expect((await refusal(bearer(accessToken()))).detail).toMatch(/not the configured API Issuer/);
    const v1 = mint({ iss: `${emu.loginUrl}/${TEST.homeTenantId}/`, ver: "1.0", appid: TEST_API.adminClientId, roles: ["Viewer"] });
    expect(await authenticate(bearer(v1), "203.0.113.7")).toMatchObject({ role: "VIEWER" });
  });

  it("refuses every Entra token while API Audience is empty, and says where to set it", async () => {
    await configure({ apiAudience: "" });
    for (const token of [accessToken(), accessToken({ aud: TEST.providerClientId })]) {
      const e = await refusal(bearer(token));
      expect(e.status).toBe(401);
      expect(e.detail).toMatch(/no API Audience is set.*Settings → Entra Authentication/);
    }
  });

  it("refuses an access token whose time claims are no times", async () => {
    await configure();
    const e = await refusal(bearer(accessToken({ iat: "now" })));
    expect(e.detail).toMatch(/not a valid time: iat/);
  });
});
