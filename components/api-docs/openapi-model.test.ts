import { describe, expect, it } from "vitest";
import { buildApiReference, buildSchema, resolvePointer, typeLabel, type SchemaNode } from "./openapi-model";
import { sampleOpenApi } from "./sample-openapi";

const reference = buildApiReference(sampleOpenApi);
const operation = (operationId: string) => reference.groups.flatMap((g) => g.operations).find((o) => o.operationId === operationId)!;
const field = (node: SchemaNode | undefined, name: string) => node?.properties.find((p) => p.name === name);

describe("buildApiReference", () => {
  it("groups operations by tag in the document's tag order, untagged ones last", () => {
    expect(reference.groups.map((g) => [g.name, g.operations.map((o) => `${o.method} ${o.fullPath}`)])).toEqual([
      ["Tenants", ["GET /api/v1/tenants", "POST /api/v1/tenants", "PATCH /api/v1/tenants/{id}"]],
      ["Verification runs", ["GET /api/v1/verification-runs/{id}/events"]],
      ["Other", ["GET /api/v1/health"]],
    ]);
    expect(reference.groups[0]!.description).toBe("Customer tenants.");
    expect(reference.basePath).toBe("/api/v1");
  });

  it("gives every operation a unique anchor and reads x-required-role", () => {
    const anchors = reference.groups.flatMap((g) => g.operations.map((o) => o.anchor));
    expect(new Set(anchors).size).toBe(anchors.length);
    expect(operation("listTenants").anchor).toBe("op-listtenants");
    expect(operation("createTenant").requiredRole).toBe("Administrator");
    expect(operation("streamRunEvents").requiredRole).toBe("Viewer");
    expect(operation("listTenants").isPublic).toBe(false);
    const health = reference.groups[2]!.operations[0]!;
    expect(health).toMatchObject({ anchor: "op-get-health", isPublic: true, requiredRole: undefined, description: "Liveness." });
  });

  it("also reads x-minimum-role and drops the description's sentence that repeats the role", () => {
    expect(operation("updateTenant")).toMatchObject({ requiredRole: "Administrator", description: "Send the version you read." });
    expect(buildApiReference({ paths: { "/a": { get: { description: "Minimum role: Viewer." } } } }).groups[0]!.operations[0]!.description).toBe(
      "Minimum role: Viewer.",
    );
  });

  it("resolves $ref'd parameters, inherits path-level ones and treats path parameters as required", () => {
    expect(operation("listTenants").parameters.map((p) => [p.name, p.in, p.required, typeLabel(p.schema)])).toEqual([
      ["status", "query", false, "string"],
      ["pageSize", "query", false, "integer"],
    ]);
    const pageSize = operation("listTenants").parameters[1]!;
    expect(pageSize.schema).toMatchObject({ defaultValue: 50, hasDefault: true, constraints: ["≥ 1 and ≤ 200"] });
    expect(operation("updateTenant").parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ["id", "path", true],
      ["If-Match", "header", true],
    ]);
    expect(operation("streamRunEvents").parameters[0]!.required).toBe(true);
  });

  it("follows $ref'd responses and keeps each media type", () => {
    const responses = operation("listTenants").responses;
    expect(responses.map((r) => [r.status, r.description, r.contents.map((c) => c.mediaType)])).toEqual([
      ["200", "A page of tenants.", ["application/json"]],
      ["401", "No valid token.", ["application/problem+json"]],
    ]);
    expect(responses[1]!.contents[0]!.schema?.refName).toBe("Problem");
    expect(reference.groups[2]!.operations[0]!.responses[0]).toMatchObject({ status: "204", contents: [] });
  });

  it("lists security schemes and every component schema", () => {
    expect(reference.securitySchemes).toEqual([
      { name: "bearer", type: "http", scheme: "bearer", bearerFormat: "API token (tac_…) or Entra access token (JWT)", description: "Settings → API tokens." },
    ]);
    expect(reference.schemas.map((s) => s.name)).toEqual(["TenantInput", "Tenant", "Admin", "TenantPage", "RunEvent", "Problem"]);
  });

  it("survives a document that is not one", () => {
    expect(buildApiReference(null)).toMatchObject({ title: "API", groups: [], schemas: [], securitySchemes: [] });
    expect(buildApiReference({ paths: { "/x": { get: "nonsense", post: { responses: [] } } } }).groups[0]!.operations).toHaveLength(1);
  });
});

describe("buildSchema", () => {
  it("follows $ref into components.schemas and names the field by the schema", () => {
    const page = operation("listTenants").responses[0]!.contents[0]!.schema!;
    expect(page.refName).toBe("TenantPage");
    const items = field(page, "items")!;
    expect(items.required).toBe(true);
    expect(typeLabel(items.schema)).toBe("array of Tenant");
    const tenant = items.schema.items!;
    expect(tenant.description).toBe("A customer tenant.");
    expect(tenant.properties.map((p) => [p.name, p.required, typeLabel(p.schema)])).toEqual([
      ["id", true, "string (uuid)"],
      ["status", true, "string"],
      ["lastVerifiedAt", true, "string (date-time)"],
      ["owner", false, "Admin"],
      ["legacyNote", false, "string"],
      ["tags", false, "array of string"],
      ["labels", false, "map of string"],
      ["parent", false, "Tenant"],
    ]);
    expect(field(tenant, "status")!.schema.enumValues).toEqual(["NEVER", "VERIFIED", "WARNING", "FAILED"]);
  });

  it("stops at a recursive $ref instead of expanding it forever", () => {
    const tenant = operation("createTenant").responses[0]!.contents[0]!.schema!;
    const parent = field(tenant, "parent")!.schema;
    expect(parent).toMatchObject({ circular: true, refName: "Tenant", properties: [] });
  });

  it("shows anyOf [X, null], type arrays with null and OpenAPI 3.0 nullable as a nullable X", () => {
    const tenant = operation("createTenant").responses[0]!.contents[0]!.schema!;
    expect(field(tenant, "lastVerifiedAt")!.schema).toMatchObject({ type: "string", format: "date-time", nullable: true });
    expect(field(tenant, "legacyNote")!.schema).toMatchObject({ type: "string", nullable: true });
    const owner = field(tenant, "owner")!.schema;
    expect(owner).toMatchObject({ type: "object", refName: "Admin", nullable: true, description: "Who looks after it." });
    expect(owner.properties.map((p) => p.name)).toEqual(["email"]);
    const body = operation("createTenant").requestBody!.contents[0]!.schema!;
    expect(field(body, "notes")!.schema).toMatchObject({ type: "string", nullable: true, constraints: ["at most 500 characters"] });
  });

  it("renders oneOf as labelled variants, with their constants as enum values", () => {
    const event = operation("streamRunEvents").responses[0]!.contents[0]!.schema!;
    expect(event.refName).toBe("RunEvent");
    expect(event.variants?.kind).toBe("oneOf");
    expect(event.variants!.options.map((o) => [o.title, field(o, "type")!.schema.enumValues])).toEqual([
      ["Progress", ["progress"]],
      ["Finished", ["finished"]],
    ]);
    expect(typeLabel(event)).toBe("RunEvent");
  });

  it("collapses a union of constants into one enum", () => {
    const node = buildSchema({ anyOf: [{ const: "asc" }, { const: "desc" }, { type: "null" }] }, {});
    expect(node).toMatchObject({ type: "string", enumValues: ["asc", "desc"], nullable: true });
    expect(node.variants).toBeUndefined();
  });

  it("merges allOf members, their properties and required lists", () => {
    const body = operation("updateTenant").requestBody!.contents[0]!.schema!;
    expect(body.type).toBe("object");
    expect(body.properties.map((p) => [p.name, p.required])).toEqual([
      ["customerId", true],
      ["displayName", true],
      ["version", true],
    ]);
  });

  it("resolves $defs of the enclosing schema, records constraints and additionalProperties: false", () => {
    const body = operation("createTenant").requestBody!.contents[0]!.schema!;
    expect(body.additional).toBe(false);
    expect(field(body, "contact")!.schema.properties).toEqual([{ name: "email", required: true, schema: expect.objectContaining({ format: "email" }) }]);
    expect(field(body, "customerId")!.schema.constraints).toEqual(["1–64 characters", "pattern ^[A-Za-z0-9][A-Za-z0-9._-]*$"]);
  });

  it("marks a reference that points nowhere", () => {
    expect(buildSchema({ $ref: "#/components/schemas/Missing" }, sampleOpenApi)).toMatchObject({
      refName: "Missing",
      unresolved: "#/components/schemas/Missing",
    });
  });
});

describe("resolvePointer", () => {
  it("decodes ~0, ~1 and percent-escapes (RFC 6901)", () => {
    const doc = { paths: { "/a/{id}": { "x~y": 1 } } };
    expect(resolvePointer(doc, "#/paths/~1a~1%7Bid%7D/x~0y")).toBe(1);
    expect(resolvePointer(doc, "#/nothing/here")).toBeUndefined();
    expect(resolvePointer(doc, "other.json#/x")).toBeUndefined();
  });
});

describe("the console's own OpenAPI document", () => {
  it("renders every operation with a role or as public, and every $ref resolves", async () => {
    const { openApiDocument } = await import("@/lib/api/openapi");
    const doc = openApiDocument();
    const ref = buildApiReference(doc);
    const operations = ref.groups.flatMap((g) => g.operations);
    expect(operations.length).toBeGreaterThan(10);
    expect(operations.filter((o) => !o.requiredRole && !o.isPublic).map((o) => o.operationId)).toEqual([]);
    expect(new Set(operations.map((o) => o.anchor)).size).toBe(operations.length);
    const unresolved: string[] = [];
    const walk = (node: SchemaNode | undefined) => {
      if (!node) return;
      if (node.unresolved) unresolved.push(node.unresolved);
      node.properties.forEach((p) => walk(p.schema));
      walk(node.items);
      if (node.additional) walk(node.additional);
      node.variants?.options.forEach(walk);
    };
    for (const o of operations) {
      o.parameters.forEach((p) => walk(p.schema));
      o.requestBody?.contents.forEach((c) => walk(c.schema));
      o.responses.forEach((r) => r.contents.forEach((c) => walk(c.schema)));
    }
    ref.schemas.forEach((s) => walk(s.schema));
    expect(unresolved).toEqual([]);
  });
});
