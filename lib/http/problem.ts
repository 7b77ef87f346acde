import { z } from "zod";
import type { CommandError } from "@/lib/errors";

/**
 * Every REST API error is an RFC 9457 problem details object (`application/problem+json`): a type URI
 * per kind of problem, a short title, the HTTP status, a detail for this occurrence, the request id, and
 * `errors` with one entry per invalid field. Details never contain stack traces, secrets or tokens.
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */

export const PROBLEM_BASE = "https://tenant-access-console.local/problems/";
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/**
 * The one map from a kind of problem to its HTTP status. A command's error code (lib/errors.ts) is one of
 * these kinds, so a command's refusal gets its status here and nowhere else (`problemOf`).
 */
export const problemKinds = {
  "bad-request": { status: 400, title: "Bad request" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Forbidden" },
  "not-found": { status: 404, title: "Not found" },
  "version-conflict": { status: 409, title: "Version conflict" },
  conflict: { status: 409, title: "Conflict" },
  "payload-too-large": { status: 413, title: "Request body too large" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  validation: { status: 422, title: "Validation failed" },
  "rate-limited": { status: 429, title: "Too many requests" },
  internal: { status: 500, title: "Internal server error" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof problemKinds;

export type FieldError = { path: string; message: string };

export const problemSchema = z.object({
  type: z.url().describe("Identifies the kind of problem; one URI per kind (see the `title`)."),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string().optional().describe("What went wrong in this request, for a person to read."),
  instance: z.string().optional().describe("The request path."),
  requestId: z.string().describe("Also sent as the X-Request-Id header and written to the console's log."),
  errors: z
    .array(z.object({ path: z.string().describe("Dot-separated path of the field or parameter, e.g. `adminEmail` or `tenantIds.2`."), message: z.string() }))
    .optional()
    .describe("Present on validation problems (422, and 400 for query and path parameters)."),
});

export type Problem = z.infer<typeof problemSchema>;

/** Thrown anywhere below a route handler; the handler turns it into a problem response. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  constructor(
    readonly kind: ProblemKind,
    readonly detail?: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? problemKinds[kind].title);
    this.name = "ApiError";
    this.status = problemKinds[kind].status;
    this.title = problemKinds[kind].title;
    this.type = PROBLEM_BASE + kind;
  }
}

export function problemBody(error: ApiError, context: { requestId: string; instance?: string }): Problem {
  return {
    type: error.type,
    title: error.title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(context.instance ? { instance: context.instance } : {}),
    requestId: context.requestId,
    ...(error.options.errors ? { errors: error.options.errors } : {}),
  };
}

/** Zod issues as field errors. Zod's messages name the rule, never the rejected value. */
export function fieldErrorsOf(error: z.ZodError, prefix: (string | number)[] = []): FieldError[] {
  return error.issues.map((issue) => ({ path: [...prefix, ...issue.path.map(String)].join("."), message: issue.message }));
}

/** An ActionResult's `fieldErrors` (keyed by input name) as field errors. */
export function fieldErrorsFromRecord(fieldErrors: Record<string, string[] | undefined>): FieldError[] {
  return Object.entries(fieldErrors).flatMap(([path, messages]) => (messages ?? []).map((message) => ({ path, message })));
}

/**
 * A command's refusal as a problem. The code is the kind (the compiler refuses a code that is not one),
 * so the status never depends on the message. Field errors are the detail of a validation problem; the
 * form's summary above them means nothing to a program.
 */
export function problemOf(error: CommandError): ApiError {
  if (error.code === "validation" && error.fieldErrors && Object.keys(error.fieldErrors).length > 0) {
    return new ApiError("validation", "The request body is invalid.", { errors: fieldErrorsFromRecord(error.fieldErrors) });
  }
  if (error.retryAfterSeconds !== undefined) return new ApiError(error.code, error.message, { headers: { "Retry-After": String(error.retryAfterSeconds) } });
  return new ApiError(error.code, error.message);
}
