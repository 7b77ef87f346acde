/**
 * Why an operation refused, as a closed set of codes. Messages are for people and may be reworded at any
 * time; programs (the REST API's status codes, the forms) decide on the code only. Each code is also a
 * REST problem kind: lib/api/problem.ts's `problemKinds` gives its HTTP status, and the compiler refuses
 * a code without one.
 */
export const commandErrorCodes = ["forbidden", "not-found", "validation", "conflict", "version-conflict", "rate-limited"] as const;

export type CommandErrorCode = (typeof commandErrorCodes)[number];

/** Messages keyed by input name (a form field, or a body property on the REST API). */
export type FieldErrors = Record<string, string[] | undefined>;

/** What a form shows above its fields when some of them are wrong; the fields say what is wrong. */
export const CHECK_FIELDS = "Check the highlighted fields.";

/** An expected refusal: thrown by a command (or by what it calls), turned into a result or a problem by the adapters. */
export class CommandError extends Error {
  readonly fieldErrors?: FieldErrors;
  /** A rate-limited refusal: when to try again (Retry-After on the REST API). */
  readonly retryAfterSeconds?: number;
  constructor(
    readonly code: CommandErrorCode,
    message: string,
    options: { fieldErrors?: FieldErrors; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "CommandError";
    if (options.fieldErrors) this.fieldErrors = options.fieldErrors;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** A refusal returned instead of thrown, by domain functions whose callers also read the failure. */
export type Refusal = { ok: false; code: CommandErrorCode; error: string; fieldErrors?: FieldErrors };

export type Result<T> = { ok: true; data: T } | Refusal;

export function refuse(code: CommandErrorCode, error: string, fieldErrors?: FieldErrors): Refusal {
  return fieldErrors ? { ok: false, code, error, fieldErrors } : { ok: false, code, error };
}

/** A validation refusal with one message on one field, under the form's summary. */
export function invalidField(field: string, message: string): Refusal {
  return refuse("validation", CHECK_FIELDS, { [field]: [message] });
}

/** The data of a result, or its refusal thrown as a CommandError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.data;
  throw new CommandError(result.code, result.error, result.fieldErrors ? { fieldErrors: result.fieldErrors } : {});
}

// Errors of the language itself come from a bug in our code; their messages name code, not data.
const CODE_ERRORS = new Set<unknown>([Error, TypeError, RangeError, ReferenceError, SyntaxError]);

/**
 * Logs an unexpected failure with its request id. A library's message may quote what it was given (a
 * database error quotes the query's values), so only the error's class, its code and where it was thrown
 * are logged, and the message only of the language's own errors.
 */
export function logUnexpected(where: string, requestId: string, error: unknown) {
  if (!(error instanceof Error)) {
    console.error(`[${where}] request=${requestId} failed: ${typeof error}`);
    return;
  }
  const code = "code" in error && (typeof error.code === "string" || typeof error.code === "number") ? ` ${error.code}` : "";
  const message = CODE_ERRORS.has(error.constructor) ? `: ${error.message.slice(0, 300)}` : "";
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8)
    .join("\n");
  console.error(`[${where}] request=${requestId} failed: ${error.name}${code}${message}${frames ? `\n${frames}` : ""}`);
}
