import { request } from "node:https";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isLoopback } from "./http-util.js";
import type { RunningEmulator } from "./index.js";
import { tenantHashFraction } from "./state.js";
import { buildTestScenario, postForm, startTestEmulator, TEST } from "./testing/index.js";

/** Every control operation, driven through the HTTP control client the console's scripts use. */

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startTestEmulator({ host: "0.0.0.0" });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(async () => {
  await emu.control.reset();
});

const cc = (tenant: string, secret: string = TEST.providerSecret, clientId: string = TEST.providerClientId) =>
  postForm(`${emu.loginUrl}/${tenant}/oauth2/v2.0/token`, {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: secret,
    scope: `${emu.graphUrl}/.default`,
  });
const ropc = (username: string, password: string = TEST.password) =>
  postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
    grant_type: "password",
    client_id: TEST.providerClientId,
    client_secret: TEST.providerSecret,
    username,
    password,
    scope: `${emu.graphUrl}/User.Read offline_access`,
  });
const refresh = (token: unknown) =>
  postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
    grant_type: "refresh_token",
    client_id: TEST.providerClientId,
    client_secret: TEST.providerSecret,
    refresh_token: String(token),
    scope: `${emu.graphUrl}/User.Read`,
  });
const codes = (res: { json: Record<string, unknown> }) => res.json.error_codes;

describe("control API: directory", () => {
  it("loadScenario replaces the directory; reset restores it", async () => {
    const small = buildTestScenario();
    small.tenants = small.tenants.filter((t) => t.id !== TEST.northwindId);
    expect((await emu.control.loadScenario(small)).tenants).toBe(4);
    expect(codes(await cc(TEST.northwindId))).toEqual([90002]);
    await emu.control.loadScenario(buildTestScenario());
    expect((await cc(TEST.northwindId)).status).toBe(200);
  });

  it("rejects an invalid scenario with 400 and keeps the current directory", async () => {
    const broken = { ...buildTestScenario(), tenants: [{ id: "not-a-guid", displayName: "x", domains: [] }] };
    await expect(emu.control.loadScenario(broken as never)).rejects.toThrow(/\(400\)/);
    expect((await cc(TEST.contosoId)).status).toBe(200);
  });

  it("advanceClock moves token lifetimes and secret expiry", async () => {
    const secret = await emu.control.addSecret(TEST.providerClientId, { endDateTime: new Date(Date.now() + 3600_000).toISOString() });
    expect((await cc(TEST.contosoId, secret.secretText)).status).toBe(200);
    const moved = await emu.control.advanceClock(7200);
    expect(moved.offsetSeconds).toBe(7200);
    expect(codes(await cc(TEST.contosoId, secret.secretText))).toEqual([7000222]);
  });

  it("revokeConsent turns a working tenant into 700016", async () => {
    expect((await cc(TEST.contosoId)).status).toBe(200);
    await emu.control.revokeConsent(TEST.contosoId, TEST.providerClientId);
    expect(codes(await cc(TEST.contosoId))).toEqual([700016]);
    await emu.control.grantConsent(TEST.contosoId, TEST.providerClientId);
    expect((await cc(TEST.contosoId)).status).toBe(200);
  });

  it("addSecret returns the text once; expireSecret gives 7000222; removeSecret gives 7000215", async () => {
    const added = await emu.control.addSecret(TEST.tailspinAppId, { displayName: "rotated" });
    expect(added.secretText).toMatch(/^.{3}8Q~.{34}$/);
    expect(added.hint).toBe(added.secretText.slice(0, 3));
    expect((await cc(TEST.tailspinId, added.secretText, TEST.tailspinAppId)).status).toBe(200);
    await emu.control.expireSecret(TEST.tailspinAppId, added.keyId);
    expect(codes(await cc(TEST.tailspinId, added.secretText, TEST.tailspinAppId))).toEqual([7000222]);
    await emu.control.removeSecret(TEST.tailspinAppId, added.keyId);
    expect(codes(await cc(TEST.tailspinId, added.secretText, TEST.tailspinAppId))).toEqual([7000215]);
  });

  it("setRedirectUris changes which redirect URIs match exactly", async () => {
    const url = (redirect: string) =>
      `${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/authorize?client_id=${TEST.providerClientId}&response_type=code&scope=User.Read&redirect_uri=${encodeURIComponent(redirect)}`;
    expect((await fetch(url("http://localhost:4000/cb"), { redirect: "manual" })).status).toBe(400);
    await emu.control.setRedirectUris(TEST.providerClientId, [TEST.redirectUri, "http://localhost:4000/cb"]);
    expect((await fetch(url("http://localhost:4000/cb"), { redirect: "manual" })).status).toBe(200);
  });

  it("revokeUserRefreshTokens and changePassword (50173, then 50126 with the old password)", async () => {
    const login = await ropc(TEST.reader);
    await emu.control.advanceClock(1);
    await emu.control.revokeUserRefreshTokens(TEST.reader);
    expect(codes(await refresh(login.json.refresh_token))).toEqual([50173]);
    await emu.control.changePassword(TEST.reader, "Another-Passw0rd");
    expect(codes(await ropc(TEST.reader))).toEqual([50126]);
    expect((await ropc(TEST.reader, "Another-Passw0rd")).status).toBe(200);
  });

  it("setMfa, disableUser, setConditionalAccessBlock", async () => {
    await emu.control.setMfa(TEST.reader, true);
    expect(codes(await ropc(TEST.reader))).toEqual([50076]);
    await emu.control.setMfa(TEST.reader, false);
    await emu.control.disableUser(TEST.reader);
    expect(codes(await ropc(TEST.reader))).toEqual([50057]);
    await emu.control.disableUser(TEST.reader, false);
    await emu.control.setConditionalAccessBlock(TEST.reader, true);
    expect(codes(await ropc(TEST.reader))).toEqual([53003]);
  });

  it("setConsentPropagationDelay refuses app tokens with 700016 for that long after a consent, in that tenant only", async () => {
    await emu.control.revokeConsent(TEST.contosoId, TEST.providerClientId);
    await emu.control.setConsentPropagationDelay(TEST.contosoId, 30);
    await emu.control.grantConsent(TEST.contosoId, TEST.providerClientId);
    expect(codes(await cc(TEST.contosoId))).toEqual([700016]);
    await emu.control.advanceClock(20);
    expect(codes(await cc(TEST.contosoId))).toEqual([700016]);
    await emu.control.advanceClock(11);
    expect((await cc(TEST.contosoId)).status).toBe(200);

    // Another consent starts another delay; turned off (0), tokens come at once.
    await emu.control.revokeConsent(TEST.contosoId, TEST.providerClientId);
    await emu.control.grantConsent(TEST.contosoId, TEST.providerClientId);
    expect(codes(await cc(TEST.contosoId))).toEqual([700016]);
    await emu.control.setConsentPropagationDelay(TEST.contosoId, 0);
    expect((await cc(TEST.contosoId)).status).toBe(200);

    // clear-faults forgets it.
    await emu.control.setConsentPropagationDelay(TEST.contosoId, 30);
    await emu.control.clearFaults();
    expect((await cc(TEST.contosoId)).status).toBe(200);
  });

  it("setConsentPropagationDelay refuses an unknown tenant", async () => {
    await expect(emu.control.setConsentPropagationDelay("99999999-9999-4999-8999-999999999999", 10)).rejects.toThrow();
  });

  it("disableTenant blocks tokens (5000224) and Graph (401)", async () => {
    const token = String((await cc(TEST.contosoId)).json.access_token);
    await emu.control.disableTenant(TEST.contosoId);
    expect(codes(await cc(TEST.contosoId))).toEqual([5000224]);
    expect((await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});

describe("control API: faults", () => {
  it("setLatency delays token and Graph responses separately by at least the fixed part", async () => {
    const token = String((await cc(TEST.contosoId)).json.access_token);
    await emu.control.setLatency({ token: { fixedMs: 150, jitterMs: 20 }, graph: { fixedMs: 120, jitterMs: 0 } });
    let started = performance.now();
    expect((await cc(TEST.contosoId)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    started = performance.now();
    expect((await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  it("throttle the next K token requests with a fractional Retry-After", async () => {
    await emu.control.throttle({ scope: "token", count: 2, retryAfterSeconds: 2.5 });
    const first = await cc(TEST.contosoId);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("2.5");
    expect(first.json.error).toBe("temporarily_unavailable");
    expect((await cc(TEST.contosoId)).status).toBe(429);
    expect((await cc(TEST.contosoId)).status).toBe(200);
  });

  it("throttle Graph for listed tenants and for a stable fraction of tenants", async () => {
    const contoso = String((await cc(TEST.contosoId)).json.access_token);
    const northwind = String((await cc(TEST.northwindId)).json.access_token);
    await emu.control.throttle({ scope: "graph", tenantIds: [TEST.contosoId], retryAfterSeconds: 0.75 });
    const throttled = await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${contoso}` } });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("0.75");
    expect(((await throttled.json()) as { error: { code: string } }).error.code).toBe("TooManyRequests");
    expect((await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${northwind}` } })).status).toBe(200);

    await emu.control.clearFaults();
    const fraction = (tenantHashFraction(TEST.contosoId) + tenantHashFraction(TEST.northwindId)) / 2;
    await emu.control.throttle({ scope: "graph", tenantFraction: fraction, retryAfterSeconds: 1 });
    const statuses = await Promise.all(
      [contoso, northwind].map(async (t) => (await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${t}` } })).status),
    );
    expect(statuses.sort()).toEqual([200, 429]);
  });

  it("fail5xx returns the status for the next K requests", async () => {
    await emu.control.fail5xx({ scope: "token", count: 1, status: 503 });
    const failed = await cc(TEST.contosoId);
    expect(failed.status).toBe(503);
    expect(failed.json.error).toBe("temporarily_unavailable");
    expect((await cc(TEST.contosoId)).status).toBe(200);
    const token = String((await cc(TEST.contosoId)).json.access_token);
    await emu.control.fail5xx({ scope: "graph", count: 1, status: 500 });
    expect((await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(500);
  });

  it("hang leaves the next K requests unanswered until the client gives up", async () => {
    await emu.control.hang({ scope: "token", count: 1 });
    const hung = await fetch(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: TEST.providerClientId,
        client_secret: TEST.providerSecret,
        scope: `${emu.graphUrl}/.default`,
      }),
      signal: AbortSignal.timeout(300),
    }).catch((e: Error) => e);
    expect(hung).toBeInstanceOf(Error);
    expect((await cc(TEST.contosoId)).status).toBe(200);
  });

  it("clearFaults removes latency, throttles, failures and hangs", async () => {
    await emu.control.throttle({ scope: "token", retryAfterSeconds: 5 });
    await emu.control.fail5xx({ scope: "token", count: 5 });
    await emu.control.clearFaults();
    expect((await cc(TEST.contosoId)).status).toBe(200);
  });

  it("scenario-level throttleTenantIds throttles that tenant's Graph calls", async () => {
    const scenario = buildTestScenario();
    scenario.faults = { throttleTenantIds: [TEST.northwindId], retryAfterSeconds: 3.2 };
    await emu.control.loadScenario(scenario);
    const token = String((await cc(TEST.northwindId)).json.access_token);
    const res = await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3.2");
  });
});

describe("control API: interaction, counters, log, access", () => {
  it("armInteraction completes the next admin consent without HTML", async () => {
    await emu.control.armInteraction({ user: TEST.fabrikamAdmin, decision: "accept" });
    const res = await fetch(
      `${emu.loginUrl}/${TEST.fabrikamId}/v2.0/adminconsent?client_id=${TEST.providerClientId}&scope=${encodeURIComponent(`${emu.graphUrl}/.default`)}&redirect_uri=${encodeURIComponent(TEST.redirectUri)}&state=x`,
      { redirect: "manual" },
    );
    expect(new URL(res.headers.get("location")!).searchParams.get("tenant")).toBe(TEST.fabrikamId);
  });

  it("counters and requestLog record per-endpoint traffic; resetCounters clears them", async () => {
    await emu.control.resetCounters();
    await cc(TEST.contosoId);
    await cc("no-such.onmicrosoft.com");
    const token = String((await cc(TEST.contosoId)).json.access_token);
    await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${token}` } });
    await fetch(`${emu.graphUrl}/v1.0/users/${TEST.admin}`, { headers: { Authorization: `Bearer ${token}` } });
    await fetch(`${emu.loginUrl}/${TEST.contosoId}/v2.0/.well-known/openid-configuration`);
    await fetch(`${emu.loginUrl}/common/discovery/instance`);
    await fetch(`${emu.loginUrl}/${TEST.contosoId}/discovery/v2.0/keys`);
    const counters = await emu.control.counters();
    expect(counters.endpoints).toMatchObject({
      token: 3,
      "graph:/v1.0/organization": 1,
      "graph:/v1.0/users/{id}": 1,
      "discovery:openid": 1,
      "discovery:instance": 1,
      jwks: 1,
    });
    expect(counters.totals).toMatchObject({ token: 3, graph: 2, discovery: 3 });
    const log = await emu.control.requestLog();
    const failed = log.find((e) => e.errorCode === 90002);
    expect(failed).toMatchObject({ kind: "token", status: 400, error: "invalid_tenant" });
    await emu.control.resetCounters();
    expect((await emu.control.counters()).totals.token).toBe(0);
    expect(await emu.control.requestLog()).toEqual([]);
  });

  it("serves the control API to loopback only, and never on Microsoft-shaped paths", async () => {
    expect(isLoopback("127.0.0.1")).toBe(true);
    expect(isLoopback("::ffff:127.0.0.1")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("10.1.2.3")).toBe(false);
    expect((await fetch(`${emu.loginUrl}/${TEST.contosoId}/_emulator/counters`)).status).toBe(404);
    expect((await fetch(`${emu.graphUrl}/_emulator/counters`)).status).not.toBe(200);

    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal);
    if (!external) return;
    const port = new URL(emu.loginUrl).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: external.address, port, path: "/_emulator/counters", rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
