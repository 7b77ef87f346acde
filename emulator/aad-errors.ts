import { randomUUID } from "node:crypto";

/**
 * Entra's error vocabulary. Clients must branch on `error` and `error_codes`, so those are exact;
 * the message texts are close to Entra's but not contractual.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#error-response-1
 */
export const AADSTS = {
  invalidRequest: { code: 900144, error: "invalid_request", status: 400, text: "The request body must contain the following parameter: '{0}'." },
  invalidSecret: {
    code: 7000215,
    error: "invalid_client",
    status: 401,
    text: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{0}'.",
  },
  expiredSecret: {
    code: 7000222,
    error: "invalid_client",
    status: 401,
    text: "The provided client secret keys for app '{0}' are expired. Visit the Azure portal to create new keys for your app.",
  },
  missingCredential: {
    code: 7000218,
    error: "invalid_client",
    status: 401,
    text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  },
  badAssertion: { code: 700027, error: "invalid_client", status: 401, text: "Client assertion failed signature validation. {0}" },
  assertionTime: { code: 700024, error: "invalid_client", status: 401, text: "Client assertion is not within its valid time range. {0}" },
  assertionAudience: {
    code: 700212,
    error: "invalid_client",
    status: 401,
    text: "No matching federated identity record found for presented assertion audience '{0}'.",
  },
  appNotInTenant: {
    code: 700016,
    error: "unauthorized_client",
    status: 400,
    text: "Application with identifier '{0}' was not found in the directory '{1}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
  },
  tenantNotFound: {
    code: 90002,
    error: "invalid_tenant",
    status: 400,
    text: "Tenant '{0}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
  },
  tenantUnavailable: { code: 5000224, error: "invalid_request", status: 400, text: "We are sorry, this resource is not available. Tenant '{0}' is disabled." },
  tenantRequired: {
    code: 90014,
    error: "invalid_request",
    status: 400,
    text: "The tenant '{0}' cannot be used for this flow. Use a tenant-specific endpoint.",
  },
  consentMissing: {
    code: 65001,
    error: "invalid_grant",
    status: 400,
    text: "The user or administrator has not consented to use the application with ID '{0}' named '{1}'. Send an interactive authorization request for this user and resource.",
  },
  consentDeclined: { code: 65004, error: "access_denied", status: 400, text: "User declined to consent to access the app." },
  adminConsentRequired: { code: 90094, error: "access_denied", status: 400, text: "The grant requires admin permission." },
  redirectMismatch: {
    code: 50011,
    error: "invalid_request",
    status: 400,
    text: "The redirect URI '{0}' specified in the request does not match the redirect URIs configured for the application '{1}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.",
  },
  pkceMismatch: {
    code: 501481,
    error: "invalid_grant",
    status: 400,
    text: "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
  },
  pkceMissing: { code: 501491, error: "invalid_grant", status: 400, text: "Must have a code_verifier when the authorization request had a code_challenge." },
  codeRedeemed: {
    code: 54005,
    error: "invalid_grant",
    status: 400,
    text: "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
  },
  codeExpired: {
    code: 70008,
    error: "invalid_grant",
    status: 400,
    text: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
  },
  codeInvalid: { code: 9002313, error: "invalid_grant", status: 400, text: "Invalid request. Request is malformed or invalid." },
  codeWrongClient: {
    code: 700005,
    error: "invalid_grant",
    status: 400,
    text: "Provided Authorization Code is intended to use against other tenant or client, thus rejected.",
  },
  refreshInactive: {
    code: 700082,
    error: "invalid_grant",
    status: 400,
    text: "The refresh token has expired due to inactivity. The token was issued on {0} and was inactive for 90.00:00:00.",
  },
  refreshRevoked: {
    code: 50173,
    error: "invalid_grant",
    status: 400,
    text: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{0}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{1}'.",
  },
  refreshMalformed: { code: 9002313, error: "invalid_grant", status: 400, text: "Invalid request. Request is malformed or invalid." },
  mfaRequired: {
    code: 50076,
    error: "invalid_grant",
    status: 400,
    text: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{0}'.",
  },
  caBlocked: {
    code: 53003,
    error: "invalid_grant",
    status: 400,
    text: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
  },
  wrongPassword: { code: 50126, error: "invalid_grant", status: 400, text: "Error validating credentials due to invalid username or password." },
  userDisabled: { code: 50057, error: "invalid_grant", status: 400, text: "The user account is disabled." },
  userNotFound: {
    code: 50034,
    error: "invalid_grant",
    status: 400,
    text: "The user account {0} does not exist in the {1} directory. To sign into this application, the account must be added to the directory.",
  },
  userOtherTenant: {
    code: 50020,
    error: "access_denied",
    status: 400,
    text: "User account '{0}' from identity provider does not exist in tenant '{1}' and cannot access the application '{2}' in that tenant.",
  },
  passwordExpired: { code: 50055, error: "invalid_grant", status: 400, text: "The password is expired." },
  mfaFailed: { code: 50074, error: "invalid_grant", status: 400, text: "Strong Authentication is required." },
  invalidScope: {
    code: 70011,
    error: "invalid_scope",
    status: 400,
    text: "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {0} is not valid.",
  },
  clientCredentialsScope: {
    code: 1002012,
    error: "invalid_scope",
    status: 400,
    text: "The provided value for scope {0} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
  },
  resourceNotFound: {
    code: 500011,
    error: "invalid_resource",
    status: 400,
    text: "The resource principal named {0} was not found in the tenant named {1}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
  },
  unsupportedGrant: { code: 70003, error: "unsupported_grant_type", status: 400, text: "The app requested an unsupported grant type '{0}'." },
  unsupportedResponseType: {
    code: 70005,
    error: "unsupported_response_type",
    status: 400,
    text: "The provided value for the input parameter 'response_type' is not allowed for this request.",
  },
  loginRequired: { code: 50058, error: "login_required", status: 400, text: "A silent sign-in request was sent but no user is signed in." },
  throttled: { code: 90055, error: "temporarily_unavailable", status: 429, text: "The request has been throttled. Please retry after some time." },
  transient: { code: 90033, error: "temporarily_unavailable", status: 503, text: "A transient error has occurred. Please try again." },
  unknownClient: { code: 700016, error: "unauthorized_client", status: 400, text: "Application with identifier '{0}' was not found in the directory '{1}'." },
} as const;

export type AadstsKey = keyof typeof AADSTS;

export interface AadError {
  status: number;
  body: {
    error: string;
    error_description: string;
    error_codes: number[];
    timestamp: string;
    trace_id: string;
    correlation_id: string;
    error_uri: string;
    suberror?: string;
  };
}

/** Entra's timestamp format: `2016-01-09 02:02:12Z` (space, no milliseconds). */
export function aadTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
}

export function aadError(
  loginUrl: string,
  nowMs: number,
  key: AadstsKey,
  args: readonly string[] = [],
  options: { correlationId?: string; suberror?: string; statusOverride?: number } = {},
): AadError {
  const def = AADSTS[key];
  const traceId = randomUUID();
  const correlationId = options.correlationId ?? randomUUID();
  const timestamp = aadTimestamp(nowMs);
  const text = def.text.replace(/\{(\d)\}/g, (_, i: string) => args[Number(i)] ?? "");
  const body: AadError["body"] = {
    error: def.error,
    error_description: `AADSTS${def.code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [def.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${loginUrl}/error?code=${def.code}`,
  };
  if (options.suberror) body.suberror = options.suberror;
  return { status: options.statusOverride ?? def.status, body };
}

export class AadRequestError extends Error {
  constructor(
    readonly key: AadstsKey,
    readonly args: readonly string[] = [],
    readonly suberror?: string,
  ) {
    super(`AADSTS${AADSTS[key].code}`);
  }
}
