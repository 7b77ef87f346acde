import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
// Messages for people wherever a schema gives none (lib/validations/messages.ts).
import "@/lib/validations/messages";
import type { AuditActor } from "@/lib/audit";
import { atLeast, roleLabels } from "@/lib/auth/roles";
import { runCommand, type Command } from "@/lib/commands/command";
import { env } from "@/lib/env";
import { CommandError, logUnexpected } from "@/lib/errors";
import { securityHeaders } from "@/lib/http/security-headers";
import { clientAddress } from "@/lib/net/client-address";
import { authenticate, type ApiPrincipal } from "./auth";
import type { Accepted, EndpointSpec, Parsed } from "./endpoint";
import { API_BASE_PATH } from "./openapi";
import { ApiError, fieldErrorsOf, PROBLEM_CONTENT_TYPE, problemBody, problemOf, type FieldError } from "@/lib/http/problem";
import { consumeRateLimit, type RateLimitDecision } from "./rate-limit";

/**
 * Every /api/v1 route handler is `apiRoute(endpoint, impl)`: a fixed ladder built from the endpoint's
 * declaration — request id → authenticate (bearer only) → rate limit → authorize (role) → parse path,
 * query and body (zod) → impl → parse the response with its declared schema → respond. Failures on any
 * rung become problem details; every request is logged once, without the Authorization header.
 *
 * An impl that changes something runs a command (lib/commands) with `run`, as the caller's principal:
 * the command authorizes and parses again, and its refusal becomes the problem its code names.
 */

export type ApiContext<P, Q, B, R = unknown> = {
  params: P;
  query: Q;
  body: B;
  /** The JSON body as sent, for a command that parses it with its own (transforming) schema. */
  rawBody: R;
  principal: ApiPrincipal;
  actor: AuditActor;
  requestId: string;
  /** The If-Match version when the client sent one; `"*"` matches any version. */
  ifMatch: number | "*" | null;
  signal: AbortSignal;
  /** Runs a command as this request's principal; a refusal is thrown and answered as a problem. */
  run<S extends z.ZodType, O>(command: Command<S, O>, input: z.input<S>): Promise<O>;
};

export type ApiReply = { status: 200 | 201 | 202 | 204; body?: unknown; headers?: Record<string, string> } | Response;

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const JSON_TYPE = /^application\/(?:[a-z0-9.+-]*\+)?json\s*(?:;|$)/i;
// The proxy does not run for /api/v1 (it would buffer request bodies): the API sends the static headers itself.
const staticHeaders = securityHeaders(env.APP_URL);

/** The id proxy.ts stamped on the request (or the client's own, when well-formed); a fresh one otherwise. */
export function requestIdOf(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** `"3"`, `3` or `*`; weak validators never match (RFC 9110 §13.1.1 compares If-Match strongly). */
export function parseIfMatch(value: string | null): number | "*" | null {
  if (value === null) return null;
  const v = value.trim();
  if (v === "*") return "*";
  const m = /^"?(\d{1,9})"?$/.exec(v);
  if (!m) throw new ApiError("bad-request", 'If-Match must be the ETag of the resource, e.g. "3", or *.');
  return Number(m[1]);
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, kind: "bad-request" | "validation", detail: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError(kind, detail, { errors: fieldErrorsOf(parsed.error) });
  return parsed.data;
}

function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  const repeated: FieldError[] = [];
  for (const [key, value] of url.searchParams) {
    if (key in out) repeated.push({ path: key, message: "Given more than once; use one comma-separated value." });
    out[key] = value;
  }
  if (repeated.length) throw new ApiError("bad-request", "Invalid query parameters.", { errors: repeated });
  return out;
}

async function readBody(request: Request, optional: boolean): Promise<unknown> {
  const max = env.API_MAX_BODY_BYTES;
  const tooLarge = () => new ApiError("payload-too-large", `The request body may be at most ${max} bytes.`);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > max) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") {
    if (optional) return {};
    throw new ApiError("bad-request", "This request needs a JSON body.");
  }
  if (!JSON_TYPE.test(request.headers.get("content-type") ?? "")) {
    throw new ApiError("unsupported-media-type", "Send the body as JSON with Content-Type: application/json.");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the body, which may hold a secret: say only where to look.
    throw new ApiError("bad-request", "The request body is not valid JSON.");
  }
}

function logLine(fields: { method: string; path: string; status: number; ms: number; actor: string; requestId: string }) {
  const line = `[api] ${fields.method} ${fields.path} ${fields.status} ${fields.ms}ms actor=${JSON.stringify(fields.actor)} request=${fields.requestId}`;
  if (fields.status >= 500) console.error(line);
  else if (env.LOG_LEVEL === "debug" || env.LOG_LEVEL === "info") console.info(line);
}

function rateHeaders(decision: RateLimitDecision | null): Record<string, string> {
  if (!decision) return {};
  return {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(decision.resetSeconds),
  };
}

/** Serializes a reply through its declared response schema: what is sent is exactly what the document says. */
function serialize(endpoint: EndpointSpec, reply: Exclude<ApiReply, Response>): string | null {
  const spec = endpoint.responses[reply.status];
  if (!spec) throw new Error(`${endpoint.operationId} answered ${reply.status}, which it does not declare`);
  if (!spec.schema) return null;
  const json: unknown = JSON.parse(JSON.stringify(reply.body ?? null));
  const parsed = spec.schema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".")}: ${i.code}`)
      .join("; ");
    throw new Error(`${endpoint.operationId} response does not match its schema (${where})`);
  }
  return JSON.stringify(parsed.data);
}

export function apiRoute<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined>(
  endpoint: EndpointSpec<P, Q, B>,
  impl: (ctx: ApiContext<Parsed<P>, Parsed<Q>, Parsed<B>, Accepted<B>>) => Promise<ApiReply>,
) {
  return async function handle(request: Request, context: RouteContext): Promise<Response> {
    const started = performance.now();
    const requestId = requestIdOf(request.headers);
    const url = new URL(request.url);
    let principal: ApiPrincipal | null = null;
    let decision: RateLimitDecision | null = null;
    let response: Response;
    try {
      if (endpoint.role) {
        principal = await authenticate(request.headers, clientAddress(request.headers));
        decision = await consumeRateLimit({ subject: principal.rateKey, limit: env.API_RATE_LIMIT_PER_MINUTE, actor: principal.actor, requestId });
        if (!decision.allowed) {
          throw new ApiError("rate-limited", `At most ${decision.limit} requests per minute per token. Try again in ${decision.resetSeconds} s.`, {
            headers: { "Retry-After": String(decision.resetSeconds) },
          });
        }
        if (!atLeast(principal.role, endpoint.role)) {
          throw new ApiError("forbidden", `This request needs the ${roleLabels[endpoint.role]} role; the token has ${roleLabels[principal.role]}.`);
        }
      }
      const params = endpoint.params ? parseOrThrow(endpoint.params, await context.params, "bad-request", "Invalid path parameters.") : undefined;
      const query = endpoint.query ? parseOrThrow(endpoint.query, queryObject(url), "bad-request", "Invalid query parameters.") : undefined;
      const ifMatch = endpoint.ifMatch ? parseIfMatch(request.headers.get("if-match")) : null;
      const rawBody = endpoint.body ? await readBody(request, Boolean(endpoint.bodyOptional)) : undefined;
      const body = endpoint.body ? parseOrThrow(endpoint.body, rawBody, "validation", "The request body is invalid.") : undefined;
      const caller = principal;
      const reply = await impl({
        params: params as Parsed<P>,
        query: query as Parsed<Q>,
        body: body as Parsed<B>,
        rawBody: rawBody as Accepted<B>,
        // Public endpoints never read the principal; authenticated ones always have it.
        principal: principal!,
        actor: principal?.actor ?? { type: "anonymous", label: "anonymous" },
        requestId,
        ifMatch,
        signal: request.signal,
        run: (command, input) => {
          if (!caller) throw new Error(`${endpoint.operationId} is public and cannot run ${command.name}`);
          return runCommand(command, input, {
            actor: caller.actor,
            role: caller.role,
            requestId,
            principalKind: caller.kind,
            signal: request.signal,
            grantee: caller.grantee,
          });
        },
      });
      if (reply instanceof Response) {
        response = reply;
      } else {
        const text = serialize(endpoint as EndpointSpec, reply);
        response = new Response(text, {
          status: reply.status,
          headers: { ...(text !== null ? { "Content-Type": "application/json" } : {}), ...reply.headers },
        });
      }
    } catch (e) {
      const error = e instanceof ApiError ? e : e instanceof CommandError ? problemOf(e) : new ApiError("internal");
      if (!(e instanceof ApiError) && !(e instanceof CommandError)) logUnexpected("api", requestId, e);
      response = new Response(JSON.stringify(problemBody(error, { requestId, instance: url.pathname })), {
        status: error.status,
        headers: { "Content-Type": PROBLEM_CONTENT_TYPE, ...error.options.headers },
      });
    }
    response.headers.set("X-Request-Id", requestId);
    for (const [name, value] of Object.entries(staticHeaders)) response.headers.set(name, value);
    if (!response.headers.has("Cache-Control")) response.headers.set("Cache-Control", "no-store");
    for (const [k, v] of Object.entries(rateHeaders(decision))) response.headers.set(k, v);
    logLine({
      method: request.method,
      path: url.pathname,
      status: response.status,
      ms: Math.round(performance.now() - started),
      actor: principal?.label ?? "-",
      requestId,
    });
    return response;
  };
}

/** `/api/v1/tenants/{id}` for an endpoint path and its parameters. */
export function apiUrl(path: string, params: Record<string, string> = {}) {
  return API_BASE_PATH + path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
}
