import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "./index.js";
import { buildTestScenario, postForm, TEST } from "./testing/index.js";
import { withTestEmulator } from "./testing/vitest-hooks.js";

let emu: RunningEmulator;

withTestEmulator((e) => (emu = e), { scenario: buildTestScenario() });

async function token(tenant: string, secret: string = TEST.providerSecret): Promise<{ status: number; json: Record<string, unknown> }> {
  return postForm(`${emu.loginUrl}/${tenant}/oauth2/v2.0/token`, {
    grant_type: "client_credentials",
    client_id: TEST.providerClientId,
    client_secret: secret,
    scope: `${emu.graphUrl}/.default`,
  });
}

async function appToken(tenant: string = TEST.homeTenantId): Promise<string> {
  const res = await token(tenant);
  expect(res.status).toBe(200);
  return String(res.json.access_token);
}

async function post(path: string, accessToken: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const response = await fetch(`${emu.graphUrl}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function passwordCredentials(accessToken: string): Promise<{ keyId: string; hint: string; secretText: unknown; displayName: unknown }[]> {
  const response = await fetch(`${emu.graphUrl}/v1.0/applications(appId='${TEST.providerClientId}')?$select=passwordCredentials`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { passwordCredentials: { keyId: string; hint: string; secretText: unknown; displayName: unknown }[] }).passwordCredentials;
}

function grantWrite(role = "Application.ReadWrite.OwnedBy") {
  emu.state.grantConsent(TEST.homeTenantId, TEST.providerClientId, { applicationPermissions: ["Application.Read.All", role] });
}

const errorOf = (body: Record<string, unknown> | undefined) => body?.error as { code: string; message: string } | undefined;

describe("Graph addPassword / removePassword on applications", () => {
  it("adds a secret with Application.ReadWrite.OwnedBy, returns its text once, lists it, and the token endpoint accepts it", async () => {
    grantWrite();
    const accessToken = await appToken();
    const added = await post(`/v1.0/applications(appId='${TEST.providerClientId}')/addPassword`, accessToken, {
      passwordCredential: { displayName: "rotation 1", endDateTime: "2031-01-01T00:00:00Z" },
    });
    expect(added.status).toBe(200);
    const credential = added.body!;
    expect(credential.displayName).toBe("rotation 1");
    expect(credential.endDateTime).toBe("2031-01-01T00:00:00.000Z");
    expect(typeof credential.secretText).toBe("string");
    expect(String(credential.secretText)).toHaveLength(40);
    expect(credential.hint).toBe(String(credential.secretText).slice(0, 3));
    expect(credential.keyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(String(credential.startDateTime))).toBeLessThanOrEqual(emu.state.clock.now());

    const listed = await passwordCredentials(accessToken);
    const entry = listed.find((c) => c.keyId === credential.keyId);
    expect(entry).toMatchObject({ hint: credential.hint, displayName: "rotation 1", secretText: null });

    expect((await token(TEST.contosoId, String(credential.secretText))).status).toBe(200);
    expect((await token(TEST.contosoId)).status).toBe(200);
  });

  it("addresses the application by object id too, defaults to two years, and removes a secret with 204", async () => {
    grantWrite("Application.ReadWrite.All");
    const accessToken = await appToken();
    const objectId = emu.state.findApp(TEST.providerClientId)!.objectId;
    const added = await post(`/v1.0/applications/${objectId}/addPassword`, accessToken, {});
    expect(added.status).toBe(200);
    const start = Date.parse(String(added.body!.startDateTime));
    const end = Date.parse(String(added.body!.endDateTime));
    expect(Math.round((end - start) / (24 * 3600 * 1000))).toBe(730);

    const removed = await post(`/v1.0/applications/${objectId}/removePassword`, accessToken, { keyId: added.body!.keyId });
    expect(removed.status).toBe(204);
    expect(removed.body).toBeUndefined();
    expect((await passwordCredentials(accessToken)).some((c) => c.keyId === added.body!.keyId)).toBe(false);
    const refused = await token(TEST.contosoId, String(added.body!.secretText));
    expect(refused.status).toBe(401);
    expect(String(refused.json.error_description)).toMatch(/^AADSTS7000215:/);
  });

  it("403 Authorization_RequestDenied without a write permission, and nothing changes", async () => {
    const accessToken = await appToken();
    const before = await passwordCredentials(accessToken);
    const added = await post(`/v1.0/applications(appId='${TEST.providerClientId}')/addPassword`, accessToken, { passwordCredential: {} });
    expect(added.status).toBe(403);
    expect(errorOf(added.body)).toMatchObject({ code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." });
    const removed = await post(`/v1.0/applications(appId='${TEST.providerClientId}')/removePassword`, accessToken, { keyId: before[0]!.keyId });
    expect(removed.status).toBe(403);
    expect(await passwordCredentials(accessToken)).toEqual(before);
    expect((await token(TEST.contosoId)).status).toBe(200);
  });

  it("the application is seen only in its home tenant; an unknown or malformed keyId is refused", async () => {
    emu.state.grantConsent(TEST.contosoId, TEST.providerClientId, { applicationPermissions: ["Application.ReadWrite.All"] });
    const foreign = await post(`/v1.0/applications(appId='${TEST.providerClientId}')/addPassword`, await appToken(TEST.contosoId), {});
    expect(foreign.status).toBe(404);
    expect(errorOf(foreign.body)?.code).toBe("Request_ResourceNotFound");

    grantWrite();
    const accessToken = await appToken();
    const path = `/v1.0/applications(appId='${TEST.providerClientId}')/removePassword`;
    const unknown = await post(path, accessToken, { keyId: "00000000-0000-4000-8000-000000000000" });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown.body)?.code).toBe("Request_ResourceNotFound");
    const malformed = await post(path, accessToken, { keyId: "not-a-guid" });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed.body)?.code).toBe("Request_BadRequest");
    const badDate = await post(`/v1.0/applications(appId='${TEST.providerClientId}')/addPassword`, accessToken, {
      passwordCredential: { endDateTime: "tomorrow" },
    });
    expect(badDate.status).toBe(400);
  });

  it("a new secret is refused with AADSTS7000215 for the configured propagation delay, then accepted", async () => {
    grantWrite();
    await emu.control.setSecretPropagationDelay(TEST.providerClientId, 30);
    const accessToken = await appToken();
    const added = await post(`/v1.0/applications(appId='${TEST.providerClientId}')/addPassword`, accessToken, { passwordCredential: { displayName: "slow" } });
    expect(added.status).toBe(200);
    const secret = String(added.body!.secretText);
    const early = await token(TEST.contosoId, secret);
    expect(early.status).toBe(401);
    expect(early.json.error).toBe("invalid_client");
    expect(String(early.json.error_description)).toMatch(/^AADSTS7000215:/);
    expect((await token(TEST.contosoId)).status).toBe(200);

    emu.state.advanceClock(31);
    expect((await token(TEST.contosoId, secret)).status).toBe(200);
  });

  it("the scenario's secretPropagationSeconds applies to secrets added through the control API too", async () => {
    const scenario = buildTestScenario();
    scenario.providerApp.secretPropagationSeconds = 10;
    emu.state.loadScenario(scenario);
    const added = emu.state.addSecret(TEST.providerClientId, { displayName: "pasted" });
    expect((await token(TEST.contosoId, added.secretText)).status).toBe(401);
    emu.state.advanceClock(11);
    expect((await token(TEST.contosoId, added.secretText)).status).toBe(200);
  });
});
