import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, prepareDatabase, seedProvider, seedTenant } from "@/lib/verification/testing";

/** GET /api/v1/tenants/{id}/users and POST …/users/sync(/cancel), called as route handlers with API tokens. */

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

let emu: RunningEmulator;
let list: Handler;
let sync: Handler;
let cancel: Handler;
let jobs: typeof import("@/lib/jobs");
let tenantId = "";
let customerId = "";
const tokens: Record<"VIEWER" | "OPERATOR", string> = { VIEWER: "", OPERATOR: "" };
const customer = customerFixture(1);

beforeAll(async () => {
  await prepareDatabase("tac-users-rest-");
  const scenario = buildScenario([customer]);
  scenario.tenants.find((t) => t.id === customer.tenantId)!.generatedUsers = { count: 1_200, seed: "rest" };
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario });
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  tenantId = await seedTenant({ customer, method: "APP_REGISTRATION", customerId: "C-USERS-1" });
  customerId = "C-USERS-1";
  const { db } = await import("@/lib/db");
  const { generateApiToken } = await import("@/lib/api-tokens/format");
  const { newId } = await import("@/lib/ids");
  for (const role of ["VIEWER", "OPERATOR"] as const) {
    const t = generateApiToken();
    await db.apiToken.create({
      data: { id: newId(), name: `users-${role}`, role, tokenHash: t.hash, prefix: t.prefix, createdBy: "test", expiresAt: new Date(Date.now() + 86_400_000) },
    });
    tokens[role] = t.token;
  }
  list = (await import("@/app/api/v1/tenants/[id]/users/route")).GET as unknown as Handler;
  sync = (await import("@/app/api/v1/tenants/[id]/users/sync/route")).POST as unknown as Handler;
  cancel = (await import("@/app/api/v1/tenants/[id]/users/sync/cancel/route")).POST as unknown as Handler;
  jobs = await import("@/lib/jobs");
});

afterAll(async () => {
  await jobs?.stopJobEngine();
  await (await import("@/lib/db-direct")).closeDirectDatabase();
  await emu?.close();
});

async function call(handler: Handler, method: "GET" | "POST", id: string, role: "VIEWER" | "OPERATOR", query = "") {
  const path = method === "GET" ? `users${query}` : "users/sync";
  const res = await handler(new Request(`http://localhost/api/v1/tenants/${id}/${path}`, { method, headers: { authorization: `Bearer ${tokens[role]}` } }), {
    params: Promise.resolve({ id }),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { items?: { userPrincipalName: string }[]; sync?: Record<string, unknown> },
  };
}

describe("REST: a tenant's users", () => {
  it("lists nothing before the first sync, with the sync state NEVER", async () => {
    const r = await call(list, "GET", tenantId, "VIEWER");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ items: [], total: 0, page: 1, pageSize: 50, sync: { status: "NEVER", userCount: 0, lastSyncAt: null } });
  });

  it("POST …/users/sync starts the sync (202; a viewer is refused); GET then pages and searches the list", async () => {
    expect((await call(sync, "POST", tenantId, "VIEWER")).status).toBe(403);
    const started = await call(sync, "POST", customerId, "OPERATOR");
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ joined: false, runId: expect.any(String), state: { status: "RUNNING" } });
    await jobs.jobEngine().waitForRun(String(started.body.runId));

    const all = await call(list, "GET", tenantId, "VIEWER");
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 1_202, page: 1, pageSize: 50, sync: { status: "SUCCEEDED", userCount: 1_202, lastSyncMode: "full", runId: null } });
    expect(all.body.items).toHaveLength(50);
    expect(all.body.sync!.lastSyncAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const second = await call(list, "GET", tenantId, "VIEWER", "?q=user00000&pageSize=2&page=2");
    expect(second.body).toMatchObject({ total: 10, page: 2, pageSize: 2 });
    expect(second.body.items!.map((u) => u.userPrincipalName)).toEqual(["user000002@customer1.example.com", "user000003@customer1.example.com"]);

    const found = await call(list, "GET", customerId, "VIEWER", "?q=USER000123");
    expect(found.body.items).toEqual([
      {
        id: expect.any(String),
        userPrincipalName: "user000123@customer1.example.com",
        displayName: "Lena Hughes 123",
        mail: "user000123@customer1.example.com",
        accountEnabled: true,
        userType: "Member",
      },
    ]);
  });

  it("refuses bad queries (400), unknown tenants (404); cancelling when nothing runs changes nothing", async () => {
    expect((await call(list, "GET", tenantId, "VIEWER", "?pageSize=500")).status).toBe(400);
    expect((await call(list, "GET", tenantId, "VIEWER", "?colour=blue")).status).toBe(400);
    expect((await call(list, "GET", "no-such-tenant", "VIEWER")).status).toBe(404);
    expect((await call(sync, "POST", "no-such-tenant", "OPERATOR")).status).toBe(404);
    const res = await cancel(
      new Request(`http://localhost/api/v1/tenants/${tenantId}/users/sync/cancel`, { method: "POST", headers: { authorization: `Bearer ${tokens.OPERATOR}` } }),
      {
        params: Promise.resolve({ id: tenantId }),
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ cancelled: false, state: { status: "SUCCEEDED" } });
  });
});
