import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { endpointList, endpoints } from "./endpoints";
import { openApiDocument, type JsonSchema } from "./openapi";
import { ApiError, problemBody, problemSchema } from "@/lib/http/problem";

// Walks the generated OpenAPI 3.1 document: its structure, every schema as JSON Schema 2020-12, every
// $ref, and the match between the registry and the route files under app/api/v1.

const doc = openApiDocument();
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const ROUTES_DIR = path.resolve(import.meta.dirname, "../../app/api/v1");

// JSON Schema 2020-12 keywords (core, applicator, validation, meta-data, format, unevaluated, content)
// plus the OpenAPI 3.1 schema object's own (discriminator, xml, externalDocs, example).
const KEYWORDS = new Set([
  "$id",
  "$schema",
  "$ref",
  "$anchor",
  "$dynamicRef",
  "$dynamicAnchor",
  "$vocabulary",
  "$comment",
  "$defs",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "if",
  "then",
  "else",
  "dependentSchemas",
  "prefixItems",
  "items",
  "contains",
  "properties",
  "patternProperties",
  "additionalProperties",
  "propertyNames",
  "unevaluatedItems",
  "unevaluatedProperties",
  "type",
  "enum",
  "const",
  "multipleOf",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "maxContains",
  "minContains",
  "maxProperties",
  "minProperties",
  "required",
  "dependentRequired",
  "title",
  "description",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "examples",
  "format",
  "contentEncoding",
  "contentMediaType",
  "contentSchema",
  "discriminator",
  "xml",
  "externalDocs",
  "example",
]);
const TYPES = new Set(["null", "boolean", "object", "array", "number", "string", "integer"]);
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "dependentSchemas"];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_VALUES = [
  "not",
  "if",
  "then",
  "else",
  "items",
  "contains",
  "additionalProperties",
  "propertyNames",
  "unevaluatedItems",
  "unevaluatedProperties",
  "contentSchema",
];

function schemaProblems(schema: unknown, where: string, out: string[] = []): string[] {
  if (typeof schema === "boolean") return out;
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return [...out, `${where}: not a schema`];
  const s = schema as JsonSchema;
  for (const key of Object.keys(s)) if (!KEYWORDS.has(key) && !key.startsWith("x-")) out.push(`${where}: unknown keyword ${key}`);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.every((t) => typeof t === "string" && TYPES.has(t))) out.push(`${where}: bad type ${JSON.stringify(s.type)}`);
  }
  if (s.required !== undefined) {
    if (!Array.isArray(s.required) || !s.required.every((r) => typeof r === "string")) out.push(`${where}: required must list names`);
    else for (const r of s.required) if (s.properties && !(r in (s.properties as object))) out.push(`${where}: required ${r} is not a property`);
  }
  if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0)) out.push(`${where}: enum must be a non-empty array`);
  if (s.pattern !== undefined) {
    try {
      new RegExp(s.pattern as string, "u");
    } catch {
      out.push(`${where}: pattern is not a regular expression`);
    }
  }
  for (const k of ["minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"]) {
    if (s[k] !== undefined && typeof s[k] !== "number") out.push(`${where}: ${k} must be a number`);
  }
  for (const k of SCHEMA_MAPS) {
    if (s[k] === undefined) continue;
    for (const [name, sub] of Object.entries(s[k] as object)) schemaProblems(sub, `${where}/${k}/${name}`, out);
  }
  for (const k of SCHEMA_LISTS) {
    if (s[k] === undefined) continue;
    if (!Array.isArray(s[k])) out.push(`${where}: ${k} must be an array`);
    else (s[k] as unknown[]).forEach((sub, i) => schemaProblems(sub, `${where}/${k}/${i}`, out));
  }
  for (const k of SCHEMA_VALUES) if (s[k] !== undefined) schemaProblems(s[k], `${where}/${k}`, out);
  return out;
}

function resolvePointer(ref: string): unknown {
  expect(ref.startsWith("#/"), ref).toBe(true);
  let node: unknown = doc;
  for (const part of ref
    .slice(2)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))) {
    node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? routeFiles(full) : e.name === "route.ts" ? [full] : [];
  });
}

const operations = Object.entries(doc.paths).flatMap(([p, item]) => Object.entries(item).map(([method, op]) => ({ path: p, method, op })));

describe("the OpenAPI document", () => {
  it("is an OpenAPI 3.1 document with info, servers, paths and components", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(doc.jsonSchemaDialect).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(doc.servers[0]?.url).toBe("/api/v1");
    expect(Object.keys(doc.paths).length).toBeGreaterThan(5);
    for (const p of Object.keys(doc.paths)) expect(p).toMatch(/^\/[A-Za-z0-9._/{}-]*$/);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it("gives every operation a unique operationId, a summary, tags and responses with descriptions", () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path: p, method, op } of operations) {
      expect(METHODS, `${method} ${p}`).toContain(method);
      expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary).toBeTruthy();
      expect(op.tags.length).toBe(1);
      expect(Object.keys(op.responses).length, `${method} ${p}`).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(op.responses)) {
        expect(status).toMatch(/^[1-5]\d\d$/);
        const resolved = ("$ref" in (response as object) ? resolvePointer((response as { $ref: string }).$ref) : response) as { description?: string };
        expect(resolved?.description, `${method} ${p} ${status}`).toBeTruthy();
      }
      const successes = Object.keys(op.responses).filter((s) => s.startsWith("2"));
      expect(successes.length, `${method} ${p}`).toBe(1);
    }
  });

  it("declares every path template parameter as a required path parameter, and no others", () => {
    for (const { path: p, op } of operations) {
      const inTemplate = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? [])
        .filter((x) => x.in === "path")
        .map((x) => x.name as string)
        .sort();
      expect(declared, p).toEqual(inTemplate);
      for (const param of (op.parameters ?? []).filter((x) => x.in === "path")) expect(param.required).toBe(true);
    }
  });

  it("requires authentication everywhere except on the document itself, and documents 401/403/429 there", () => {
    expect(doc.security).toEqual([{ apiToken: [] }, { entraAccessToken: [] }]);
    for (const scheme of Object.values(doc.components.securitySchemes)) expect(scheme).toMatchObject({ type: "http", scheme: "bearer" });
    for (const { path: p, op } of operations) {
      if (p === "/openapi.json") {
        expect(op.security).toEqual([]);
        continue;
      }
      expect(op.security).toBeUndefined();
      expect(op["x-minimum-role"]).toMatch(/^(Viewer|Operator|Administrator)$/);
      for (const status of ["401", "403", "429", "500"]) expect(op.responses[status], `${p} ${status}`).toBeDefined();
    }
  });

  it("has only valid JSON Schema 2020-12 schemas: components, parameters and request bodies", () => {
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas)) schemaProblems(schema, `#/components/schemas/${name}`, problems);
    for (const { path: p, method, op } of operations) {
      for (const param of op.parameters ?? []) if (param.schema) schemaProblems(param.schema, `${method} ${p} parameter ${String(param.name)}`, problems);
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) schemaProblems(media.schema, `${method} ${p} body ${type}`, problems);
    }
    expect(problems).toEqual([]);
  });

  it("resolves every $ref inside the document", () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) expect(resolvePointer(ref), ref).toBeDefined();
  });

  it("describes problem responses with the Problem schema the handlers send", () => {
    const body = problemBody(new ApiError("validation", "Bad.", { errors: [{ path: "customerId", message: "Enter the customer id." }] }), {
      requestId: "r-1",
      instance: "/api/v1/tenants",
    });
    expect(problemSchema.parse(body)).toEqual(body);
    expect(body.type).toBe("https://tenant-access-console.local/problems/validation");
    const unauthorized = resolvePointer("#/components/responses/Unauthorized") as { content: Record<string, unknown>; headers: Record<string, unknown> };
    expect(Object.keys(unauthorized.content)).toEqual(["application/problem+json"]);
    expect(unauthorized.headers["WWW-Authenticate"]).toBeDefined();
    expect((resolvePointer("#/components/responses/TooManyRequests") as { headers: Record<string, unknown> }).headers["Retry-After"]).toBeDefined();
  });

  it("documents request bodies as clients send them (input), e.g. the tenant a client creates", () => {
    const create = doc.paths["/tenants"]!.post!;
    const schema = create.requestBody!.content["application/json"]!.schema as { properties: Record<string, JsonSchema>; required: string[] };
    expect(Object.keys(schema.properties).sort()).toEqual(["adminEmail", "authMethod", "cloud", "customerId", "displayName", "tenantRef"]);
    expect(schema.required.sort()).toEqual(["adminEmail", "authMethod", "cloud", "customerId", "displayName", "tenantRef"]);
    const list = doc.paths["/tenants"]!.get!;
    const pageSize = list.parameters!.find((p) => p.name === "pageSize") as { required: boolean; schema: JsonSchema };
    expect(pageSize.required).toBe(false);
    expect(pageSize.schema).toMatchObject({ type: "integer", maximum: 200, default: 50 });
  });
});

describe("the endpoint registry and the route files", () => {
  const files = routeFiles(ROUTES_DIR);
  const exported = files.flatMap((file) => {
    const rel = path.relative(ROUTES_DIR, path.dirname(file)).split(path.sep).filter(Boolean);
    const apiPath = "/" + rel.map((seg) => seg.replace(/^\[(\w+)\]$/, "{$1}")).join("/");
    const text = fs.readFileSync(file, "utf8");
    const methodExports = [...text.matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)].map((m) => m[1]!);
    const bound = [...text.matchAll(/export const (GET|POST|PUT|PATCH|DELETE) = apiRoute\(endpoints\.(\w+)\b/g)].map((m) => ({ method: m[1]!, name: m[2]! }));
    expect(bound.map((b) => b.method).sort(), file).toEqual(methodExports.sort());
    return bound.map((b) => ({ ...b, path: apiPath, file }));
  });

  it("binds every exported handler to the registry endpoint of the same method and path", () => {
    expect(exported.length).toBeGreaterThan(0);
    for (const e of exported) {
      const spec = endpoints[e.name as keyof typeof endpoints];
      expect(spec, `${e.file}: endpoints.${e.name}`).toBeDefined();
      expect({ method: spec.method, path: spec.path }, e.file).toEqual({ method: e.method, path: e.path });
    }
  });

  it("serves every registry endpoint from exactly one route handler", () => {
    const served = exported.map((e) => `${e.method} ${e.path}`).sort();
    const declared = endpointList.map((e) => `${e.method} ${e.path}`).sort();
    expect(served).toEqual(declared);
    expect(new Set(served).size).toBe(served.length);
  });

  it("lists every registry endpoint in the document", () => {
    for (const e of endpointList) expect(doc.paths[e.path]?.[e.method.toLowerCase()]?.operationId).toBe(e.operationId);
    expect(operations.length).toBe(endpointList.length);
  });
});
