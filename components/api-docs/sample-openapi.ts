/**
 * A small OpenAPI 3.1 document in the shape lib/api/openapi.ts produces (zod 4 JSON Schema: nullable as
 * `anyOf [X, null]`, components referenced by `$ref`), with the awkward cases the reference page must
 * handle: a recursive schema, oneOf with a discriminating constant, allOf, a type array with "null",
 * OpenAPI 3.0's `nullable`, path-level parameters, $ref'd parameters and responses, and a `$defs` ref.
 * Used by the renderer's tests.
 */
export const sampleOpenApi = {
  openapi: "3.1.0",
  info: { title: "Tenant Access Console API", version: "1.0.0", description: "Automate the console." },
  servers: [{ url: "/api/v1" }],
  tags: [{ name: "Tenants", description: "Customer tenants." }, { name: "Verification runs" }],
  paths: {
    "/tenants": {
      get: {
        operationId: "listTenants",
        summary: "List tenants",
        tags: ["Tenants"],
        "x-required-role": "VIEWER",
        parameters: [
          { name: "status", in: "query", required: false, description: "Comma-separated statuses.", schema: { type: "string" } },
          { $ref: "#/components/parameters/PageSize" },
        ],
        responses: {
          "200": { description: "A page of tenants.", content: { "application/json": { schema: { $ref: "#/components/schemas/TenantPage" } } } },
          "401": { $ref: "#/components/responses/Unauthorized" },
        },
      },
      post: {
        operationId: "createTenant",
        summary: "Add a tenant",
        tags: ["Tenants"],
        "x-required-role": "ADMINISTRATOR",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  customerId: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", description: "Your own identifier." },
                  authMethod: { type: "string", enum: ["PASSWORD", "AUTH_TOKEN", "APP_REGISTRATION"] },
                  notes: { type: ["string", "null"], maxLength: 500 },
                  contact: { $ref: "#/$defs/Contact" },
                },
                required: ["customerId", "authMethod"],
                additionalProperties: false,
                $defs: { Contact: { type: "object", properties: { email: { type: "string", format: "email" } }, required: ["email"] } },
              },
            },
          },
        },
        responses: {
          "201": { description: "Created.", content: { "application/json": { schema: { $ref: "#/components/schemas/Tenant" } } } },
          "422": { description: "Validation failed.", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
        },
      },
    },
    "/tenants/{id}": {
      parameters: [{ name: "id", in: "path", required: true, description: "Internal id or customer id.", schema: { type: "string" } }],
      patch: {
        operationId: "updateTenant",
        summary: "Change a tenant",
        description: "Send the version you read.\n\nMinimum role: Administrator.",
        tags: ["Tenants"],
        "x-minimum-role": "Administrator",
        parameters: [{ name: "If-Match", in: "header", required: true, schema: { type: "string" }, description: "The version you read." }],
        requestBody: {
          content: {
            "application/json": {
              schema: {
                allOf: [
                  { $ref: "#/components/schemas/TenantInput" },
                  { type: "object", properties: { version: { type: "integer", minimum: 1 } }, required: ["version"] },
                ],
              },
            },
          },
        },
        responses: { "200": { description: "Saved.", content: { "application/json": { schema: { $ref: "#/components/schemas/Tenant" } } } } },
      },
    },
    "/verification-runs/{id}/events": {
      get: {
        operationId: "streamRunEvents",
        summary: "Follow a run",
        tags: ["Verification runs"],
        "x-required-role": "viewer",
        parameters: [{ name: "id", in: "path", schema: { type: "string" } }],
        responses: {
          "200": { description: "Server-sent events.", content: { "text/event-stream": { schema: { $ref: "#/components/schemas/RunEvent" } } } },
        },
      },
    },
    "/health": {
      get: { summary: "Health", description: "Liveness.\n\nPublic: no authentication.", security: [], responses: { "204": { description: "Healthy." } } },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer", bearerFormat: "API token (tac_…) or Entra access token (JWT)", description: "Settings → API tokens." },
    },
    parameters: {
      PageSize: { name: "pageSize", in: "query", schema: { type: "integer", minimum: 1, maximum: 200, default: 50 }, description: "Items per page." },
    },
    responses: {
      Unauthorized: { description: "No valid token.", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
    },
    schemas: {
      TenantInput: {
        type: "object",
        properties: { customerId: { type: "string" }, displayName: { type: "string", maxLength: 256 } },
        required: ["customerId", "displayName"],
      },
      Tenant: {
        type: "object",
        description: "A customer tenant.",
        properties: {
          id: { type: "string", format: "uuid" },
          status: { type: "string", enum: ["NEVER", "VERIFIED", "WARNING", "FAILED"] },
          lastVerifiedAt: { anyOf: [{ type: "string", format: "date-time" }, { type: "null" }] },
          owner: { anyOf: [{ $ref: "#/components/schemas/Admin" }, { type: "null" }], description: "Who looks after it." },
          legacyNote: { type: "string", nullable: true },
          tags: { type: "array", items: { type: "string" }, uniqueItems: true },
          labels: { type: "object", additionalProperties: { type: "string" } },
          parent: { $ref: "#/components/schemas/Tenant" },
        },
        required: ["id", "status", "lastVerifiedAt"],
      },
      Admin: { type: "object", properties: { email: { type: "string", format: "email" } }, required: ["email"] },
      TenantPage: {
        type: "object",
        properties: { items: { type: "array", items: { $ref: "#/components/schemas/Tenant" } }, total: { type: "integer", minimum: 0 } },
        required: ["items", "total"],
      },
      RunEvent: {
        oneOf: [
          { type: "object", title: "Progress", properties: { type: { const: "progress" }, done: { type: "integer" } }, required: ["type", "done"] },
          {
            type: "object",
            title: "Finished",
            properties: { type: { const: "finished" }, status: { type: "string", enum: ["COMPLETED", "CANCELLED"] } },
            required: ["type"],
          },
        ],
      },
      Problem: {
        type: "object",
        properties: {
          type: { type: "string", format: "uri" },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string" },
          errors: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
        },
        required: ["type", "title", "status"],
      },
    },
  },
} as const;
