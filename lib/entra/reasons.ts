/**
 * The closed set of verification reasons: what the console says about a tenant's access and what the
 * admin should do next. Pure data, safe to import from client components.
 * Reasons are chosen from `error` / `error_codes` (see classify.ts), never from message text, because
 * Microsoft changes AADSTS texts without notice.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 */

export const remediationActions = [
  "none",
  "send_consent_link",
  "rotate_secret",
  "rotate_certificate",
  "reauthorize",
  "switch_method",
  "switch_cloud",
  "check_tenant_id",
  "check_credentials",
  "enter_password",
  "check_user",
  "check_conditional_access",
  "configure_provider",
  "add_app_registration",
  "enter_tenant_app_credentials",
  "restore_encryption_key",
  "wait",
  "retry",
  "contact_support",
] as const;
export type RemediationAction = (typeof remediationActions)[number];

export type ReasonSeverity = "ok" | "warning" | "error";

export type Reason = {
  title: string;
  severity: ReasonSeverity;
  explanation: string;
  remediation: {
    action: RemediationAction;
    text: string;
    /** For `switch_method`: the method to switch to (default: the preferred method, lib/methods preferredMethod). */
    switchTo?: "PASSWORD" | "AUTH_TOKEN" | "APP_REGISTRATION";
  };
  /** A transient condition: a later attempt may succeed without anyone changing anything. */
  transient?: boolean;
};

const define = <T extends Record<string, Reason>>(r: T) => r;

export const reasons = define({
  VERIFIED: {
    title: "Verified",
    severity: "ok",
    explanation: "The console signed in to the tenant and read its organization and users.",
    remediation: { action: "none", text: "Nothing to do." },
  },
  SECRET_EXPIRING: {
    title: "Secret expires soon",
    severity: "warning",
    explanation: "Access works today, but the client secret expires within 30 days; after that every call will fail.",
    remediation: { action: "rotate_secret", text: "Create a new client secret on the app registration and save it in the console before the old one expires." },
  },
  REFRESH_TOKEN_EXPIRING: {
    title: "Authorization expires soon",
    severity: "warning",
    explanation: "Access works today, but the stored refresh token will expire from inactivity within 14 days unless it is redeemed again.",
    remediation: { action: "reauthorize", text: "Verify the tenant again (this redeems the token) or re-authorize it." },
  },
  LEGACY_METHOD: {
    title: "Verified with username and password",
    severity: "warning",
    explanation:
      "The stored username and password work, but password sign-in (ROPC) fails as soon as MFA or Conditional Access applies to the account, and Microsoft is retiring it.",
    remediation: { action: "switch_method", text: "Switch the tenant to an app registration (admin consent) or an auth token." },
  },
  ACCOUNT_MISMATCH: {
    title: "Signed-in account differs",
    severity: "warning",
    explanation: "The token belongs to a different user than the M365 admin email stored for this tenant.",
    remediation: { action: "reauthorize", text: "Re-authorize with the account stored for the tenant, or correct the stored email." },
  },
  INVALID_SECRET: {
    title: "Invalid client secret",
    severity: "error",
    explanation:
      "Entra rejected the client secret: it does not match any secret on the app registration (it may have been deleted, or the secret ID was saved instead of its value).",
    remediation: { action: "rotate_secret", text: "Create a new client secret on the app registration and save its value in the console." },
  },
  SECRET_EXPIRED: {
    title: "Client secret expired",
    severity: "error",
    explanation: "The client secret has passed its expiry date, so Entra no longer accepts it.",
    remediation: { action: "rotate_secret", text: "Create a new client secret on the app registration and save it in the console." },
  },
  BAD_CERTIFICATE: {
    title: "Certificate rejected",
    severity: "error",
    explanation:
      "Entra could not validate the signed client assertion: the certificate is not uploaded to the app registration, has expired, or the private key does not match it.",
    remediation: {
      action: "rotate_certificate",
      text: "Upload the certificate to the app registration (Certificates & secrets) or replace it in the console.",
    },
  },
  APP_CREDENTIAL_BLOCKED: {
    title: "Blocked: app registration credential rejected",
    severity: "error",
    explanation:
      "The console did not call Microsoft for this tenant: in the same run Microsoft rejected the app registration's own credential (invalid or expired secret, or certificate) for another tenant, and it would reject it here too. One cause, one fix for every tenant blocked by it.",
    remediation: {
      action: "configure_provider",
      text: "Apply a new client secret or certificate to the app registration in Settings; the tenants it blocked are verified again at once.",
    },
  },
  CONSENT_CONFIRMING: {
    title: "Consent received — confirming",
    severity: "warning",
    explanation:
      "The customer's admin granted consent. Microsoft takes a few minutes to make a new consent known everywhere, and until then it may still answer that the app is not present in the tenant; the console checks again on a short backoff until the tenant is verified, or the confirmation window ends and the tenant fails with Microsoft's answer.",
    remediation: { action: "wait", text: "Nothing to do: the console checks again shortly. Verify checks at once." },
  },
  APP_NOT_IN_TENANT: {
    title: "App not present in the tenant",
    severity: "error",
    explanation:
      "The application has no service principal in this tenant: admin consent was never granted or was removed, or the tenant ID is wrong. Right after consent this can also last a few minutes while Entra replicates.",
    remediation: {
      action: "send_consent_link",
      text: "Send the customer's admin the consent link; if consent was just granted, verify again in a few minutes.",
    },
  },
  APP_DISABLED: {
    title: "App disabled",
    severity: "error",
    explanation: "The application is disabled in this tenant or by Microsoft.",
    remediation: { action: "contact_support", text: "Ask the customer's admin to enable the enterprise application, or contact Microsoft support." },
  },
  TENANT_NOT_FOUND: {
    title: "Tenant not found",
    severity: "error",
    explanation:
      "Entra does not know this tenant in the selected cloud: the tenant ID or domain is wrong, the tenant was deleted, or it lives in another cloud.",
    remediation: { action: "check_tenant_id", text: "Check the tenant ID or domain, and the tenant's cloud." },
  },
  TENANT_DISABLED: {
    title: "Tenant disabled",
    severity: "error",
    explanation: "The tenant exists but is disabled or being deleted (for example, no active subscription).",
    remediation: { action: "contact_support", text: "Ask the customer about the tenant's subscription state." },
  },
  WRONG_CLOUD: {
    title: "Wrong cloud",
    severity: "error",
    explanation: "The tenant belongs to a different Microsoft cloud (national cloud) than the one configured for it.",
    remediation: { action: "switch_cloud", text: "Change the tenant's cloud to the one it belongs to." },
  },
  CONSENT_REQUIRED: {
    title: "Consent required",
    severity: "error",
    explanation: "Nobody with sufficient rights has consented to the permissions the application needs in this tenant.",
    remediation: { action: "send_consent_link", text: "Send the customer's admin the consent link." },
  },
  CONSENT_DECLINED: {
    title: "Consent declined",
    severity: "error",
    explanation: "The customer's admin declined or cancelled the consent request.",
    remediation: { action: "send_consent_link", text: "Agree with the customer's admin and send the consent link again." },
  },
  INSUFFICIENT_PERMISSIONS: {
    title: "Missing permissions",
    severity: "error",
    explanation: "The application signed in, but the tenant has not granted every permission the console requires.",
    remediation: { action: "send_consent_link", text: "Send the consent link again so the admin grants the missing permissions." },
  },
  REAUTHORIZATION_REQUIRED: {
    title: "Re-authorization required",
    severity: "error",
    explanation:
      "The stored refresh token no longer works: it expired after 90 days without use, or it was revoked (password reset in the admin center, or sessions revoked by an admin or the user).",
    remediation: { action: "reauthorize", text: "Re-authorize the tenant with its M365 admin account." },
  },
  INVALID_CREDENTIALS: {
    title: "Invalid username or password",
    severity: "error",
    explanation: "Entra rejected the stored username and password, or the account is locked or does not exist in this tenant.",
    remediation: { action: "check_credentials", text: "Update the stored credentials, or better, switch to a token method." },
  },
  PASSWORD_EXPIRED: {
    title: "Password expired",
    severity: "error",
    explanation: "The account's password has expired or must be changed before it can sign in.",
    remediation: { action: "switch_method", text: "Change the password and update it in the console, or switch to a token method." },
  },
  MFA_REQUIRED: {
    title: "MFA required",
    severity: "error",
    explanation: "The account must complete multi-factor authentication, which a non-interactive sign-in cannot do.",
    remediation: { action: "switch_method", text: "Re-authorize interactively (auth token) or switch to an app registration." },
  },
  CONDITIONAL_ACCESS_BLOCKED: {
    title: "Blocked by Conditional Access",
    severity: "error",
    explanation: "A Conditional Access policy, security defaults or a security policy in the customer's tenant blocked the sign-in.",
    remediation: {
      action: "check_conditional_access",
      text: "Ask the customer's admin to review the sign-in log entry (use the correlation ID) and exclude the account or app, or switch to an app registration.",
    },
  },
  USER_DISABLED: {
    title: "Account disabled",
    severity: "error",
    explanation: "The account used for this tenant is disabled.",
    remediation: { action: "check_user", text: "Ask the customer's admin to enable the account, or re-authorize with another admin account." },
  },
  AUTHORIZATION_CODE_REJECTED: {
    title: "Sign-in code refused",
    severity: "error",
    explanation:
      "Microsoft refused to redeem the authorization code it returned after sign-in: the code expired (it lasts about ten minutes), was already used, was issued for another app or tenant, or does not belong to this sign-in.",
    remediation: { action: "reauthorize", text: "Open the consent link again and sign in once more." },
  },
  TENANT_MISMATCH: {
    title: "Tenant mismatch",
    severity: "error",
    explanation: "The token or organization returned belongs to a different tenant than the one stored for this customer.",
    remediation: { action: "check_tenant_id", text: "Check the stored tenant ID, then re-authorize or send the consent link for the right tenant." },
  },
  THROTTLED: {
    title: "Throttled by Microsoft",
    severity: "error",
    explanation: "Microsoft asked the console to slow down (HTTP 429) and the retries allowed were used up.",
    remediation: { action: "wait", text: "Wait a few minutes and verify again." },
    transient: true,
  },
  SERVICE_UNAVAILABLE: {
    title: "Microsoft service unavailable",
    severity: "error",
    explanation: "Microsoft's sign-in or Graph service returned a server error and the retries allowed were used up.",
    remediation: { action: "retry", text: "Verify again later; if it persists, check the Microsoft 365 service health." },
    transient: true,
  },
  TIMEOUT: {
    title: "Timed out",
    severity: "error",
    explanation: "Microsoft did not answer within the configured time limit.",
    remediation: { action: "retry", text: "Verify again later; if it persists, check the console's outbound network." },
    transient: true,
  },
  NETWORK_ERROR: {
    title: "Network error",
    severity: "error",
    explanation: "The console could not reach Microsoft (DNS, TLS or connection failure).",
    remediation: { action: "retry", text: "Check the console's outbound network, proxy and DNS, then verify again." },
    transient: true,
  },
  HOST_NOT_ALLOWED: {
    title: "Host not allowed",
    severity: "error",
    explanation:
      "The console refused to call the configured sign-in or Graph host: it does not use https, or it is or resolves to a loopback, private, link-local or other non-public address (such as a cloud metadata service), which only hosts listed in OUTBOUND_ALLOW_HOSTS may.",
    remediation: {
      action: "configure_provider",
      text: "Correct the custom cloud's authority and Graph hosts in its app registration (Settings → App registrations); if the host is intended (a private proxy or an emulator), add it to OUTBOUND_ALLOW_HOSTS and restart the console.",
    },
  },
  SECRET_UNREADABLE: {
    title: "Stored secret cannot be decrypted (was ENCRYPTION_KEY changed?)",
    severity: "error",
    explanation:
      "The stored secret cannot be decrypted (was ENCRYPTION_KEY changed?). It was saved under an encryption key this console no longer has, or the stored value was altered.",
    remediation: {
      action: "restore_encryption_key",
      text: "Start the console with the ENCRYPTION_KEY the secret was saved under (an old key stays readable in ENCRYPTION_PREVIOUS_KEYS), or enter the secret again.",
    },
  },
  NO_APP_REGISTRATION: {
    title: "No app registration for this cloud",
    severity: "error",
    explanation:
      "The tenant is in a cloud for which the console has no app registration: an app is registered separately in each national cloud, and tokens of one cloud do not work in another. The verification message names the cloud.",
    remediation: {
      action: "add_app_registration",
      text: "Add an app registration for the tenant's cloud on Settings → App registrations (or choose one for this tenant), or correct the tenant's cloud.",
    },
  },
  NOT_CONFIGURED: {
    title: "Not configured",
    severity: "error",
    explanation: "Something the verification needs is missing: the app registration, its credential, the tenant's credentials or its tenant ID.",
    remediation: { action: "configure_provider", text: "Complete the app registration (Settings → App registrations) or the tenant's credentials." },
  },
  UNKNOWN: {
    title: "Unexpected error",
    severity: "error",
    explanation: "Microsoft returned an error the console does not recognise. The raw codes are kept in the diagnostics.",
    remediation: { action: "contact_support", text: "Give Microsoft support the diagnostics (trace ID, correlation ID, timestamp, codes)." },
  },
});

export type ReasonCode = keyof typeof reasons;
export const reasonCodes = Object.keys(reasons) as ReasonCode[];

export function isReasonCode(value: string): value is ReasonCode {
  return Object.prototype.hasOwnProperty.call(reasons, value);
}
