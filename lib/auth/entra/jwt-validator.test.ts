import { createHmac } from "node:crypto";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from "jose";
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

/** A fake Entra: the discovery document and a JWKS whose keys a test can rotate; counts requests. */
function fakeEntra(initial: Key[]) {
  let published = initial;
  const counts = { metadata: 0, jwks: 0 };
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = String(input);
    if (url === METADATA) {
      counts.metadata++;
      return Response.json({ issuer: `https://login.example/${TENANT}/v2.0`, jwks_uri: JWKS });
    }
    if (url === JWKS) {
      counts.jwks++;
      const keys = await Promise.all(published.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, x5t: k.kid, use: "sig" })));
      return Response.json({ keys });
    }
    return new Response("not found", { status: 404 });
  }) as typeof fetch;
  return { fetchImpl, counts, publish: (keys: Key[]) => { published = keys; } };
}

const settings = resolveEntraSettings({
  ...entraAuthDefaults,
  enabled: true,
  tenantId: TENANT,
  clientId: "7ac0ffee-0000-4000-8000-000000000001",
  audience: AUDIENCE,
  metadataAddress: "https://login.example/{TenantId}/v2.0/.well-known/openid-configuration",
  requiredClaims: "tid={TenantId};roles",
});

function claims(overrides: JWTPayload & Record<string, unknown> = {}) {
  const iat = Math.floor(T0 / 1000);
  return { iss: `https://sts.windows.net/${TENANT}/`, aud: AUDIENCE, tid: TENANT, roles: ["Api.Read"], iat, nbf: iat, exp: iat + 3600, ...overrides };
}

async function sign(key: Key, payload: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid, ...header }).sign(key.privateKey);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

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
    { name: "RS256 header without kid", token: () => new SignJWT(claims()).setProtectedHeader({ alg: "RS256" }).sign(current.privateKey), reason: "missing_kid" },
    { name: "unknown kid", token: () => sign(stranger, claims()), reason: "unknown_kid" },
    { name: "known kid, signed by another key", token: () => sign(stranger, claims(), { kid: current.kid }), reason: "bad_signature" },
    { name: "expired beyond the skew", token: () => sign(current, claims({ exp: T0 / 1000 - 301 })), reason: "expired" },
    { name: "not yet valid beyond the skew", token: () => sign(current, claims({ nbf: T0 / 1000 + 301 })), reason: "not_yet_valid" },
    { name: "no exp", token: () => sign(current, { ...claims(), exp: undefined }), reason: "missing_exp" },
    { name: "wrong issuer (v2 issuer when v1 is configured)", token: () => sign(current, claims({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0` })), reason: "wrong_issuer" },
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
    { name: "payload is not JSON", token: async () => { const [h, , s] = (await sign(current, claims())).split("."); return `${h}.${Buffer.from("[1,").toString("base64url")}.${s}`; }, reason: "bad_signature" },
    { name: "empty string", token: () => "", reason: "malformed" },
    { name: "oversized", token: async () => sign(current, claims({ padding: "x".repeat(MAX_TOKEN_LENGTH) })), reason: "oversized" },
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
    for (const overrides of [{}, { exp: T0 / 1000 - 299 }, { nbf: T0 / 1000 + 299 }]) {
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
  });

  it("value matches are ordinal and presence-only entries accept any non-empty value", async () => {
    const entra = fakeEntra([current]);
    const validator = createEntraJwtValidator(
      { ...settings, requiredClaims: [{ name: "tid", value: TENANT }, { name: "scp" }, { name: "roles", value: "Api.Write" }] },
      { fetch: entra.fetchImpl, now: () => T0 },
    );
    expect((await validator.validate(await sign(current, claims({ scp: "x", roles: ["Api.Read", "Api.Write"] })))).ok).toBe(true);
    expect(await validator.validate(await sign(current, claims({ scp: "x", roles: ["api.write"] })))).toMatchObject({ reason: "claim_mismatch" });
    expect(await validator.validate(await sign(current, claims({ scp: "" })))).toMatchObject({ reason: "missing_claim" });
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
