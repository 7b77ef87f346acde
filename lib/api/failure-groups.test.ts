import { beforeAll, describe, expect, it } from "vitest";
import { GET as listGroups } from "@/app/api/v1/failure-groups/route";
import { GET as listTenants } from "@/app/api/v1/tenants/route";
import { generateApiToken } from "@/lib/api-tokens/format";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { failureGroupListSchema, tenantPageSchema } from "./schemas";
import { openApiDocument } from "./openapi";

// GET /api/v1/failure-groups: the contract (declared schema, viewer access, bearer required) and the
// filter each group hands back, which GET /tenants takes as it is.

let token = "";
const noParams = { params: Promise.resolve({}) };
const get = (handler: typeof listGroups, url: string, auth = true) =>
  handler(new Request(`http://localhost/api/v1${url}`, { headers: auth ? { authorization: `Bearer ${token}` } : {} }), noParams);

beforeAll(async () => {
  const t = generateApiToken();
  await db.apiToken.create({
    data: { id: newId(), name: "groups", role: "VIEWER", tokenHash: t.hash, prefix: t.prefix, createdBy: "test", expiresAt: new Date(Date.now() + 86_400_000) },
  });
  token = t.token;
  await db.appRegistration.create({ data: { id: "provider", name: "MSP app", cloud: "GLOBAL", defaultForCloud: "GLOBAL" } });
  const tenant = (id: string, lastStatus: "FAILED" | "VERIFIED", lastStatusCode: string, authMethod: "PASSWORD" | "APP_REGISTRATION") => ({
    id,
    customerId: id,
    displayName: id,
    adminEmail: `admin@${id}.example`,
    authMethod,
    lastStatus,
    lastStatusCode,
  });
  await db.tenant.createMany({
    data: [
      tenant("g-blocked-1", "FAILED", "APP_CREDENTIAL_BLOCKED", "APP_REGISTRATION"),
      tenant("g-blocked-2", "FAILED", "APP_CREDENTIAL_BLOCKED", "APP_REGISTRATION"),
      tenant("g-expired", "FAILED", "SECRET_EXPIRED", "APP_REGISTRATION"),
      tenant("g-mfa", "FAILED", "MFA_REQUIRED", "PASSWORD"),
      tenant("g-ok", "VERIFIED", "VERIFIED", "APP_REGISTRATION"),
    ],
  });
});

describe("GET /failure-groups", () => {
  it("is declared in the registry and the OpenAPI document", () => {
    const op = openApiDocument().paths["/failure-groups"]?.get as { operationId?: string } | undefined;
    expect(op?.operationId).toBe("listFailureGroups");
  });

  it("answers the declared shape: failed tenants by cause, largest first, with the fix and the filter", async () => {
    const response = await get(listGroups, "/failure-groups");
    expect(response.status).toBe(200);
    const body = failureGroupListSchema.parse(await response.json());
    expect(body.failed).toBe(4);
    expect(body.groups.map((g) => [g.count, g.reasonCode])).toEqual([
      [2, "APP_CREDENTIAL_BLOCKED"],
      [1, "MFA_REQUIRED"],
      [1, "SECRET_EXPIRED"],
    ]);
    expect(body.groups[0]).toMatchObject({
      reason: "Blocked: app registration credential rejected",
      registration: { kind: "default", id: "provider", name: "MSP app" },
      fix: { kind: "apply_credential", action: "configure_provider" },
    });
    const blocked = body.groups[0]!.filter;
    const query = new URLSearchParams({
      status: blocked.status.join(","),
      reason: blocked.reason.join(","),
      method: blocked.method.join(","),
      cloud: blocked.cloud.join(","),
      app: blocked.app,
    });
    const page = tenantPageSchema.parse(await (await get(listTenants, `/tenants?${query}`)).json());
    expect(page.items.map((t) => t.customerId)).toEqual(["g-blocked-1", "g-blocked-2"]);
    expect(page.total).toBe(2);
  });

  it("sorts GET /tenants by what needs attention, status by severity", async () => {
    const order = async (q: string) => tenantPageSchema.parse(await (await get(listTenants, `/tenants?${q}`)).json()).items.map((t) => t.customerId);
    expect((await order("sort=attention")).at(-1)).toBe("g-ok");
    expect((await order("sort=lastStatus&order=desc"))[0]).toBe("g-ok");
    expect((await get(listTenants, "/tenants?reason=NOT_A_REASON")).status).toBe(400);
  });

  it("needs a token", async () => {
    expect((await get(listGroups, "/failure-groups", false)).status).toBe(401);
  });
});
