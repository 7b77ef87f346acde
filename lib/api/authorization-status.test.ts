import { beforeAll, describe, expect, it } from "vitest";
import { prepareDatabase } from "@/lib/verification/testing";

// Source 002's authorization status is derived once (lib/data/tenants.ts withAuthorization): the
// table's rows, the tenant page's detail and the REST API's list and detail give the same answer.

type ListRoute = typeof import("@/app/api/v1/tenants/route");
type DetailRoute = typeof import("@/app/api/v1/tenants/[id]/route");

let db: (typeof import("@/lib/db"))["db"];
let data: typeof import("@/lib/data/tenants");
let list: ListRoute;
let detail: DetailRoute;
let token = "";

beforeAll(async () => {
  await prepareDatabase("tac-api-authz-");
  db = (await import("@/lib/db")).db;
  data = await import("@/lib/data/tenants");
  list = await import("@/app/api/v1/tenants/route");
  detail = await import("@/app/api/v1/tenants/[id]/route");
  const { generateApiToken } = await import("@/lib/api-tokens/format");
  const { newId } = await import("@/lib/ids");
  const t = generateApiToken();
  await db.apiToken.create({
    data: { id: newId(), name: "authz", role: "VIEWER", tokenHash: t.hash, prefix: t.prefix, createdBy: "test", expiresAt: new Date(Date.now() + 86_400_000) },
  });
  token = t.token;
});

type Seed = {
  id: string;
  authMethod: "PASSWORD" | "AUTH_TOKEN" | "APP_REGISTRATION";
  lastStatus: "NEVER" | "VERIFIED" | "WARNING" | "FAILED";
  lastStatusCode?: string;
  credential?: "PASSWORD" | "MSAL_CACHE" | "CLIENT_SECRET";
  expected: "NOT_AUTHORIZED" | "AUTHORIZED" | "BROKEN";
};

const seeds: Seed[] = [
  { id: "a1", authMethod: "AUTH_TOKEN", lastStatus: "NEVER", expected: "NOT_AUTHORIZED" },
  { id: "a2", authMethod: "AUTH_TOKEN", lastStatus: "VERIFIED", lastStatusCode: "VERIFIED", credential: "MSAL_CACHE", expected: "AUTHORIZED" },
  { id: "a3", authMethod: "AUTH_TOKEN", lastStatus: "FAILED", lastStatusCode: "REAUTHORIZATION_REQUIRED", credential: "MSAL_CACHE", expected: "BROKEN" },
  { id: "a4", authMethod: "PASSWORD", lastStatus: "FAILED", lastStatusCode: "MFA_REQUIRED", credential: "PASSWORD", expected: "BROKEN" },
  { id: "a5", authMethod: "APP_REGISTRATION", lastStatus: "FAILED", lastStatusCode: "APP_NOT_IN_TENANT", expected: "NOT_AUTHORIZED" },
  { id: "a6", authMethod: "APP_REGISTRATION", lastStatus: "WARNING", lastStatusCode: "SECRET_EXPIRING", expected: "AUTHORIZED" },
  { id: "a7", authMethod: "APP_REGISTRATION", lastStatus: "FAILED", lastStatusCode: "SECRET_EXPIRED", expected: "BROKEN" },
  { id: "a8", authMethod: "APP_REGISTRATION", lastStatus: "FAILED", lastStatusCode: "INVALID_SECRET", credential: "CLIENT_SECRET", expected: "BROKEN" },
];

const get = async (
  handler: (r: Request, c: { params: Promise<Record<string, string>> }) => Promise<Response>,
  url: string,
  params: Record<string, string> = {},
) => {
  const res = await handler(new Request(url, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve(params) });
  expect(res.status, url).toBe(200);
  return res.json();
};

describe("the authorization status", () => {
  it("is the same in the table's rows, the tenant page and the REST API's list and detail", async () => {
    for (const s of seeds) {
      await db.tenant.create({
        data: {
          id: s.id,
          customerId: `AUTHZ-${s.id}`,
          displayName: s.id,
          adminEmail: `admin@${s.id}.example`,
          authMethod: s.authMethod,
          lastStatus: s.lastStatus,
          lastStatusCode: s.lastStatusCode ?? null,
          lastVerifiedAt: s.lastStatus === "NEVER" ? null : new Date(),
        },
      });
      // The state reads only the credential's kind; the stored value is opaque here.
      if (s.credential) await db.tenantCredential.create({ data: { id: `${s.id}-c`, tenantId: s.id, kind: s.credential, secret: "opaque" } });
    }
    const expected = Object.fromEntries(seeds.map((s) => [s.id, s.expected]));

    const page = await data.listTenantPage({ page: 1, pageSize: 50, sort: "customerId", dir: "asc" });
    expect(Object.fromEntries(page.items.map((t) => [t.id, t.authorization]))).toEqual(expected);

    const rest = await get(list.GET, "http://localhost/api/v1/tenants?pageSize=50");
    expect(Object.fromEntries(rest.items.map((t: { id: string; authorization: string }) => [t.id, t.authorization]))).toEqual(expected);

    for (const s of seeds) {
      expect((await data.getTenantDetail(s.id))?.authorization, s.id).toBe(s.expected);
      expect((await get(detail.GET, `http://localhost/api/v1/tenants/${s.id}`, { id: s.id })).authorization, s.id).toBe(s.expected);
    }

    const exported: string[] = [];
    for await (const batch of data.tenantsForExport({})) exported.push(...batch.map((t) => `${t.id}:${t.authorization}`));
    expect(exported.sort()).toEqual(seeds.map((s) => `${s.id}:${s.expected}`).sort());
  });
});
