import { z } from "zod";
import { roleLabels } from "@/lib/auth/roles";
import { env } from "@/lib/env";
import type { EndpointSpec } from "./endpoint";
import { endpointList } from "./endpoints";
import { PROBLEM_CONTENT_TYPE, problemKinds } from "@/lib/http/problem";
import { apiComponents } from "./schemas";

/**
 * The OpenAPI 3.1 document, generated from the endpoint registry and its zod schemas: request schemas
 * as clients send them (`io: "input"`), response schemas as the handlers send them (`io: "output"`, the
 * handler parses every response body with the same schema). OpenAPI 3.1 schema objects are JSON Schema
 * 2020-12, which is what `z.toJSONSchema` produces.
 * @see https://spec.openapis.org/oas/v3.1.0
 */

export type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = {
  openapi: "3.1.0";
  jsonSchemaDialect: string;
  info: { title: string; version: string; description: string };
  servers: { url: string; description?: string }[];
  tags: { name: string; description?: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  /** What the console sends: a webhook channel's requests (OpenAPI 3.1 `webhooks`). */
  webhooks: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, Record<string, unknown>>;
    responses: Record<string, Record<string, unknown>>;
    headers: Record<string, Record<string, unknown>>;
    parameters: Record<string, Record<string, unknown>>;
  };
};
export type OpenApiOperation = {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: Record<string, unknown>[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
  "x-minimum-role"?: string;
};

export const API_BASE_PATH = "/api/v1";
const COMPONENT_REF = "#/components/schemas/";
const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** Drops noise zod adds: the ISO date-time regex next to `format: date-time`, and the ±2^53 bounds of every integer. */
function tidy(ctx: { jsonSchema: JsonSchema }) {
  const s = ctx.jsonSchema;
  if (s.format === "date-time") delete s.pattern;
  if (s.minimum === -SAFE_INT) delete s.minimum;
  if (s.maximum === SAFE_INT) delete s.maximum;
}

/** A component or inline schema lives inside the document: no `$schema` or `$id` of its own. */
function strip(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete rest.$schema;
  delete rest.$id;
  return rest;
}

function inputSchema(schema: z.ZodType): JsonSchema {
  return strip(z.toJSONSchema(schema, { io: "input", unrepresentable: "any", override: tidy }) as JsonSchema);
}

function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(apiComponents, { io: "output", unrepresentable: "any", uri: (id) => COMPONENT_REF + id, override: tidy });
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, strip(s as JsonSchema)]));
}

function responseRef(schema: z.ZodType): JsonSchema {
  const meta = apiComponents.get(schema);
  if (!meta) throw new Error("Every response schema must be registered in apiComponents (lib/api/schemas.ts)");
  return { $ref: COMPONENT_REF + meta.id };
}

function parametersOf(schema: z.ZodType | undefined, where: "path" | "query"): Record<string, unknown>[] {
  if (!schema) return [];
  const json = inputSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

const problemResponseNames: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
  422: "ValidationFailed",
  429: "TooManyRequests",
  500: "InternalError",
};

function problemStatuses(e: EndpointSpec): number[] {
  const statuses = new Set<number>([500]);
  if (e.role) [401, 403, 429].forEach((s) => statuses.add(s));
  if (e.params || e.query || e.body) statuses.add(400);
  if (e.body) [413, 415, 422].forEach((s) => statuses.add(s));
  for (const s of e.problems ?? []) statuses.add(s);
  return [...statuses].sort();
}

function operationOf(e: EndpointSpec): OpenApiOperation {
  const roleText = e.role ? `Minimum role: ${roleLabels[e.role]}.` : "Public: no authentication.";
  const parameters = [
    ...parametersOf(e.params, "path"),
    ...parametersOf(e.query, "query"),
    ...(e.ifMatch ? [{ $ref: "#/components/parameters/IfMatch" }] : []),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(e.responses)) {
    if (!spec) continue;
    const headers: Record<string, unknown> = { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } };
    for (const [name, description] of Object.entries(spec.headers ?? {})) headers[name] = { description, schema: { type: "string" } };
    const content = spec.schema
      ? { "application/json": { schema: responseRef(spec.schema) } }
      : spec.contentType
        ? { [spec.contentType]: { schema: { type: "string" } } }
        : undefined;
    responses[status] = { description: spec.description, headers, ...(content ? { content } : {}) };
  }
  for (const status of problemStatuses(e)) responses[String(status)] = { $ref: `#/components/responses/${problemResponseNames[status]}` };
  return {
    operationId: e.operationId,
    summary: e.summary,
    description: [e.description, roleText].filter(Boolean).join("\n\n"),
    tags: [e.tag],
    ...(e.role ? { "x-minimum-role": roleLabels[e.role] } : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(e.body ? { requestBody: { required: !e.bodyOptional, content: { "application/json": { schema: inputSchema(e.body) } } } } : {}),
    responses,
  };
}

const problemExplanations: Record<number, string> = {
  400: "Malformed request: invalid JSON, or an invalid query or path parameter (`errors` lists them), or an invalid If-Match.",
  401: "No bearer token, or one that is unknown, revoked, expired or fails validation. `WWW-Authenticate: Bearer` says which.",
  403: "The token is valid but its role does not allow this request, or an Entra token carries no mapped role.",
  404: "No such resource.",
  409: "A version conflict (If-Match does not match the current version), or the resource's state does not allow the request.",
  413: `The request body is larger than ${env.API_MAX_BODY_BYTES} bytes (API_MAX_BODY_BYTES).`,
  415: "The request body is not `application/json`.",
  422: "The body failed validation; `errors` lists each field and what is wrong with it.",
  429: `More than ${env.API_RATE_LIMIT_PER_MINUTE} requests in the current minute for this token (API_RATE_LIMIT_PER_MINUTE). Retry-After says when to try again.`,
  500: "Unexpected failure; the request id finds it in the console's log.",
};

/** A webhook channel's POST to its receiver (lib/notify/channels/webhook.ts), signed per Standard Webhooks. */
function webhookOperation(): Record<string, unknown> {
  const header = (description: string) => ({ in: "header", required: true, description, schema: { type: "string" } });
  return {
    post: {
      operationId: "notificationWebhook",
      summary: "A notification, POSTed to a webhook channel's URL",
      description:
        "Answer 2xx to acknowledge. 408, 429 and 5xx are retried with exponential backoff (Retry-After, in seconds or as an HTTP date, is honoured); any other status is final. Deduplicate on `webhook-id`.",
      tags: ["Channels"],
      parameters: [
        { name: "webhook-id", ...header("The notification's id; the same on every retry.") },
        { name: "webhook-timestamp", ...header("Unix seconds when this attempt was sent.") },
        {
          name: "webhook-signature",
          ...header(
            "`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64 after `whsec_`; space-separated during a rotation.",
          ),
        },
      ],
      requestBody: { required: true, content: { "application/json": { schema: { $ref: `${COMPONENT_REF}WebhookEvent` } } } },
      responses: { "2XX": { description: "Received." }, default: { description: "Retried for 408, 429 and 5xx; otherwise given up." } },
    },
  };
}

/** The document served at GET /api/v1/openapi.json and rendered by the console. */
export function openApiDocument(): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const e of endpointList) {
    paths[e.path] ??= {};
    paths[e.path]![e.method.toLowerCase()] = operationOf(e);
  }
  const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `${COMPONENT_REF}Problem` } } };
  const responses: OpenApiDocument["components"]["responses"] = {};
  for (const [status, name] of Object.entries(problemResponseNames)) {
    const headers: Record<string, unknown> = { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } };
    if (status === "401")
      headers["WWW-Authenticate"] = { description: '`Bearer`, with `error="invalid_token"` when a token was sent.', schema: { type: "string" } };
    if (status === "429") headers["Retry-After"] = { description: "Seconds until the next window.", schema: { type: "integer" } };
    responses[name] = { description: problemExplanations[Number(status)], headers, content: problemContent };
  }
  const kinds = Object.entries(problemKinds)
    .map(([kind, k]) => `\`${kind}\` (${k.status})`)
    .join(", ");
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Tenant Access Console API",
      version: "1.0.0",
      description: [
        "Automation access to the Tenant Access Console: tenants, verification, consent links, Verify All runs, the provider app and the audit log.",
        "Authenticate with `Authorization: Bearer <token>`: an API token (Settings → API tokens) or an Entra ID access token validated by the Entra Authentication settings, whose role comes from its `roles` claim (app roles `Administrator`, `Operator`, `Viewer`) or from its `groups` claim through the console's group mappings. Browser sessions are not accepted.",
        `Errors are RFC 9457 problem details (\`${PROBLEM_CONTENT_TYPE}\`); their \`type\` is one of ${kinds} under https://tenant-access-console.local/problems/.`,
        `Each token may make ${env.API_RATE_LIMIT_PER_MINUTE} requests per minute. Every response carries X-Request-Id.`,
      ].join("\n\n"),
    },
    servers: [{ url: API_BASE_PATH, description: "This console" }],
    tags: [
      { name: "Tenants" },
      { name: "Consent links" },
      { name: "Consent campaigns" },
      { name: "Verification runs" },
      { name: "Tags" },
      { name: "Settings" },
      { name: "Channels" },
      { name: "Admins" },
      { name: "Audit" },
      { name: "Alerts" },
      { name: "Meta" },
    ],
    security: [{ apiToken: [] }, { entraAccessToken: [] }],
    paths,
    webhooks: { notification: webhookOperation() },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        apiToken: {
          type: "http",
          scheme: "bearer",
          description: "An API token from Settings → API tokens (`tac_…`), with the role chosen when it was created.",
        },
        entraAccessToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "An Entra ID access token (never an ID token) accepted by Settings → Entra Authentication (API Audience, API Issuer, required claims, clock skew, signing keys). Role: the highest of the `roles` claim's `Administrator`, `Operator`, `Viewer`, else the highest role mapped to a group in the `groups` claim.",
        },
      },
      responses,
      headers: { "X-Request-Id": { description: "Identifies this request in the console's log and audit log.", schema: { type: "string" } } },
      parameters: {
        IfMatch: {
          name: "If-Match",
          in: "header",
          required: false,
          description: 'The version the change is based on, as returned in ETag, e.g. `"3"`.',
          schema: { type: "string" },
        },
      },
    },
  };
}
