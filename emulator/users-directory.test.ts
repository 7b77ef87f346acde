import { describe, expect, it } from "vitest";
import { generatedUserId } from "./directory.js";
import type { RunningEmulator } from "./index.js";
import { buildTestScenario, postForm, TEST } from "./testing/index.js";
import { withTestEmulator } from "./testing/vitest-hooks.js";

let emu: RunningEmulator;

const GENERATED = 2_500;
const scenario = buildTestScenario();
const contoso = scenario.tenants.find((t) => t.id === TEST.contosoId)!;
contoso.generatedUsers = { count: GENERATED, seed: "directory-test" };
const explicitUsers = contoso.users?.length ?? 0;
const domain = (contoso.domains.find((d) => d.isDefault) ?? contoso.domains[0]!).name;

withTestEmulator((e) => (emu = e), { scenario });

async function appToken(): Promise<string> {
  const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
    grant_type: "client_credentials",
    client_id: TEST.providerClientId,
    client_secret: TEST.providerSecret,
    scope: `${emu.graphUrl}/.default`,
  });
  expect(res.status).toBe(200);
  return String(res.json.access_token);
}

type Page = { status: number; body: { value?: Record<string, unknown>[]; "@odata.nextLink"?: string; "@odata.deltaLink"?: string; error?: { code: string } } };

async function get(url: string, token: string, headers: Record<string, string> = {}): Promise<Page> {
  const res = await fetch(url.startsWith("http") ? url : `${emu.graphUrl}${url}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });
  return { status: res.status, body: (await res.json()) as Page["body"] };
}

/** Follows nextLinks verbatim to the end; returns every user and the final page. */
async function all(first: string, token: string, headers: Record<string, string> = {}) {
  const users: Record<string, unknown>[] = [];
  let url: string | undefined = first;
  let pages = 0;
  let last: Page | undefined;
  while (url) {
    last = await get(url, token, headers);
    expect(last.status).toBe(200);
    users.push(...(last.body.value ?? []));
    pages++;
    url = last.body["@odata.nextLink"];
  }
  return { users, pages, deltaLink: last!.body["@odata.deltaLink"] };
}

const SELECT = "id,userPrincipalName,displayName,mail,accountEnabled,userType";

describe("/users paging over a generated directory", () => {
  it("pages of $top (max 999, default 100) follow opaque nextLinks to every user once, with $select", async () => {
    const token = await appToken();
    const { users, pages } = await all(`/v1.0/users?$select=${SELECT}&$top=999`, token);
    expect(users).toHaveLength(explicitUsers + GENERATED);
    expect(pages).toBe(Math.ceil((explicitUsers + GENERATED) / 999));
    expect(new Set(users.map((u) => u.id)).size).toBe(users.length);
    expect(Object.keys(users[explicitUsers]!).sort()).toEqual(SELECT.split(",").sort());
    expect(users[explicitUsers]).toMatchObject({ id: generatedUserId("directory-test", TEST.contosoId, 0), userPrincipalName: `user000000@${domain}` });
    expect(users.some((u) => u.userType === "Guest") && users.some((u) => u.accountEnabled === false)).toBe(true);

    const first = await get("/v1.0/users", token);
    expect(first.body.value).toHaveLength(100);
    expect(first.body["@odata.nextLink"]).toMatch(/\$skiptoken=/);
    expect(first.body["@odata.nextLink"]).not.toMatch(/\$top/);
    expect((await get("/v1.0/users?$top=1000", token)).status).toBe(400);
  });

  it("a 100,000-user tenant is generated lazily and deterministically", async () => {
    const big = buildTestScenario();
    big.tenants.find((t) => t.id === TEST.contosoId)!.generatedUsers = { count: 100_000, seed: "big" };
    const started = performance.now();
    emu.state.loadScenario(big);
    try {
      expect(performance.now() - started).toBeLessThan(2_000);
      const token = await appToken();
      const count = await get("/v1.0/users?$count=true&$top=1&$select=id", token, { ConsistencyLevel: "eventual" });
      expect((count.body as Record<string, unknown>)["@odata.count"]).toBe(100_000 + explicitUsers);
      const last = await get(`/v1.0/users/${generatedUserId("big", TEST.contosoId, 99_999)}?$select=id,userPrincipalName`, token);
      expect(last.body).toMatchObject({ userPrincipalName: `user099999@${domain}` });
    } finally {
      emu.state.loadScenario(scenario);
    }
  });
});

describe("/users/delta", () => {
  it("lists everyone in pages of at most 200 and ends with a deltaLink; following it reports added, changed and removed users", async () => {
    const token = await appToken();
    const round = await all(`/v1.0/users/delta?$select=${SELECT}`, token);
    expect(round.users).toHaveLength(explicitUsers + GENERATED);
    expect(round.pages).toBe(Math.ceil((explicitUsers + GENERATED) / 200));
    expect(round.deltaLink).toMatch(/\/v1\.0\/users\/delta\?\$deltatoken=/);

    const quiet = await all(round.deltaLink!, token);
    expect(quiet.users).toEqual([]);

    const changedId = generatedUserId("directory-test", TEST.contosoId, 5);
    const removedId = generatedUserId("directory-test", TEST.contosoId, 6);
    const addedId = "cccccccc-0000-4000-8000-000000000001";
    await emu.control.addUser(TEST.contosoId, { id: addedId, userPrincipalName: `new@${TEST.contosoDomain}`, displayName: "New Person", userType: "Guest" });
    await emu.control.updateUser(TEST.contosoId, changedId, { displayName: "Renamed Person", accountEnabled: false });
    await emu.control.removeUser(TEST.contosoId, removedId);

    const changes = await all(quiet.deltaLink!, token);
    expect(changes.users).toEqual([
      { id: addedId, userPrincipalName: `new@${TEST.contosoDomain}`, displayName: "New Person", mail: null, accountEnabled: true, userType: "Guest" },
      expect.objectContaining({ id: changedId, displayName: "Renamed Person", accountEnabled: false }),
      { "@odata.type": "#microsoft.graph.user", id: removedId, "@removed": { reason: "changed" } },
    ]);
    // $select of the first request travels in the tokens.
    expect(Object.keys(changes.users[1]!).sort()).toEqual(SELECT.split(",").sort());
    expect((await all(changes.deltaLink!, token)).users).toEqual([]);
    expect((await all(`/v1.0/users?$top=999&$select=id`, token)).users).toHaveLength(explicitUsers + GENERATED);

    // Prefer: odata.maxpagesize asks for smaller pages; $deltatoken=latest answers a deltaLink without users.
    expect((await get(`/v1.0/users/delta?$select=id`, token, { Prefer: "odata.maxpagesize=50" })).body.value).toHaveLength(50);
    const latest = await get(`/v1.0/users/delta?$select=id&$deltatoken=latest`, token);
    expect(latest.body.value).toEqual([]);
    await emu.control.updateUser(TEST.contosoId, addedId, { mail: `new@${TEST.contosoDomain}` });
    expect((await all(latest.body["@odata.deltaLink"]!, token)).users).toEqual([{ id: addedId }]);
  });

  it("refuses delta links issued before invalidate-delta-tokens: 400 syncStateNotFound or 410 Gone", async () => {
    const token = await appToken();
    const { deltaLink } = await all(`/v1.0/users/delta?$select=id&$deltatoken=latest`, token);
    await emu.control.invalidateDeltaTokens(TEST.contosoId);
    const expired = await get(deltaLink!, token);
    expect(expired.status).toBe(400);
    expect(expired.body.error?.code).toBe("syncStateNotFound");

    const fresh = await all(`/v1.0/users/delta?$select=id&$deltatoken=latest`, token);
    expect((await get(fresh.deltaLink!, token)).status).toBe(200);
    await emu.control.invalidateDeltaTokens(TEST.contosoId, 410);
    const gone = await get(fresh.deltaLink!, token);
    expect(gone.status).toBe(410);
    expect(gone.body.error?.code).toBe("resyncRequired");
  });

  it("needs User.Read.All like /users", async () => {
    const res = await postForm(`${emu.loginUrl}/${TEST.northwindId}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      scope: `${emu.graphUrl}/.default`,
    });
    const denied = await get("/v1.0/users/delta?$select=id", String(res.json.access_token));
    expect(denied.status).toBe(403);
  });
});
