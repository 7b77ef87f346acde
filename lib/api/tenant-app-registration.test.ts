import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, prepareDatabase, seedProvider, seedTenant } from "@/lib/verification/testing";

// The REST API's customer-owned app registration (source 004): PUT takes the secret write-only and
// verifies the tenant with it; GET, PUT's answer, the tenant's detail and the audit never contain it.

type Route = typeof import("@/app/api/v1/tenants/[id]/app-registration/route");

let emu: RunningEmulator;
let route: Route;
let db: (typeof import("@/lib/db"))["db"];
let adminToken = "";
let viewerToken = "";
const customer = customerFixture(1, { ownApp: true });
const own = customer.ownApp!;

beforeAll(async () => {
  await prepareDatabase("tac-api-own-app-");
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario([customer]) });
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  db = (await import("@/lib/db")).db;
  route = await import("@/app/api/v1/tenants/[id]/app-registration/route");
  const { generateApiToken } = await import("@/lib/api-tokens/format");
  const { newId } = await import("@/lib/ids");
  const token = async (role: "ADMINISTRATOR" | "VIEWER") => {
    const t = generateApiToken();
    await db.apiToken.create({
      data: {
        id: newId(),
        name: `own-app ${role}`,
        role,
        tokenHash: t.hash,
        prefix: t.prefix,
        createdBy: "test",
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    return t.token;
  };
  adminToken = await token("ADMINISTRATOR");
  viewerToken = await token("VIEWER");
});

afterAll(async () => {
  await emu?.close();
});

function call(handler: (r: Request, c: { params: Promise<Record<string, string>> }) => Promise<Response>, id: string, token: string, body?: unknown) {
  const init: RequestInit = {
    method: body === undefined ? "GET" : "PUT",
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
  return handler(new Request(`http://localhost/api/v1/tenants/${id}/app-registration`, init), { params: Promise.resolve({ id }) });
}

describe("PUT/GET /tenants/{id}/app-registration", () => {
  it("stores the customer's app registration write-only, verifies the tenant with it, and never answers with the secret", async () => {
    const id = await seedTenant({ customer, method: "AUTH_TOKEN" });
    const customerId = (await db.tenant.findUniqueOrThrow({ where: { id } })).customerId;
    const body = { entraTenantId: customer.tenantId, clientId: own.clientId, clientSecret: own.secret, secretExpiresAt: "2030-12-31", environment: "CUSTOM" };

    expect((await call(route.PUT, customerId, viewerToken, body)).status).toBe(403);
    const put = await call(route.PUT, customerId, adminToken, body);
    const putText = await put.text();
    expect(put.status).toBe(200);
    expect(putText).not.toContain(own.secret);
    expect(JSON.parse(putText)).toMatchObject({
      clientId: own.clientId,
      entraTenantId: customer.tenantId,
      environment: "CUSTOM",
      hasSecret: true,
      secretHint: own.secret.slice(0, 3),
      secretExpiresAt: "2030-12-31T00:00:00.000Z",
      changedFields: expect.arrayContaining(["clientId", "clientSecret"]),
      verification: { status: "VERIFIED", reasonCode: "VERIFIED" },
    });

    const get = await call(route.GET, id, viewerToken);
    const getText = await get.text();
    expect(get.status).toBe(200);
    expect(getText).not.toContain(own.secret);
    expect(JSON.parse(getText)).toMatchObject({ clientId: own.clientId, hasSecret: true, hasCertificate: false });

    const audits = await db.auditEvent.findMany({ where: { targetId: id } });
    expect(audits.map((a) => a.action)).toContain("tenant.credentials_updated");
    expect(JSON.stringify(audits)).not.toContain(own.secret);
  });

  it("refuses a secret's ID with a 422 naming the field, and stores nothing", async () => {
    const id = await seedTenant({ customer, method: "AUTH_TOKEN" });
    const res = await call(route.PUT, id, adminToken, {
      entraTenantId: customer.tenantId,
      clientId: own.clientId,
      clientSecret: "0b6f3c2a-9d8e-4f71-a2b3-c4d5e6f7a8b9",
      environment: "CUSTOM",
    });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors).toEqual([
      { path: "clientSecret", message: "This is the secret's ID (a GUID), not its Value: copy the Value column shown when the secret was created." },
    ]);
    expect(await db.tenantCredential.count({ where: { tenantId: id } })).toBe(0);
    expect((await db.tenant.findUniqueOrThrow({ where: { id } })).appClientId).toBeNull();
  });

  it("DELETE forgets the customer's app and its secret", async () => {
    const id = await seedTenant({ customer, method: "APP_REGISTRATION", useOwnApp: true });
    const res = await route.DELETE(
      new Request(`http://localhost/api/v1/tenants/${id}/app-registration`, { method: "DELETE", headers: { authorization: `Bearer ${adminToken}` } }),
      { params: Promise.resolve({ id }) },
    );
    expect(res.status).toBe(204);
    expect(await db.tenant.findUniqueOrThrow({ where: { id } })).toMatchObject({ appClientId: null });
    expect(await db.tenantCredential.count({ where: { tenantId: id, kind: "CLIENT_SECRET" } })).toBe(0);
  });
});
