import type { z } from "zod";
import type { AdminRole } from "@/lib/generated/prisma/enums";

/**
 * One REST API endpoint, declared once. The route handler (lib/api/handler.ts) parses and authorizes
 * with it, and the OpenAPI document (lib/api/openapi.ts) is generated from it, so the two cannot drift.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type ResponseSpec = {
  description: string;
  /** JSON body; must be registered in `apiComponents`. Omitted for 204 and for non-JSON bodies. */
  schema?: z.ZodType;
  /** A body that is not JSON, e.g. `text/event-stream`. */
  contentType?: string;
  headers?: Record<string, string>;
};

export type EndpointSpec<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> = {
  operationId: string;
  method: HttpMethod;
  /** Relative to /api/v1, with `{name}` path parameters. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** The minimum role; null for the few public endpoints. */
  role: AdminRole | null;
  params?: P;
  query?: Q;
  body?: B;
  /** Whether the body may be omitted entirely (an empty body then parses as `{}`). */
  bodyOptional?: boolean;
  /** The endpoint honours `If-Match` (the resource's version). */
  ifMatch?: boolean;
  responses: Partial<Record<200 | 201 | 202 | 204, ResponseSpec>>;
  /** Problem statuses this endpoint can answer besides the ones every authenticated endpoint can. */
  problems?: (404 | 409 | 422)[];
};

export function defineEndpoint<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: EndpointSpec<P, Q, B>): EndpointSpec<P, Q, B> {
  return spec;
}

export type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;
/** What a client sent that the schema accepted, before its transforms. */
export type Accepted<T> = T extends z.ZodType ? z.input<T> : undefined;
