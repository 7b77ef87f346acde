import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "./index.js";
import { signJwt } from "./jwt.js";
import { buildTestScenario, postForm, TEST } from "./testing/index.js";
import { withTestEmulator } from "./testing/vitest-hooks.js";

let emu: RunningEmulator;

withTestEmulator((e) => (emu = e), { scenario: buildTestScenario({ extraUsers: 150 }) });

async function appToken(tenant: string, secret: string = TEST.providerSecret, clientId: string = TEST.providerClientId): Promise<string> {
  const res = await postForm(`${emu.loginUrl}/${tenant}/oauth2/v2.0/token`, {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: secret,
    scope: `${emu.graphUrl}/.default`,
  });
  expect(res.status).toBe(200);
  return String(res.json.access_token);
}

async function userToken(username: string, scope = `${emu.graphUrl}/User.Read ${emu.graphUrl}/Organization.Read.All`): Promise<string> {
  const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
    grant_type: "password",
    client_id: TEST.providerClientId,
    client_secret: TEST.providerSecret,
    username,
    password: TEST.password,
    scope,
  });
  expect(res.status).toBe(200);
  return String(res.json.access_token);
}

async function graph(
  path: string,
  token: string | undefined,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers = new Headers(init.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  const response = await fetch(`${emu.graphUrl}${path}`, { ...init, headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

function errorCode(body: Record<string, unknown>): string | undefined {
  return (body.error as { code?: string } | undefined)?.code;
}

describe("Graph authentication", () => {
  it("401 InvalidAuthenticationToken for missing, malformed, expired, wrong-audience and foreign-signed tokens", async () => {
    expect(errorCode((await graph("/v1.0/organization", undefined)).body)).toBe("InvalidAuthenticationToken");
    expect((await graph("/v1.0/organization", "not-a-jwt")).status).toBe(401);

    const token = await appToken(TEST.contosoId);
    emu.state.advanceClock(3600);
    const expired = await graph("/v1.0/organization", token);
    expect(expired.status).toBe(401);
    expect(errorCode(expired.body)).toBe("InvalidAuthenticationToken");
    emu.state.reset();

    const now = Math.floor(Date.now() / 1000);
    const wrongAud = signJwt(
      {
        aud: "https://management.azure.com",
        iss: `${emu.loginUrl}/${TEST.contosoId}/`,
        tid: TEST.contosoId,
        exp: now + 600,
        nbf: now,
        roles: ["Organization.Read.All"],
      },
      emu.state.activeAccessTokenKey,
    );
    expect((await graph("/v1.0/organization", wrongAud)).status).toBe(401);

    const forged = `${token.split(".").slice(0, 2).join(".")}.${Buffer.from("forged").toString("base64url")}`;
    expect((await graph("/v1.0/organization", forged)).status).toBe(401);
  });

  it("403 Authorization_RequestDenied when application roles are missing", async () => {
    const token = await appToken(TEST.northwindId);
    expect((await graph("/v1.0/organization", token)).status).toBe(200);
    const users = await graph("/v1.0/users", token);
    expect(users.status).toBe(403);
    expect(errorCode(users.body)).toBe("Authorization_RequestDenied");
    const inner = (users.body.error as { innerError: Record<string, string> }).innerError;
    expect(inner["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(inner.date).toBeTruthy();
  });

  it("403 when a delegated scope is missing; /me is delegated-only", async () => {
    const token = await userToken(TEST.reader, `${emu.graphUrl}/User.Read`);
    expect((await graph("/v1.0/me", token)).status).toBe(200);
    expect(errorCode((await graph("/v1.0/groups", token)).body)).toBe("Authorization_RequestDenied");
    const app = await appToken(TEST.contosoId);
    expect((await graph("/v1.0/me", app)).status).toBe(400);
  });
});

describe("Graph resources", () => {
  it("/organization has Graph's envelope; User.Read alone fills only id, displayName, verifiedDomains", async () => {
    const full = await graph("/v1.0/organization", await appToken(TEST.contosoId));
    expect(full.body["@odata.context"]).toBe(`${emu.graphUrl}/v1.0/$metadata#organization`);
    const org = (full.body.value as Record<string, unknown>[])[0]!;
    expect(org).toMatchObject({ id: TEST.contosoId, displayName: "Contoso Test", tenantType: "AAD" });
    const limited = await graph("/v1.0/organization", await userToken(TEST.reader, `${emu.graphUrl}/User.Read`));
    const limitedOrg = (limited.body.value as Record<string, unknown>[])[0]!;
    expect(limitedOrg.verifiedDomains).toHaveLength(2);
    expect(limitedOrg.tenantType).toBeNull();
  });

  it("/users pages with $top and opaque nextLink, honours $select and $count (ConsistencyLevel: eventual)", async () => {
    const token = await appToken(TEST.contosoId);
    const first = await graph("/v1.0/users?$top=50&$select=id,userPrincipalName", token);
    expect(first.body["@odata.context"]).toBe(`${emu.graphUrl}/v1.0/$metadata#users(id,userPrincipalName)`);
    expect(Object.keys((first.body.value as Record<string, unknown>[])[0]!).sort()).toEqual(["id", "userPrincipalName"]);
    const seen = new Set<string>();
    let next: string | undefined = `/v1.0/users?$top=50`;
    while (next) {
      const page = await graph(next, token);
      for (const u of page.body.value as { id: string }[]) seen.add(u.id);
      const link = page.body["@odata.nextLink"] as string | undefined;
      next = link ? link.slice(emu.graphUrl.length) : undefined;
    }
    expect(seen.size).toBe(155);
    const counted = await graph("/v1.0/users?$count=true&$top=1", token, { headers: { ConsistencyLevel: "eventual" } });
    expect(counted.body["@odata.count"]).toBe(155);
    expect((await graph("/v1.0/users?$count=true", token)).status).toBe(400);
    expect((await graph("/v1.0/users?$top=1000", token)).status).toBe(400);
  });

  it("/groups, /me/memberOf and /users/{upn}", async () => {
    const app = await appToken(TEST.contosoId);
    const groups = await graph("/v1.0/groups", app);
    expect((groups.body.value as { displayName: string }[]).map((g) => g.displayName)).toEqual(["Dental Staff"]);
    const user = await graph(`/v1.0/users/${encodeURIComponent(TEST.admin)}`, app);
    expect(user.body.userPrincipalName).toBe(TEST.admin);
    expect((await graph("/v1.0/users/00000000-0000-4000-8000-000000000000", app)).body.error).toMatchObject({ code: "Request_ResourceNotFound" });
    const delegated = await userToken(TEST.admin);
    const memberOf = await graph("/v1.0/me/memberOf", delegated);
    const types = (memberOf.body.value as Record<string, string>[]).map((o) => o["@odata.type"]);
    expect(types).toEqual(["#microsoft.graph.group", "#microsoft.graph.directoryRole"]);
  });

  it("/applications?$filter=appId eq shows password credentials with end dates and no secret text", async () => {
    const token = await appToken(TEST.homeTenantId);
    const res = await graph(
      `/v1.0/applications?$filter=${encodeURIComponent(`appId eq '${TEST.providerClientId}'`)}&$select=id,appId,displayName,passwordCredentials,keyCredentials`,
      token,
    );
    expect(res.status).toBe(200);
    const app = (
      res.body.value as { appId: string; passwordCredentials: { endDateTime: string; hint: string; secretText: null }[]; keyCredentials: unknown[] }[]
    )[0]!;
    expect(app.appId).toBe(TEST.providerClientId);
    expect(app.passwordCredentials.map((p) => p.hint).sort()).toEqual(["old", "prv"]);
    expect(app.passwordCredentials.every((p) => p.secretText === null && Boolean(Date.parse(p.endDateTime)))).toBe(true);
    expect(app.keyCredentials).toHaveLength(1);
    const byAppId = await graph(`/v1.0/applications(appId='${TEST.providerClientId}')`, token);
    expect(byAppId.body.appId).toBe(TEST.providerClientId);
  });

  it("/servicePrincipals lists the provider app in a consented tenant", async () => {
    const res = await graph(`/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${TEST.providerClientId}'`)}`, await appToken(TEST.northwindId));
    expect(res.status).toBe(403);
    const ok = await graph("/v1.0/servicePrincipals", await appToken(TEST.contosoId));
    expect((ok.body.value as { appId: string }[]).map((s) => s.appId)).toContain(TEST.providerClientId);
  });
});

describe("$batch", () => {
  it("runs up to 20 sub-requests with one token and rejects 21", async () => {
    const token = await appToken(TEST.contosoId);
    const res = await graph("/v1.0/$batch", token, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        requests: [
          { id: "1", method: "GET", url: "/organization" },
          { id: "2", method: "GET", url: "/users?$top=1" },
          { id: "3", method: "GET", url: "/nope" },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const responses = res.body.responses as { id: string; status: number }[];
    expect(responses.map((r) => [r.id, r.status])).toEqual([
      ["1", 200],
      ["2", 200],
      ["3", 400],
    ]);
    const tooMany = await graph("/v1.0/$batch", token, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: "GET", url: "/organization" })) }),
    });
    expect(tooMany.status).toBe(400);
  });

  it("throttles sub-requests individually inside a 200 batch", async () => {
    const token = await appToken(TEST.contosoId);
    emu.state.throttle({ scope: "graph", count: 1, retryAfterSeconds: 1.5 });
    const res = await graph("/v1.0/$batch", token, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        requests: [
          { id: "1", method: "GET", url: "/organization" },
          { id: "2", method: "GET", url: "/organization" },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const responses = res.body.responses as { id: string; status: number; headers: Record<string, string> }[];
    expect(responses.map((r) => r.status)).toEqual([429, 200]);
    expect(responses[0]!.headers["Retry-After"]).toBe("1.5");
  });
});
