import { describe, expect, it } from "vitest";
import {
  classifyFailure,
  diagnosticsOf,
  failureFromGraphResponse,
  failureFromRedirectError,
  failureFromTokenResponse,
  parseRetryAfter,
  type EntraFailure,
  type Flow,
} from "./classify";
import { reasonCodes, reasons, type ReasonCode } from "./reasons";

const TRACE = "6f0b8c8e-2a1d-4f3b-9a61-1f0c3b2a9d00";
const CORR = "0c1f8b2e-7d4a-4a8e-b1c2-3d4e5f607182";

/** A token-endpoint error body shaped like Entra's (timestamp with a space, integer codes). */
function aad(error: string, code: number, text = "Something happened.") {
  return {
    error,
    error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${TRACE}\r\nCorrelation ID: ${CORR}\r\nTimestamp: 2026-11-21 10:00:00Z`,
    error_codes: [code],
    timestamp: "2026-11-21 10:00:00Z",
    trace_id: TRACE,
    correlation_id: CORR,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

function graph(code: string, message = "x") {
  return { error: { code, message, innerError: { date: "2026-11-21T10:00:00", "request-id": TRACE, "client-request-id": CORR } } };
}

type Row = [name: string, flow: Flow, status: number, body: unknown, expected: ReasonCode, headers?: Record<string, string>];

const tokenRows: Row[] = [
  ["invalid secret", "client_credentials", 401, aad("invalid_client", 7000215), "INVALID_SECRET"],
  ["secret mismatch (legacy code)", "client_credentials", 401, aad("invalid_client", 70002), "INVALID_SECRET"],
  ["expired secret", "client_credentials", 401, aad("invalid_client", 7000222), "SECRET_EXPIRED"],
  ["bad certificate signature", "client_credentials", 401, aad("invalid_client", 700027), "BAD_CERTIFICATE"],
  ["assertion outside validity", "client_credentials", 401, aad("invalid_client", 700024), "BAD_CERTIFICATE"],
  ["app not in tenant", "client_credentials", 400, aad("unauthorized_client", 700016), "APP_NOT_IN_TENANT"],
  ["app disabled", "client_credentials", 400, aad("unauthorized_client", 7000112), "APP_DISABLED"],
  ["tenant not found", "client_credentials", 400, aad("invalid_tenant", 90002), "TENANT_NOT_FOUND"],
  ["tenant not found (old class)", "password", 400, aad("invalid_request", 90002), "TENANT_NOT_FOUND"],
  ["tenant disabled", "client_credentials", 400, aad("invalid_request", 5000224), "TENANT_DISABLED"],
  ["national cloud redirect", "client_credentials", 400, aad("invalid_request", 90038), "WRONG_CLOUD"],
  ["cross-cloud confidential client", "client_credentials", 400, aad("invalid_request", 900432), "WRONG_CLOUD"],
  ["consent missing", "refresh_token", 400, aad("invalid_grant", 65001), "CONSENT_REQUIRED"],
  ["admin consent required", "password", 400, aad("access_denied", 90094), "CONSENT_REQUIRED"],
  ["partner pre-consent missing", "refresh_token", 400, aad("invalid_grant", 90099), "CONSENT_REQUIRED"],
  ["Graph service principal missing", "client_credentials", 400, aad("invalid_resource", 500011), "CONSENT_REQUIRED"],
  ["consent declined", "refresh_token", 400, aad("access_denied", 65004), "CONSENT_DECLINED"],
  ["refresh token inactive", "refresh_token", 400, aad("invalid_grant", 700082), "REAUTHORIZATION_REQUIRED"],
  ["refresh token revoked", "refresh_token", 400, aad("invalid_grant", 50173), "REAUTHORIZATION_REQUIRED"],
  ["grant expired", "refresh_token", 400, aad("invalid_grant", 70008), "REAUTHORIZATION_REQUIRED"],
  ["sign-in frequency", "refresh_token", 400, aad("invalid_grant", 70043), "REAUTHORIZATION_REQUIRED"],
  ["device object gone", "refresh_token", 400, aad("invalid_grant", 700003), "REAUTHORIZATION_REQUIRED"],
  ["malformed refresh token", "refresh_token", 400, aad("invalid_grant", 9002313), "REAUTHORIZATION_REQUIRED"],
  ["wrong password", "password", 400, aad("invalid_grant", 50126), "INVALID_CREDENTIALS"],
  ["account locked", "password", 400, aad("invalid_grant", 50053), "INVALID_CREDENTIALS"],
  ["user not in tenant", "password", 400, aad("invalid_grant", 50034), "INVALID_CREDENTIALS"],
  ["password expired", "password", 400, aad("invalid_grant", 50055), "PASSWORD_EXPIRED"],
  ["MFA required", "password", 400, aad("invalid_grant", 50076), "MFA_REQUIRED"],
  ["MFA registration required", "refresh_token", 400, aad("interaction_required", 50079), "MFA_REQUIRED"],
  ["blocked by Conditional Access", "refresh_token", 400, aad("invalid_grant", 53003), "CONDITIONAL_ACCESS_BLOCKED"],
  ["blocked by security defaults", "password", 400, aad("invalid_grant", 530035), "CONDITIONAL_ACCESS_BLOCKED"],
  ["user disabled", "password", 400, aad("invalid_grant", 50057), "USER_DISABLED"],
  ["tenant throttling", "client_credentials", 429, aad("temporarily_unavailable", 90055), "THROTTLED", { "Retry-After": "2.5" }],
  ["loop detected", "refresh_token", 400, aad("invalid_grant", 50196), "THROTTLED"],
  ["transient error", "client_credentials", 503, aad("temporarily_unavailable", 90033), "SERVICE_UNAVAILABLE"],
  ["bare 500", "client_credentials", 500, "<html>oops</html>", "SERVICE_UNAVAILABLE"],
  ["bare 429", "password", 429, "", "THROTTLED"],
  ["missing credential", "client_credentials", 401, aad("invalid_client", 7000218), "NOT_CONFIGURED"],
  ["bad scope", "client_credentials", 400, aad("invalid_scope", 1002012), "NOT_CONFIGURED"],
  ["unknown code keeps raw codes", "client_credentials", 400, aad("invalid_request", 123456), "UNKNOWN"],
  ["unknown code, known interaction class", "refresh_token", 400, aad("interaction_required", 999999), "REAUTHORIZATION_REQUIRED"],
  ["code already redeemed", "authorization_code", 400, aad("invalid_grant", 54005), "AUTHORIZATION_CODE_REJECTED"],
  ["code expired (same code as a refresh token's expiry)", "authorization_code", 400, aad("invalid_grant", 70008), "AUTHORIZATION_CODE_REJECTED"],
  ["code for another client or tenant", "authorization_code", 400, aad("invalid_grant", 700005), "AUTHORIZATION_CODE_REJECTED"],
  ["PKCE verifier mismatch", "authorization_code", 400, aad("invalid_grant", 501481), "AUTHORIZATION_CODE_REJECTED"],
  ["malformed code", "authorization_code", 400, aad("invalid_grant", 9002313), "AUTHORIZATION_CODE_REJECTED"],
  ["unknown code on a code grant", "authorization_code", 400, aad("invalid_grant", 999998), "AUTHORIZATION_CODE_REJECTED"],
  ["code grant: consent missing stays consent", "authorization_code", 400, aad("invalid_grant", 65001), "CONSENT_REQUIRED"],
  ["code grant: bad certificate", "authorization_code", 401, aad("invalid_client", 700027), "BAD_CERTIFICATE"],
  ["code grant: redirect URI mismatch", "authorization_code", 400, aad("invalid_request", 50011), "NOT_CONFIGURED"],
];

const graphRows: Row[] = [
  ["insufficient privileges", "graph", 403, graph("Authorization_RequestDenied"), "INSUFFICIENT_PERMISSIONS"],
  ["Graph throttled", "graph", 429, graph("TooManyRequests"), "THROTTLED", { "Retry-After": "2.128" }],
  ["Graph unavailable", "graph", 503, graph("serviceNotAvailable"), "SERVICE_UNAVAILABLE"],
  ["Graph 502 without body", "graph", 502, "", "SERVICE_UNAVAILABLE"],
  ["Graph unknown 400", "graph", 400, graph("Request_BadRequest"), "UNKNOWN"],
];

describe("classifyFailure on token-endpoint bodies", () => {
  it.each(tokenRows)("%s", (_name, flow, status, body, expected, headers) => {
    const f = failureFromTokenResponse({ flow, endpoint: "https://login.microsoftonline.com/t/oauth2/v2.0/token", status, body, headers });
    expect(classifyFailure(f)).toBe(expected);
    if (typeof body === "object") {
      expect(f.traceId).toBe(TRACE);
      expect(f.correlationId).toBe(CORR);
      expect(f.timestamp).toBe("2026-11-21 10:00:00Z");
      expect(f.errorCodes?.length).toBe(1);
    }
  });
});

describe("classifyFailure on Graph bodies", () => {
  it.each(graphRows)("%s", (_name, _flow, status, body, expected, headers) => {
    const f = failureFromGraphResponse({ endpoint: "https://graph.microsoft.com/v1.0/$batch", status, body, headers });
    expect(classifyFailure(f)).toBe(expected);
  });
});

describe("classifyFailure without a server answer", () => {
  const cases: [EntraFailure, ReasonCode][] = [
    [{ flow: "client_credentials", kind: "timeout", endpoint: "https://x/t" }, "TIMEOUT"],
    [{ flow: "graph", kind: "network", libraryCode: "ECONNREFUSED" }, "NETWORK_ERROR"],
    [{ flow: "config", kind: "config" }, "NOT_CONFIGURED"],
  ];
  it.each(cases)("%o", (f, expected) => expect(classifyFailure(f)).toBe(expected));
});

describe("the catalog", () => {
  it("gives every reason a title, explanation and remediation", () => {
    for (const code of reasonCodes) {
      const r = reasons[code];
      expect(r.title.length, code).toBeGreaterThan(3);
      expect(r.explanation.length, code).toBeGreaterThan(20);
      expect(r.remediation.text.length, code).toBeGreaterThan(5);
    }
  });

  it("covers every reason the issue names", () => {
    const required: ReasonCode[] = [
      "INVALID_SECRET",
      "SECRET_EXPIRED",
      "BAD_CERTIFICATE",
      "APP_NOT_IN_TENANT",
      "TENANT_NOT_FOUND",
      "WRONG_CLOUD",
      "CONSENT_REQUIRED",
      "CONSENT_DECLINED",
      "INSUFFICIENT_PERMISSIONS",
      "REAUTHORIZATION_REQUIRED",
      "INVALID_CREDENTIALS",
      "PASSWORD_EXPIRED",
      "MFA_REQUIRED",
      "CONDITIONAL_ACCESS_BLOCKED",
      "USER_DISABLED",
      "TENANT_MISMATCH",
      "THROTTLED",
      "SERVICE_UNAVAILABLE",
      "TIMEOUT",
      "NETWORK_ERROR",
      "NOT_CONFIGURED",
      "UNKNOWN",
    ];
    for (const code of required) expect(reasonCodes).toContain(code);
  });
});

describe("parseRetryAfter", () => {
  it.each([
    ["2.128", 2.128],
    ["0.25", 0.25],
    ["60", 60],
    [undefined, undefined],
    ["garbage", undefined],
  ] as const)("%s", (value, expected) => expect(parseRetryAfter(value)).toBe(expected));

  it("reads an HTTP date", () => {
    const now = Date.parse("2026-11-21T10:00:00Z");
    expect(parseRetryAfter("Sat, 21 Nov 2026 10:00:05 GMT", now)).toBe(5);
  });
});

describe("diagnosticsOf", () => {
  it("drops the query string and empty fields", () => {
    const d = diagnosticsOf({
      flow: "graph",
      kind: "server",
      endpoint: "https://graph.microsoft.com/v1.0/users?$top=1&code=abc",
      httpStatus: 403,
      graphCode: "",
    });
    expect(d).toEqual({ endpoint: "https://graph.microsoft.com/v1.0/users", httpStatus: 403 });
  });
});

describe("failureFromRedirectError (consent and authorization callbacks)", () => {
  const desc = (code: number) => `AADSTS${code}: Something.\r\nTrace ID: ${TRACE}\r\nCorrelation ID: ${CORR}\r\nTimestamp: 2026-11-21 10:00:00Z`;
  it.each([
    ["admin cancelled (v2)", { error: "access_denied", error_description: desc(65004) }, "CONSENT_DECLINED"],
    ["admin cancelled (subcode only)", { error: "access_denied", error_subcode: "cancel" }, "CONSENT_DECLINED"],
    ["admin cancelled (v1)", { error: "permission_denied", error_description: "The admin canceled the request" }, "CONSENT_DECLINED"],
    ["user from another directory", { error: "access_denied", error_description: desc(50020) }, "INVALID_CREDENTIALS"],
    ["admin consent required", { error: "consent_required", error_description: desc(90094) }, "CONSENT_REQUIRED"],
    ["blocked by Conditional Access", { error: "access_denied", error_description: desc(53003) }, "CONDITIONAL_ACCESS_BLOCKED"],
  ] as const)("%s", (_name, params, expected) => {
    const f = failureFromRedirectError(params as Record<string, string>);
    expect(classifyFailure(f)).toBe(expected);
  });

  it("keeps the trace and correlation ids from the description", () => {
    const f = failureFromRedirectError(new URLSearchParams({ error: "access_denied", error_description: desc(65004) }));
    expect(f).toMatchObject({ traceId: TRACE, correlationId: CORR, timestamp: "2026-11-21 10:00:00Z", errorCodes: [65004] });
  });
});
