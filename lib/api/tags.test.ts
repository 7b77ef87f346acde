import { beforeAll, describe, expect, it } from "vitest";
import * as tagsRoute from "@/app/api/v1/tags/route";
import * as tagRoute from "@/app/api/v1/tags/[id]/route";
import * as assignRoute from "@/app/api/v1/tags/[id]/assign/route";
import * as unassignRoute from "@/app/api/v1/tags/[id]/unassign/route";
import * as tenantsRoute from "@/app/api/v1/tenants/route";
import * as tenantRoute from "@/app/api/v1/tenants/[id]/route";
import * as tenantTagsRoute from "@/app/api/v1/tenants/[id]/tags/route";
import { generateApiToken } from "@/lib/api-tokens/format";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { openApiDocument } from "./openapi";
import { tagListSchema, tenantDetailSchema, tenantPageSchema } from "./schemas";

// The REST API's tags: the declared contract, roles, the problems a client gets for bad input, and
// what is stored; tags in the tenant list and detail, and the list's `tag` filter.

type Handler = (r: Request, c: { params: Promise<Record<string, string>> }) => Promise<Response>;
let adminToken = "";
let viewerToken = "";

async function call(handler: Handler, method: string, path: string, token: string, body?: unknown, params: Record<string, string> = {}) {
  const res = await handler(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    { params: Promise.resolve(params) },
  );
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null, headers: res.headers };
}

beforeAll(async () => {
  const token = async (role: "ADMINISTRATOR" | "VIEWER") => {
    const t = generateApiToken();
    await db.apiToken.create({
      data: { id: newId(), name: `tags ${role}`, role, tokenHash: t.hash, prefix: t.prefix, createdBy: "test", expiresAt: new Date(Date.now() + 86_400_000) },
    });
    return t.token;
  };
  adminToken = await token("ADMINISTRATOR");
  viewerToken = await token("VIEWER");
  await db.tenant.createMany({
    data: ["r1", "r2", "r3"].map((id) => ({
      id,
      customerId: `CUST-${id}`,
      displayName: id,
      adminEmail: `a@${id}.example`,
      authMethod: "APP_REGISTRATION" as const,
    })),
  });
});

describe("/tags", () => {
  it("is declared in the OpenAPI document", () => {
    const paths = openApiDocument().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(["/tags", "/tags/{id}", "/tags/{id}/assign", "/tags/{id}/unassign", "/tenants/{id}/tags"]));
    expect((paths["/tenants/{id}/tags"]?.put as { operationId?: string }).operationId).toBe("setTenantTags");
  });

  it("creates, lists with counts, renames, recolours and deletes tags; viewers only read", async () => {
    const created = await call(tagsRoute.POST, "POST", "/tags", adminToken, { name: " Gold ", color: "amber" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Gold", color: "amber" });
    const id = created.body!.id as string;
    expect(created.headers.get("location")).toBe(`/api/v1/tags/${id}`);

    expect((await call(tagsRoute.POST, "POST", "/tags", viewerToken, { name: "Nope" })).status).toBe(403);

    const dup = await call(tagsRoute.POST, "POST", "/tags", adminToken, { name: "GOLD" });
    expect(dup.status).toBe(422);
    expect(dup.body).toMatchObject({ errors: [{ path: "name", message: 'A tag named "Gold" already exists. Choose another name, or use that tag.' }] });
    const empty = await call(tagsRoute.POST, "POST", "/tags", adminToken, { name: "" });
    expect(empty.status).toBe(422);
    expect(empty.body).toMatchObject({ errors: [{ path: "name", message: "Enter a name for the tag." }] });

    const patched = await call(tagRoute.PATCH, "PATCH", `/tags/${id}`, adminToken, { name: "Gold tier", color: "violet" }, { id });
    expect(patched).toMatchObject({ status: 200, body: { id, name: "Gold tier", color: "violet", tenants: 0 } });
    expect((await call(tagRoute.PATCH, "PATCH", "/tags/nope", adminToken, { color: "red" }, { id: "nope" })).status).toBe(404);

    const list = await call(tagsRoute.GET, "GET", "/tags", viewerToken);
    expect(list.status).toBe(200);
    expect(tagListSchema.parse(list.body).items).toEqual([{ id, name: "Gold tier", color: "violet", tenants: 0 }]);

    expect((await call(tagRoute.DELETE, "DELETE", `/tags/${id}`, viewerToken, undefined, { id })).status).toBe(403);
    expect((await call(tagRoute.DELETE, "DELETE", `/tags/${id}`, adminToken, undefined, { id })).status).toBe(204);
    expect((await call(tagRoute.DELETE, "DELETE", `/tags/${id}`, adminToken, undefined, { id })).status).toBe(404);
    expect(await db.tag.count()).toBe(0);
  });

  it("assigns and unassigns by internal or customer id; an unknown tenant is a 404 and changes nothing", async () => {
    const tag = (await call(tagsRoute.POST, "POST", "/tags", adminToken, { name: "EU", color: "blue" })).body!;
    const id = tag.id as string;
    const unknown = await call(assignRoute.POST, "POST", `/tags/${id}/assign`, adminToken, { tenantIds: ["r1", "CUST-nope"] }, { id });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ detail: "No tenant has the id or customer id CUST-nope. Nothing was changed." });
    expect(await db.tenantTag.count()).toBe(0);

    const assigned = await call(assignRoute.POST, "POST", `/tags/${id}/assign`, adminToken, { tenantIds: ["r1", "CUST-r2"] }, { id });
    expect(assigned).toMatchObject({ status: 200, body: { tag: { id, name: "EU", color: "blue" }, tenants: 2, changed: 2 } });
    const removed = await call(unassignRoute.POST, "POST", `/tags/${id}/unassign`, adminToken, { tenantIds: ["r2", "r3"] }, { id });
    expect(removed).toMatchObject({ status: 200, body: { tenants: 2, changed: 1 } });
    expect((await call(assignRoute.POST, "POST", "/tags/nope/assign", adminToken, { tenantIds: ["r1"] }, { id: "nope" })).status).toBe(404);
    expect((await db.tenantTag.findMany({ where: { tagId: id } })).map((r) => r.tenantId)).toEqual(["r1"]);
  });

  it("sets a tenant's tags, shows them in the tenant list and detail, and filters the list by tag", async () => {
    const a = (await call(tagsRoute.POST, "POST", "/tags", adminToken, { name: "Alpha", color: "green" })).body!;
    const b = (await call(tagsRoute.POST, "POST", "/tags", adminToken, { name: "beta" })).body!;
    const set = await call(tenantTagsRoute.PUT, "PUT", "/tenants/CUST-r3/tags", adminToken, { tagIds: [b.id, a.id] }, { id: "CUST-r3" });
    expect(set).toMatchObject({
      status: 200,
      body: {
        tags: [
          { name: "Alpha", color: "green" },
          { name: "beta", color: "slate" },
        ],
      },
    });
    expect((await call(tenantTagsRoute.PUT, "PUT", "/tenants/r3/tags", viewerToken, { tagIds: [] }, { id: "r3" })).status).toBe(403);
    expect((await call(tenantTagsRoute.PUT, "PUT", "/tenants/nope/tags", adminToken, { tagIds: [] }, { id: "nope" })).status).toBe(404);
    const badTag = await call(tenantTagsRoute.PUT, "PUT", "/tenants/r3/tags", adminToken, { tagIds: ["no-such-tag"] }, { id: "r3" });
    expect(badTag.status).toBe(404);
    expect(badTag.body).toMatchObject({ detail: "This tag no longer exists. Reload the page to see the current tags." });

    const detail = await call(tenantRoute.GET, "GET", "/tenants/r3", viewerToken, undefined, { id: "r3" });
    expect(tenantDetailSchema.parse(detail.body).tags).toEqual([
      { id: a.id, name: "Alpha", color: "green" },
      { id: b.id, name: "beta", color: "slate" },
    ]);

    const filtered = await call(tenantsRoute.GET, "GET", `/tenants?tag=${a.id}`, viewerToken);
    const page = tenantPageSchema.parse(filtered.body);
    expect(page.items.map((t) => [t.id, t.tags.map((x) => x.name)])).toEqual([["r3", ["Alpha", "beta"]]]);
    expect(page.total).toBe(1);
    const any = tenantPageSchema.parse((await call(tenantsRoute.GET, "GET", `/tenants?tag=${a.id},${b.id}&sort=customerId`, viewerToken)).body);
    expect(any.items.map((t) => t.id)).toEqual(["r3"]);
    const all = tenantPageSchema.parse((await call(tenantsRoute.GET, "GET", "/tenants?sort=customerId", viewerToken)).body);
    expect(all.items.map((t) => t.tags.length)).toEqual([1, 0, 2]);
    expect((await call(tenantsRoute.GET, "GET", "/tenants?tag=bad%20id", viewerToken)).status).toBe(400);
  });
});
