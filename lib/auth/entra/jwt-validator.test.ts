import { createHmac } from "node:crypto";
import { CompactSign, exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createEntraJwtValidator, MAX_TOKEN_LENGTH, type JwtRejection } from "./jwt-validator";
import { entraAuthDefaults, resolveEntraSettings } from "./settings-core";

const TENANT = "d0000000-0000-4000-8000-000000000000";
const OTHER_TENANT = "d0000000-0000-4000-8000-000000000001";
const AUDIENCE = "api://tenant-access-console";
const METADATA = `https://login.example/${TENANT}/v2.0/.well-known/openid-configuration`;
const JWKS = `https://login.example/${TENANT}/discovery/v2.0/keys`;
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

type Key = { kid: string; privateKey: CryptoKey; publicKey: CryptoKey };
async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, publicKey };
}

type FakeEntraOptions = { jwksUri?: string; keyIssuer?: string; metadataIssuer?: string };

/** A fake Entra: the discovery document and a JWKS whose keys a test can rotate; counts requests. */
function fakeEntra(initial: Key[], options: FakeEntraOptions = {}) {
  let published = initial;
  const jwksUri = options.jwksUri ?? JWKS;
  const counts = { metadata: 0, jwks: 0 };
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = String(input);
    if (url === METADATA) {
      counts.metadata++;
      return Response.json({ issuer: options.metadataIssuer ?? `https://login.example/${TENANT}/v2.0`, jwks_uri: jwksUri });
    }
    if (url === new URL(jwksUri).href) {
      counts.jwks++;
      const issuer = options.keyIssuer === undefined ? {} : { issuer: options.keyIssuer };
      const keys = await Promise.all(published.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, x5t: k.kid, use: "sig", ...issuer })));
      return Response.json({ keys });
    }
    return new Response("not found", { status: 404 });
  }) as typeof fetch;
  return {
    fetchImpl,
    counts,
    publish: (keys: Key[]) => {
      published = keys;
    },
  };
}

const settings = resolveEntraSettings({
  ...entraAuthDefaults,
  // These tests use v1.0 tokens (seed 001's issuer); the default is the v2.0 issuer of the console's sign-in.
  issuer: "https://sts.windows.net/{TenantId}/",
  enabled: true,
  tenantId: TENANT,
  clientId: "7ac0ffee-0000-4000-8000-000000000001",
  audience: AUDIENCE,
  metadataAddress: "https://login.example/{TenantId}/v2.0/.well-known/openid-configuration",
  requiredClaims: "tid={TenantId};roles",
});

function claims(overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(T0 / 1000);
  return { iss: `https://sts.windows.net/${TENANT}/`, aud: AUDIENCE, tid: TENANT, roles: ["Api.Read"], iat, nbf: iat, exp: iat + 3600, ...overrides };
}

async function sign(key: Key, payload: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid, ...header }).sign(key.privateKey);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/** Signs claims with one claim's JSON text written verbatim, for values JSON.stringify cannot produce (1e309). */
async function signRaw(key: Key, name: string, rawValue: string) {
  const json = JSON.stringify({ ...claims(), [name]: "RAW-VALUE" }).replace('"RAW-VALUE"', rawValue);
  return new CompactSign(new TextEncoder().encode(json)).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid }).sign(key.privateKey);
}

let current: Key;
let rotated: Key;
let stranger: Key;

beforeAll(async () => {
  [current, rotated, stranger] = await Promise.all([newKey("key-current"), newKey("key-rotated"), newKey("key-stranger")]);
});

describe("settings core", () => {
  it("expands {TenantId} in issuer, metadata address and required claims", () => {
    expect(settings.issuer).toBe(`https://sts.windows.net/${TENANT}/`);
    expect(settings.authority).toBe(`https://login.microsoftonline.com/${TENANT}/`);
    expect(settings.metadataAddress).toBe(METADATA);
    expect(settings.requiredClaims).toEqual([{ name: "tid", value: TENANT }, { name: "roles" }]);
    expect(settings.clockSkewSeconds).toBe(300);
    expect(settings.jwksCacheSeconds).toBe(3600);
    expect(settings.groupCacheSeconds).toBe(1800);
  });

  it("gives the REST API its own audience and issuer; an empty API Issuer is the Issuer", () => {
    expect(settings).toMatchObject({ apiAudience: "", apiIssuer: `https://sts.windows.net/${TENANT}/` });
    const api = resolveEntraSettings({
      ...entraAuthDefaults,
      tenantId: TENANT,
      apiAudience: " api://console ",
      apiIssuer: "https://login.microsoftonline.com/{TenantId}/v2.0",
    });
    expect(api).toMatchObject({
      apiAudience: "api://console",
      apiIssuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    });
  });

  it("defaults the sign-in Audience to the Client ID (an ID token's aud), and expands {ClientId} in both audiences", () => {
    expect(entraAuthDefaults.audience).toBe("{ClientId}");
    // And the Issuer to the v2.0 issuer of this console's ID tokens.
    expect(resolveEntraSettings({ ...entraAuthDefaults, tenantId: TENANT }).issuer).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    const clientId = "7ac0ffee-0000-4000-8000-000000000002";
    const resolved = resolveEntraSettings({ ...entraAuthDefaults, tenantId: TENANT, clientId, apiAudience: "api://{ClientId}" });
    expect(resolved.audience).toBe(clientId);
    expect(resolved.apiAudience).toBe(`api://${clientId}`);
    // A typed audience stays as typed.
    expect(resolveEntraSettings({ ...entraAuthDefaults, tenantId: TENANT, clientId, audience: "api://console" }).audience).toBe("api://console");
  });
});

describe("createEntraJwtValidator: hostile tokens", () => {
  type Case = { name: string; token: () => Promise<string> | string; reason: JwtRejection };
  const cases: Case[] = [
    { name: "alg none", token: () => `${b64({ alg: "none", typ: "JWT", kid: current.kid })}.${b64(claims())}.`, reason: "malformed" },
    { name: "alg none with a dummy signature", token: () => `${b64({ alg: "none", kid: current.kid })}.${b64(claims())}.AAAA`, reason: "unsupported_alg" },
    {
      name: "HS256 signed with the public key as HMAC secret",
      token: async () => {
        const pem = await exportSPKI(current.publicKey);
        const input = `${b64({ alg: "HS256", typ: "JWT", kid: current.kid })}.${b64(claims())}`;
        return `${input}.${createHmac("sha256", pem).update(input).digest("base64url")}`;
      },
      reason: "unsupported_alg",
    },
    {
      name: "RS256 header without kid",
      token: () => new SignJWT(claims()).setProtectedHeader({ alg: "RS256" }).sign(current.privateKey),
      reason: "missing_kid",
    },
    { name: "unknown kid", token: () => sign(stranger, claims()), reason: "unknown_kid" },
    { name: "known kid, signed by another key", token: () => sign(stranger, claims(), { kid: current.kid }), reason: "bad_signature" },
    { name: "expired beyond the skew", token: () => sign(current, claims({ exp: T0 / 1000 - 301 })), reason: "expired" },
    { name: "not yet valid beyond the skew", token: () => sign(current, claims({ nbf: T0 / 1000 + 301 })), reason: "not_yet_valid" },
    { name: "no exp", token: () => sign(current, { ...claims(), exp: undefined }), reason: "missing_exp" },
    {
      name: "wrong issuer (v2 issuer when v1 is configured)",
      token: () => sign(current, claims({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0` })),
      reason: "wrong_issuer",
    },
    { name: "issuer differing only in case", token: () => sign(current, claims({ iss: `https://STS.windows.net/${TENANT}/` })), reason: "wrong_issuer" },
    { name: "wrong audience", token: () => sign(current, claims({ aud: "https://database.windows.net/" })), reason: "wrong_audience" },
    { name: "audience with a trailing slash", token: () => sign(current, claims({ aud: `${AUDIENCE}/` })), reason: "wrong_audience" },
    { name: "missing required claim (roles)", token: () => sign(current, claims({ roles: undefined })), reason: "missing_claim" },
    { name: "empty required claim (roles: [])", token: () => sign(current, claims({ roles: [] })), reason: "missing_claim" },
    { name: "missing required claim (tid)", token: () => sign(current, claims({ tid: undefined })), reason: "missing_claim" },
    { name: "case-mismatched tid", token: () => sign(current, claims({ tid: TENANT.toUpperCase() })), reason: "claim_mismatch" },
    {
      name: "token from another tenant",
      token: () => sign(current, claims({ tid: OTHER_TENANT, iss: `https://sts.windows.net/${OTHER_TENANT}/` })),
      reason: "wrong_issuer",
    },
    { name: "another tenant's tid under our issuer", token: () => sign(current, claims({ tid: OTHER_TENANT })), reason: "claim_mismatch" },
    { name: "not a JWT", token: () => "not-a-jwt", reason: "malformed" },
    { name: "two segments", token: () => `${b64({ alg: "RS256", kid: current.kid })}.${b64(claims())}`, reason: "malformed" },
    { name: "header is not JSON", token: () => `${Buffer.from("{oops").toString("base64url")}.${b64(claims())}.AAAA`, reason: "malformed" },
    {
      name: "payload is not JSON",
      token: async () => {
        const [h, , s] = (await sign(current, claims())).split(".");
        return `${h}.${Buffer.from("[1,").toString("base64url")}.${s}`;
      },
      reason: "bad_signature",
    },
    { name: "empty string", token: () => "", reason: "malformed" },
    { name: "oversized", token: async () => sign(current, claims({ padding: "x".repeat(MAX_TOKEN_LENGTH) })), reason: "oversized" },
    // Lifetimes that are numbers to JavaScript but no time: 1e309 parses as Infinity.
    { name: "exp of 1e309 (never expires)", token: () => signRaw(current, "exp", "1e309"), reason: "invalid_time" },
    { name: "nbf of -1e309", token: () => signRaw(current, "nbf", "-1e309"), reason: "invalid_time" },
    { name: "iat of 1e309", token: () => signRaw(current, "iat", "1e309"), reason: "invalid_time" },
    { name: "iat of -1e309", token: () => signRaw(current, "iat", "-1e309"), reason: "invalid_time" },
    { name: "exp as a string", token: () => sign(current, claims({ exp: String(T0 / 1000 + 3600) })), reason: "invalid_time" },
    { name: "iat as a string", token: () => sign(current, claims({ iat: String(T0 / 1000) })), reason: "invalid_time" },
    { name: "issued in the future beyond the skew", token: () => sign(current, claims({ iat: T0 / 1000 + 301 })), reason: "issued_in_future" },
    // Audience: ours alone.
    {
      name: "aud array with an extra untrusted audience",
      token: () => sign(current, claims({ aud: [AUDIENCE, "api://someone-else"] })),
      reason: "wrong_audience",
    },
    {
      name: "aud array with the untrusted audience first",
      token: () => sign(current, claims({ aud: ["api://someone-else", AUDIENCE] })),
      reason: "wrong_audience",
    },
    { name: "empty aud array", token: () => sign(current, claims({ aud: [] })), reason: "wrong_audience" },
    { name: "no aud", token: () => sign(current, claims({ aud: undefined })), reason: "wrong_audience" },
    { name: "aud as a number", token: () => sign(current, claims({ aud: 1 })), reason: "wrong_audience" },
    // Value matches compare strings only (the configured tid=<tenant>).
    { name: "tid as an array holding our tenant", token: () => sign(current, claims({ tid: [TENANT] })), reason: "claim_mismatch" },
    { name: "tid as an array holding our tenant and another", token: () => sign(current, claims({ tid: [TENANT, OTHER_TENANT] })), reason: "claim_mismatch" },
  ];

  it.each(cases)("rejects $name", async ({ token, reason }) => {
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator(settings, { fetch: entra.fetchImpl, now: () => T0 });
    const result = await validator.validate(await token());
    expect(result).toMatchObject({ ok: false, reason });
  });

  it("accepts a valid token and tokens inside the clock skew", async () => {
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator(settings, { fetch: entra.fetchImpl, now: () => T0 });
    for (const overrides of [
      {},
      { exp: T0 / 1000 - 299 },
      { nbf: T0 / 1000 + 299 },
      { iat: T0 / 1000 + 299 },
      { iat: undefined },
      { aud: [AUDIENCE] },
      { aud: [AUDIENCE, AUDIENCE] },
    ]) {
      const result = await validator.validate(await sign(current, claims(overrides)));
      expect(result.ok, JSON.stringify(overrides)).toBe(true);
    }
    expect(entra.counts).toEqual({ metadata: 1, jwks: 1 });
  });

  it("00:00:00 clock skew disables tolerance", async () => {
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator({ ...settings, clockSkewSeconds: 0 }, { fetch: entra.fetchImpl, now: () => T0 });
    expect(await validator.validate(await sign(current, claims({ exp: T0 / 1000 - 1 })))).toMatchObject({ ok: false, reason: "expired" });
    expect(await validator.validate(await sign(current, claims({ nbf: T0 / 1000 + 1 })))).toMatchObject({ ok: false, reason: "not_yet_valid" });
    expect(await validator.validate(await sign(current, claims({ iat: T0 / 1000 + 1 })))).toMatchObject({ ok: false, reason: "issued_in_future" });
  });

  it("value matches are ordinal and presence-only entries accept any non-empty value", async () => {
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator(
      { ...settings, requiredClaims: [{ name: "tid", value: TENANT }, { name: "scp" }, { name: "roles" }] },
      { fetch: entra.fetchImpl, now: () => T0 },
    );
    expect((await validator.validate(await sign(current, claims({ scp: "x", roles: ["Api.Read", "Api.Write"] })))).ok).toBe(true);
    expect(await validator.validate(await sign(current, claims({ scp: "" })))).toMatchObject({ reason: "missing_claim", detail: "scp" });
    expect(await validator.validate(await sign(current, claims({ scp: "x", tid: TENANT.toUpperCase() })))).toMatchObject({
      reason: "claim_mismatch",
      detail: "tid",
    });
  });

  it("a value match never matches an array, a number or a boolean, only the exact string", async () => {
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator(
      {
        ...settings,
        requiredClaims: [
          { name: "roles", value: "Api.Write" },
          { name: "ver", value: "1" },
          { name: "xms_flag", value: "true" },
        ],
      },
      { fetch: entra.fetchImpl, now: () => T0 },
    );
    const check = async (overrides: Record<string, unknown>) =>
      validator.validate(await sign(current, claims({ roles: "Api.Write", ver: "1", xms_flag: "true", ...overrides })));
    expect((await check({})).ok).toBe(true);
    expect(await check({ roles: ["Api.Write"] })).toMatchObject({ reason: "claim_mismatch", detail: "roles" });
    expect(await check({ roles: ["Api.Read", "Api.Write"] })).toMatchObject({ reason: "claim_mismatch", detail: "roles" });
    expect(await check({ ver: 1 })).toMatchObject({ reason: "claim_mismatch", detail: "ver" });
    expect(await check({ ver: "1.0" })).toMatchObject({ reason: "claim_mismatch", detail: "ver" });
    expect(await check({ xms_flag: true })).toMatchObject({ reason: "claim_mismatch", detail: "xms_flag" });
  });

  it("a required claim named like an Object.prototype member must be in the token itself", async () => {
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator(
      { ...settings, requiredClaims: [{ name: "constructor" }, { name: "toString", value: "x" }] },
      { fetch: entra.fetchImpl, now: () => T0 },
    );
    expect(await validator.validate(await sign(current, claims()))).toMatchObject({ reason: "missing_claim", detail: "constructor" });
    expect((await validator.validate(await sign(current, claims({ constructor: "c", toString: "x" })))).ok).toBe(true);
  });
});

describe("createEntraJwtValidator: the issuer of the signing key", () => {
  const V2_TEMPLATE = "https://login.example/{tenantid}/v2.0";
  const v2Settings = { ...settings, issuer: `https://login.example/${TENANT}/v2.0` };

  it("a key with Entra's v2 issuer template signs v2 tokens of the tenant, and v1 tokens through the metadata issuer", async () => {
    const entra = fakeEntra([current], { keyIssuer: V2_TEMPLATE });
    const v2 = createEntraJwtValidator(v2Settings, { fetch: entra.fetchImpl, now: () => T0 });
    expect((await v2.validate(await sign(current, claims({ iss: v2Settings.issuer })))).ok).toBe(true);
    const v1 = createEntraJwtValidator(settings, { fetch: entra.fetchImpl, now: () => T0 });
    expect((await v1.validate(await sign(current, claims()))).ok).toBe(true);
  });

  it.each([
    ["for another tenant", `https://login.example/${OTHER_TENANT}/v2.0`],
    ["for another cloud", "https://login.partner.example/{tenantid}/v2.0"],
    ["for a fixed issuer that is not the token's", "https://issuer.example/"],
  ])("refuses a token signed by a key published %s", async (_, keyIssuer) => {
    const entra = fakeEntra([current], { keyIssuer });
    const validator = createEntraJwtValidator(v2Settings, { fetch: entra.fetchImpl, now: () => T0 });
    expect(await validator.validate(await sign(current, claims({ iss: v2Settings.issuer })))).toMatchObject({ ok: false, reason: "wrong_key_issuer" });
  });

  it("refuses a template key's token without a tid, or whose tid is not in its issuer", async () => {
    const entra = fakeEntra([current], { keyIssuer: V2_TEMPLATE });
    const validator = createEntraJwtValidator({ ...v2Settings, requiredClaims: [] }, { fetch: entra.fetchImpl, now: () => T0 });
    expect(await validator.validate(await sign(current, claims({ iss: v2Settings.issuer, tid: undefined })))).toMatchObject({ reason: "wrong_key_issuer" });
    expect(await validator.validate(await sign(current, claims({ iss: v2Settings.issuer, tid: OTHER_TENANT })))).toMatchObject({ reason: "wrong_key_issuer" });
  });
});

describe("createEntraJwtValidator: where the keys come from", () => {
  it("refuses a jwks_uri that is not https, without fetching it", async () => {
    const entra = fakeEntra([current], { jwksUri: `http://login.example/${TENANT}/discovery/v2.0/keys` });
    const validator = createEntraJwtValidator(settings, { fetch: entra.fetchImpl, now: () => T0, allowJwksHost: () => true });
    expect(await validator.validate(await sign(current, claims()))).toMatchObject({
      ok: false,
      reason: "keys_unavailable",
      detail: expect.stringMatching(/not https/),
    });
    expect(entra.counts.jwks).toBe(0);
  });

  it("refuses a jwks_uri on another host (or port) unless allowJwksHost allows it", async () => {
    for (const jwksUri of ["https://keys.example/discovery/v2.0/keys", `https://login.example:8443/${TENANT}/discovery/v2.0/keys`]) {
      const entra = fakeEntra([current], { jwksUri });
      const refused = createEntraJwtValidator(settings, { fetch: entra.fetchImpl, now: () => T0 });
      expect(await refused.validate(await sign(current, claims()))).toMatchObject({
        ok: false,
        reason: "keys_unavailable",
        detail: expect.stringMatching(/host/),
      });
      expect(entra.counts.jwks).toBe(0);

      const asked: string[] = [];
      const allowed = createEntraJwtValidator(settings, {
        fetch: entra.fetchImpl,
        now: () => T0,
        allowJwksHost: (host) => (asked.push(host), host === new URL(jwksUri).host),
      });
      expect((await allowed.validate(await sign(current, claims()))).ok).toBe(true);
      expect(asked).toEqual([new URL(jwksUri).host]);
    }
  });

  it("asks nothing for a jwks_uri on the Metadata Address's own host", async () => {
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator(settings, { fetch: entra.fetchImpl, now: () => T0, allowJwksHost: () => false });
    expect((await validator.validate(await sign(current, claims()))).ok).toBe(true);
  });
});

describe("createEntraJwtValidator: signing keys", () => {
  it("refreshes once for an unknown kid before rotation, then rate-limits; accepts the new key after rotation", async () => {
    let now = T0;
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator(settings, { fetch: entra.fetchImpl, now: () => now });
    expect((await validator.validate(await sign(current, claims()))).ok).toBe(true);
    expect(entra.counts.jwks).toBe(1);

    // Before rotation: an unknown kid forces one refresh, which does not find it.
    expect(await validator.validate(await sign(rotated, claims()))).toMatchObject({ ok: false, reason: "unknown_kid" });
    expect(entra.counts.jwks).toBe(2);
    // A flood of unknown kids within the interval causes no further fetches.
    for (let i = 0; i < 5; i++) await validator.validate(await sign(stranger, claims()));
    expect(entra.counts.jwks).toBe(2);

    // After rotation (and the rate-limit interval), the new key is fetched on demand.
    entra.publish([current, rotated]);
    now += 31_000;
    expect((await validator.validate(await sign(rotated, claims()))).ok).toBe(true);
    expect(entra.counts.jwks).toBe(3);
    // Old key dropped from the JWKS: tokens signed with it fail once the cache has been refreshed.
    entra.publish([rotated]);
    now += 3600_000;
    expect(await validator.validate(await sign(current, claims()))).toMatchObject({ ok: false, reason: "unknown_kid" });
  });

  it("a signature failure with a known kid forces one refresh (key replaced under the same kid)", async () => {
    let now = T0;
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator(settings, { fetch: entra.fetchImpl, now: () => now });
    expect((await validator.validate(await sign(current, claims()))).ok).toBe(true);
    const replacement = { ...rotated, kid: current.kid };
    entra.publish([replacement]);
    now += 1000;
    expect((await validator.validate(await sign(replacement, claims()))).ok).toBe(true);
    expect(entra.counts.jwks).toBe(2);
  });

  it("caches keys for the JWKS Keys Cache Duration; 00:00:00 disables the cache", async () => {
    let now = T0;
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator({ ...settings, jwksCacheSeconds: 60 }, { fetch: entra.fetchImpl, now: () => now });
    await validator.validate(await sign(current, claims()));
    now += 59_000;
    await validator.validate(await sign(current, claims()));
    expect(entra.counts.jwks).toBe(1);
    now += 2_000;
    await validator.validate(await sign(current, claims()));
    expect(entra.counts.jwks).toBe(2);

    const uncached = fakeEntra([current]);
    const noCache = createEntraJwtValidator({ ...settings, jwksCacheSeconds: 0 }, { fetch: uncached.fetchImpl, now: () => T0 });
    await noCache.validate(await sign(current, claims()));
    await noCache.validate(await sign(current, claims()));
    expect(uncached.counts.jwks).toBe(2);
  });

  it("reports keys_unavailable when the metadata address cannot be read", async () => {
    const failing = (async () => new Response("down", { status: 503 })) as typeof fetch;
    const validator = createEntraJwtValidator(settings, { fetch: failing, now: () => T0 });
    expect(await validator.validate(await sign(current, claims()))).toMatchObject({ ok: false, reason: "keys_unavailable" });
  });
});
