import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { decodeJwtPayload, providerClient, startTestEmulator, TEST, testCertificate } from "@/emulator/testing/index";
import { classifyFailure } from "./classify";
import { cloudEndpoints, type CloudEndpoints } from "./clouds";
import { defaultRetryPolicy } from "./http";
import { refreshDelegatedToken } from "./msal-clients";
import { protocolOf, tokenClient } from "./token-client";
import { acquireAppTokenV1, acquireTokenByPasswordV1, parseV1TokenResponse, refreshDelegatedTokenV1, refreshTokenFromCache } from "./v1-client";

let emu: RunningEmulator;
let endpoints: CloudEndpoints;
const policy = { ...defaultRetryPolicy, maxRetries: 1, timeoutMs: 5000 };

beforeAll(async () => {
  emu = await startTestEmulator();
  endpoints = cloudEndpoints("CUSTOM", { authorityHost: emu.authorityHost, graphHost: emu.graphHost });
});

afterAll(async () => {
  await emu?.close();
});

const base = () => ({ endpoints, clientId: TEST.providerClientId, tenant: TEST.contosoId, policy, resource: emu.graphUrl });
const secret = { kind: "secret" as const, secret: TEST.providerSecret };

describe("parseV1TokenResponse", () => {
  it("reads v1's string numbers, resource and absolute expiry", () => {
    const parsed = parseV1TokenResponse({
      token_type: "Bearer",
      expires_in: "3599",
      ext_expires_in: "3599",
      expires_on: "1767225600",
      not_before: "1767222001",
      resource: "https://graph.microsoft.com",
      access_token: "a.b.c",
      refresh_token: "r",
    });
    expect(parsed).toMatchObject({ expiresIn: 3599, extExpiresIn: 3599, resource: "https://graph.microsoft.com", refreshToken: "r" });
    expect(parsed!.expiresOn!.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(parsed!.notBefore!.toISOString()).toBe("2025-12-31T23:00:01.000Z");
  });

  it("falls back to expires_in when expires_on is missing, and refuses a body without a token", () => {
    const parsed = parseV1TokenResponse({ access_token: "x", expires_in: "60" }, 1_000_000);
    expect(parsed!.expiresOn!.getTime()).toBe(1_060_000);
    expect(parsed!.expiresIn).toBe(60);
    expect(parseV1TokenResponse({ access_token: "x", expires_in: "soon" })!.expiresIn).toBeNull();
    expect(parseV1TokenResponse({ error: "invalid_client" })).toBeNull();
  });
});

describe("the v1 client against the emulator", () => {
  it("gets an app-only token for the resource from /oauth2/token with a secret", async () => {
    emu.state.resetCounters();
    const r = await acquireAppTokenV1({ ...base(), credential: secret });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(decodeJwtPayload(r.accessToken)).toMatchObject({ aud: emu.graphUrl, appid: TEST.providerClientId, ver: "1.0", tid: TEST.contosoId });
    expect(r.expiresOn!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(emu.state.requestLog().map((e) => `${e.method} ${e.path.split("?")[0]}`)).toEqual([`POST /${TEST.contosoId}/oauth2/token`]);
  });

  it("signs a client assertion with the certificate", async () => {
    const cert = testCertificate();
    const r = await acquireAppTokenV1({
      ...base(),
      credential: {
        kind: "certificate",
        privateKeyPem: cert.keyPem,
        certificatePem: cert.certPem,
        thumbprintSha1: cert.thumbprintSha1,
        thumbprintSha256: cert.thumbprintSha256,
      },
    });
    expect(r.ok).toBe(true);
    const sha256Only = await acquireAppTokenV1({
      ...base(),
      credential: { kind: "certificate", privateKeyPem: cert.keyPem, thumbprintSha256: cert.thumbprintSha256 },
    });
    expect(sha256Only.ok).toBe(true);
  });

  it("classifies v1 error bodies like v2 ones", async () => {
    const bad = await acquireAppTokenV1({ ...base(), credential: { kind: "secret", secret: "not-the-secret" } });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.failure).toMatchObject({ flow: "client_credentials", kind: "server", httpStatus: 401, error: "invalid_client", errorCodes: [7000215] });
    expect(classifyFailure(bad.failure)).toBe("INVALID_SECRET");
    const expired = await acquireAppTokenV1({ ...base(), credential: { kind: "secret", secret: TEST.expiredProviderSecret } });
    expect(!expired.ok && classifyFailure(expired.failure)).toBe("SECRET_EXPIRED");
    const unknownTenant = await acquireAppTokenV1({ ...base(), tenant: "0b7c1d2e-0000-4000-8000-000000000000", credential: secret });
    expect(!unknownTenant.ok && classifyFailure(unknownTenant.failure)).toBe("TENANT_NOT_FOUND");
  });

  it("waits out a 429 with Retry-After on the same transport", async () => {
    emu.state.throttle({ scope: "token", retryAfterSeconds: 0.2, count: 1 });
    const r = await acquireAppTokenV1({ ...base(), credential: secret });
    expect(r.ok && r.attempts).toBe(2);
  });

  it("redeems a refresh token stored by msal-node (v2) and returns the rotated one in the same cache format", async () => {
    const cca = providerClient(emu, TEST.contosoId);
    const v2 = await cca.acquireTokenByUsernamePassword({
      username: TEST.admin,
      password: TEST.password,
      scopes: [`${emu.graphUrl}/.default`, "offline_access"],
    });
    const cacheJson = cca.getTokenCache().serialize();
    const before = refreshTokenFromCache(cacheJson, v2!.account!.homeAccountId)!;

    const r = await refreshDelegatedTokenV1({ ...base(), credential: secret, cacheJson, homeAccountId: v2!.account!.homeAccountId });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.account?.homeAccountId).toBe(v2!.account!.homeAccountId);
    const after = refreshTokenFromCache(r.cacheJson, r.account!.homeAccountId)!;
    expect(after.secret).not.toBe(before.secret);

    // …and msal-node (v2) redeems what the v1 client stored, so a registration can move between versions.
    const back = await refreshDelegatedToken({
      endpoints,
      clientId: TEST.providerClientId,
      credential: secret,
      tenant: TEST.contosoId,
      policy,
      cacheJson: r.cacheJson,
      homeAccountId: r.account!.homeAccountId,
    });
    expect(back.ok).toBe(true);
  });

  it("uses ROPC on v1 for the legacy method", async () => {
    const r = await acquireTokenByPasswordV1({ ...base(), credential: secret, username: TEST.reader, password: TEST.password });
    expect(r.ok && r.account?.username).toBe(TEST.reader);
  });
});

describe("tokenClient", () => {
  it("sends a v2 registration through msal-node and a v1 one to /oauth2/token", async () => {
    emu.state.resetCounters();
    const call = { endpoints, clientId: TEST.providerClientId, tenant: TEST.contosoId, policy, credential: secret };
    expect((await tokenClient(protocolOf({ tokenVersion: "v2", resource: null })).acquireAppToken(call)).ok).toBe(true);
    expect((await tokenClient(protocolOf({ tokenVersion: "v1", resource: `${emu.graphUrl}/` })).acquireAppToken(call)).ok).toBe(true);
    const paths = emu.state
      .requestLog()
      .filter((e) => e.kind === "token")
      .map((e) => e.path.split("?")[0]);
    expect(paths).toEqual([`/${TEST.contosoId}/oauth2/v2.0/token`, `/${TEST.contosoId}/oauth2/token`]);
    expect(() => protocolOf({ tokenVersion: "v1", resource: "" })).toThrow(/no Resource/);
  });
});
