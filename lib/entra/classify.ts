import type { ReasonCode } from "./reasons";

/**
 * Maps what Microsoft returned to a reason code. Only `error`, `error_codes`, Graph `error.code` and the
 * HTTP status are used: message texts change without notice.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 * @see https://learn.microsoft.com/en-us/graph/errors
 */

/** The flow the failure came from, because one `error` class means different things in each. */
export type Flow = "client_credentials" | "refresh_token" | "password" | "authorization_code" | "graph" | "discovery" | "consent" | "config";

/** What an admin gives Microsoft support. No secret, token or message that could echo one. */
export type Diagnostics = {
  endpoint?: string;
  httpStatus?: number;
  error?: string;
  errorCodes?: number[];
  suberror?: string;
  graphCode?: string;
  traceId?: string;
  correlationId?: string;
  /** x-ms-request-id (token endpoint) or request-id (Graph). */
  requestId?: string;
  timestamp?: string;
  attempts?: number;
  retryAfterSeconds?: number;
  /** msal-node's own error code when the failure happened before or without a server answer. */
  libraryCode?: string;
};

export type EntraFailure = Diagnostics & {
  flow: Flow;
  /** `refused`: the outbound policy (lib/net/outbound-policy.ts) stopped the call before anything was sent. */
  kind: "server" | "timeout" | "network" | "config" | "refused";
  /** Why the call was refused, naming the host and the address (no secret): shown to the admin as is. */
  refusal?: string;
};

const byAadstsCode: Record<number, ReasonCode> = {
  7000215: "INVALID_SECRET",
  70002: "INVALID_SECRET",
  7000222: "SECRET_EXPIRED",
  7000218: "NOT_CONFIGURED",
  700027: "BAD_CERTIFICATE",
  700024: "BAD_CERTIFICATE",
  700212: "BAD_CERTIFICATE",
  700016: "APP_NOT_IN_TENANT",
  700011: "APP_NOT_IN_TENANT",
  7000112: "APP_DISABLED",
  70001: "APP_DISABLED",
  90002: "TENANT_NOT_FOUND",
  900023: "TENANT_NOT_FOUND",
  50128: "TENANT_NOT_FOUND",
  50059: "TENANT_NOT_FOUND",
  5000224: "TENANT_DISABLED",
  90038: "WRONG_CLOUD",
  900432: "WRONG_CLOUD",
  900382: "WRONG_CLOUD",
  50049: "WRONG_CLOUD",
  65001: "CONSENT_REQUIRED",
  90094: "CONSENT_REQUIRED",
  90099: "CONSENT_REQUIRED",
  650056: "CONSENT_REQUIRED",
  650057: "CONSENT_REQUIRED",
  500011: "CONSENT_REQUIRED",
  65004: "CONSENT_DECLINED",
  50076: "MFA_REQUIRED",
  50079: "MFA_REQUIRED",
  50074: "MFA_REQUIRED",
  50158: "MFA_REQUIRED",
  700020: "MFA_REQUIRED",
  50078: "MFA_REQUIRED",
  53003: "CONDITIONAL_ACCESS_BLOCKED",
  530032: "CONDITIONAL_ACCESS_BLOCKED",
  530035: "CONDITIONAL_ACCESS_BLOCKED",
  530034: "CONDITIONAL_ACCESS_BLOCKED",
  53000: "CONDITIONAL_ACCESS_BLOCKED",
  53001: "CONDITIONAL_ACCESS_BLOCKED",
  700082: "REAUTHORIZATION_REQUIRED",
  70008: "REAUTHORIZATION_REQUIRED",
  700084: "REAUTHORIZATION_REQUIRED",
  50173: "REAUTHORIZATION_REQUIRED",
  50132: "REAUTHORIZATION_REQUIRED",
  50133: "REAUTHORIZATION_REQUIRED",
  70043: "REAUTHORIZATION_REQUIRED",
  // Seen on refresh after a device object disappeared; re-authentication fixes it.
  // @see https://github.com/KelvinTegelaar/CIPP/issues/4978
  700003: "REAUTHORIZATION_REQUIRED",
  50055: "PASSWORD_EXPIRED",
  50144: "PASSWORD_EXPIRED",
  50135: "PASSWORD_EXPIRED",
  50126: "INVALID_CREDENTIALS",
  50053: "INVALID_CREDENTIALS",
  50034: "INVALID_CREDENTIALS",
  50020: "INVALID_CREDENTIALS",
  51004: "INVALID_CREDENTIALS",
  50057: "USER_DISABLED",
  50196: "THROTTLED",
  90055: "THROTTLED",
  90033: "SERVICE_UNAVAILABLE",
  70011: "NOT_CONFIGURED",
  1002012: "NOT_CONFIGURED",
  50011: "NOT_CONFIGURED",
};

/**
 * Redeeming an authorization code: the code expired (70008, the same code as an expired refresh token),
 * was already used, belongs to another client or tenant, its PKCE verifier differs or it is garbled.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 */
const codeGrantCodes = new Set([54005, 70008, 700005, 501481, 501491, 9002313]);

/** Fallback on the OAuth `error` class when no code is known. */
function byErrorClass(error: string, flow: Flow): ReasonCode | undefined {
  switch (error) {
    case "invalid_client":
      return flow === "client_credentials" ? "INVALID_SECRET" : undefined;
    case "unauthorized_client":
      return "APP_NOT_IN_TENANT";
    case "invalid_tenant":
      return "TENANT_NOT_FOUND";
    case "consent_required":
      return "CONSENT_REQUIRED";
    case "interaction_required":
    case "login_required":
      return flow === "password" ? "MFA_REQUIRED" : "REAUTHORIZATION_REQUIRED";
    case "invalid_grant":
      if (flow === "refresh_token") return "REAUTHORIZATION_REQUIRED";
      if (flow === "authorization_code") return "AUTHORIZATION_CODE_REJECTED";
      if (flow === "password") return "INVALID_CREDENTIALS";
      return undefined;
    case "access_denied":
      return "CONSENT_DECLINED";
    case "temporarily_unavailable":
      return "SERVICE_UNAVAILABLE";
    case "invalid_scope":
    case "invalid_resource":
      return "NOT_CONFIGURED";
    default:
      return undefined;
  }
}

/** @see https://learn.microsoft.com/en-us/graph/errors#code-property */
const byGraphCode: Record<string, ReasonCode> = {
  Authorization_RequestDenied: "INSUFFICIENT_PERMISSIONS",
  Authorization_IdentityNotFound: "APP_NOT_IN_TENANT",
  Directory_QuotaExceeded: "SERVICE_UNAVAILABLE",
  TooManyRequests: "THROTTLED",
  activityLimitReached: "THROTTLED",
  serviceNotAvailable: "SERVICE_UNAVAILABLE",
  ServiceUnavailable: "SERVICE_UNAVAILABLE",
  generalException: "SERVICE_UNAVAILABLE",
  UnknownError: "SERVICE_UNAVAILABLE",
};

/** The libraryCode of a call the credential gate (lib/verification/credential-gate.ts) did not send. */
export const APP_CREDENTIAL_BLOCKED_CODE = "app_credential_rejected_in_run";

export function classifyFailure(f: EntraFailure): ReasonCode {
  if (f.libraryCode === APP_CREDENTIAL_BLOCKED_CODE) return "APP_CREDENTIAL_BLOCKED";
  if (f.kind === "timeout") return "TIMEOUT";
  if (f.kind === "network") return "NETWORK_ERROR";
  if (f.kind === "config") return "NOT_CONFIGURED";
  if (f.kind === "refused") return "HOST_NOT_ALLOWED";
  if (f.flow === "authorization_code" && f.errorCodes?.some((c) => codeGrantCodes.has(c))) return "AUTHORIZATION_CODE_REJECTED";
  for (const code of f.errorCodes ?? []) {
    const reason = byAadstsCode[code];
    if (reason) return reason;
  }
  // A malformed grant on refresh means the stored token is unusable; elsewhere it is a bad request.
  if (f.errorCodes?.includes(9002313) && f.flow === "refresh_token") return "REAUTHORIZATION_REQUIRED";
  if (f.graphCode && byGraphCode[f.graphCode]) return byGraphCode[f.graphCode]!;
  if (f.httpStatus === 429) return "THROTTLED";
  if (f.httpStatus === 503 || f.httpStatus === 502 || f.httpStatus === 504 || (f.httpStatus ?? 0) >= 500) {
    return "SERVICE_UNAVAILABLE";
  }
  if (f.error) {
    const reason = byErrorClass(f.error, f.flow);
    if (reason) return reason;
  }
  if (f.flow === "graph" && f.httpStatus === 403) return "INSUFFICIENT_PERMISSIONS";
  return "UNKNOWN";
}

/** Keeps only non-secret diagnostic fields (the failure object may carry more). */
export function diagnosticsOf(f: EntraFailure): Diagnostics {
  const keys: (keyof Diagnostics)[] = [
    "endpoint",
    "httpStatus",
    "error",
    "errorCodes",
    "suberror",
    "graphCode",
    "traceId",
    "correlationId",
    "requestId",
    "timestamp",
    "attempts",
    "retryAfterSeconds",
    "libraryCode",
  ];
  const out: Diagnostics = {};
  for (const k of keys) {
    if (f[k] !== undefined && f[k] !== null && f[k] !== "") (out as Record<string, unknown>)[k] = f[k];
  }
  if (out.endpoint) out.endpoint = redactUrl(out.endpoint);
  return out;
}

/** Query strings can carry codes or hints; diagnostics keep the origin and path only. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split("?")[0] ?? url;
  }
}

type Headers = Record<string, string | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

/**
 * Parses `Retry-After` as seconds. Graph sends fractional values ("2.128"); an HTTP date is also valid.
 * @see https://learn.microsoft.com/en-us/graph/throttling
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - nowMs) / 1000);
}

/**
 * A token-endpoint error body: `{error, error_description, error_codes[], timestamp, trace_id, correlation_id}`.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#error-response-1
 */
export function failureFromTokenResponse(input: {
  flow: Flow;
  endpoint: string;
  status: number;
  headers?: Headers;
  body: unknown;
  attempts?: number;
}): EntraFailure {
  const b = (input.body && typeof input.body === "object" ? input.body : {}) as Record<string, unknown>;
  const headers = input.headers ?? {};
  const codes = Array.isArray(b.error_codes) ? b.error_codes.map(Number).filter(Number.isFinite) : undefined;
  return {
    flow: input.flow,
    kind: "server",
    endpoint: input.endpoint,
    httpStatus: input.status,
    error: typeof b.error === "string" ? b.error : undefined,
    errorCodes: codes?.length ? codes : undefined,
    suberror: typeof b.suberror === "string" ? b.suberror : undefined,
    traceId: typeof b.trace_id === "string" ? b.trace_id : undefined,
    correlationId: typeof b.correlation_id === "string" ? b.correlation_id : header(headers, "client-request-id"),
    requestId: header(headers, "x-ms-request-id"),
    timestamp: typeof b.timestamp === "string" ? b.timestamp : undefined,
    retryAfterSeconds: parseRetryAfter(header(headers, "retry-after")),
    attempts: input.attempts,
  };
}

/**
 * A Graph error body: `{error: {code, message, innerError: {date, request-id, client-request-id}}}`.
 * @see https://learn.microsoft.com/en-us/graph/errors#json-representation
 */
export function failureFromGraphResponse(input: { endpoint: string; status: number; headers?: Headers; body: unknown; attempts?: number }): EntraFailure {
  const headers = input.headers ?? {};
  const err = (input.body as { error?: Record<string, unknown> } | undefined)?.error;
  const inner = (err?.innerError ?? err?.innererror) as Record<string, unknown> | undefined;
  return {
    flow: "graph",
    kind: "server",
    endpoint: input.endpoint,
    httpStatus: input.status,
    graphCode: typeof err?.code === "string" ? err.code : undefined,
    requestId: (typeof inner?.["request-id"] === "string" ? (inner["request-id"] as string) : undefined) ?? header(headers, "request-id"),
    correlationId:
      (typeof inner?.["client-request-id"] === "string" ? (inner["client-request-id"] as string) : undefined) ?? header(headers, "client-request-id"),
    timestamp: typeof inner?.date === "string" ? inner.date : header(headers, "date"),
    retryAfterSeconds: parseRetryAfter(header(headers, "retry-after")),
    attempts: input.attempts,
  };
}

/**
 * An error on a redirect (admin consent, authorization): `error`, `error_description` and, unofficially,
 * `error_subcode`. Redirects carry no `error_codes`, so the AADSTS number is read from the description's
 * `AADSTS<digits>:` prefix, which is a code, not message text.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent#unsuccessful-request
 */
export function failureFromRedirectError(params: URLSearchParams | Record<string, string | undefined>): EntraFailure {
  const get = (k: string) => (params instanceof URLSearchParams ? (params.get(k) ?? undefined) : params[k]);
  const description = get("error_description") ?? "";
  const codes = [...description.matchAll(/AADSTS(\d+)/g)].map((m) => Number(m[1]));
  const trace = /Trace ID: ([0-9a-f-]{36})/i.exec(description)?.[1];
  const correlation = /Correlation ID: ([0-9a-f-]{36})/i.exec(description)?.[1];
  const timestamp = /Timestamp: ([0-9: -]+Z)/.exec(description)?.[1];
  const error = get("error");
  const subcode = get("error_subcode");
  return {
    flow: "consent",
    kind: "server",
    error,
    errorCodes: codes.length ? [...new Set(codes)] : subcode === "cancel" || error === "permission_denied" ? [65004] : undefined,
    suberror: subcode,
    traceId: trace,
    correlationId: correlation,
    timestamp,
  };
}
