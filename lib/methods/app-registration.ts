import { classifyFailure } from "@/lib/entra/classify";
import type { ReasonCode } from "@/lib/entra/reasons";
import { missingPermissions, readAccessTokenClaims } from "@/lib/entra/token-claims";
import { defineMethod, SECRET_WARNING_MS, type VerifyContext } from "./method";

/**
 * Source 003's "Switch to application registration": application permissions of the provider's
 * multi-tenant app (or of the tenant's own app registration), granted by the customer's admin through
 * admin consent. No user is involved, so MFA, password changes and inactivity do not break it.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 */
/** Reasons that say the customer's admin has not (or no longer) granted consent, or there is no app to consent to. */
const consentAbsent = new Set<string>([
  "APP_NOT_IN_TENANT",
  "CONSENT_REQUIRED",
  "CONSENT_DECLINED",
  "NO_APP_REGISTRATION",
  "NOT_CONFIGURED",
] satisfies ReasonCode[]);

export const appRegistration = defineMethod({
  id: "APP_REGISTRATION",
  label: "Application registration",
  shortLabel: "App registration",
  description: "Application permissions of the provider's app (or the tenant's own app registration), granted through admin consent.",
  switchTo: {
    label: "Switch to application registration",
    consequence: "will be accessed with the provider's app registration (application permissions); its admin must grant admin consent.",
  },
  credentials: [
    { kind: "CLIENT_SECRET", label: "Client secret of the tenant's own app" },
    { kind: "CERTIFICATE", label: "Certificate of the tenant's own app" },
  ],
  consent: { flow: "ADMIN_CONSENT" },
  // No user signs in with application permissions: reasons about a user mean the consent is not in place.
  remediations: {
    REFRESH_TOKEN_EXPIRING: { action: "send_consent_link", text: "Send the customer's admin the consent link for the app registration." },
    ACCOUNT_MISMATCH: { action: "send_consent_link", text: "Send the consent link to the tenant's M365 admin." },
    REAUTHORIZATION_REQUIRED: { action: "send_consent_link", text: "Send the customer's admin the consent link again." },
    AUTHORIZATION_CODE_REJECTED: { action: "send_consent_link", text: "Send the customer's admin the consent link again." },
    INVALID_CREDENTIALS: { action: "send_consent_link", text: "Send the customer's admin the consent link again." },
    PASSWORD_EXPIRED: { action: "send_consent_link", text: "Send the customer's admin the consent link again." },
    MFA_REQUIRED: { action: "send_consent_link", text: "Send the customer's admin the consent link again." },
    USER_DISABLED: { action: "send_consent_link", text: "Send the consent link to an enabled admin of the tenant." },
    LEGACY_METHOD: { action: "retry", text: "Verify again: the tenant already uses an app registration." },
  },
  // Source 004: the customer created the app and its secret; the console holds only what was entered on the tenant.
  ownAppRemediations: {
    INVALID_SECRET: {
      action: "enter_tenant_app_credentials",
      text: "Copy the secret's Value (not its ID) from the customer's app registration (Certificates & secrets) and enter it in this tenant's Credentials panel.",
    },
    SECRET_EXPIRED: {
      action: "enter_tenant_app_credentials",
      text: "Create a new client secret on the customer's app registration and enter its Value in this tenant's Credentials panel.",
    },
    SECRET_EXPIRING: {
      action: "enter_tenant_app_credentials",
      text: "Create a new client secret on the customer's app registration and enter its Value in this tenant's Credentials panel before the old one expires.",
    },
    BAD_CERTIFICATE: {
      action: "enter_tenant_app_credentials",
      text: "Upload the certificate registered on the customer's app (with its private key) in this tenant's Credentials panel.",
    },
    NOT_CONFIGURED: {
      action: "enter_tenant_app_credentials",
      text: "Enter the customer's app registration (client ID and secret or certificate) in this tenant's Credentials panel.",
    },
  },
  csvAliases: ["appregistration", "applicationregistration", "app"],
  authorization: {
    // Admin consent leaves nothing stored here: the customer's own app's credential, or consent the last
    // verification met (it signed in, or failed for a reason other than missing consent), stands for it.
    hasCredential: ({ credentials, lastStatus, lastStatusCode }) =>
      credentials.some((c) => c.kind === "CLIENT_SECRET" || c.kind === "CERTIFICATE") ||
      lastStatus === "VERIFIED" ||
      lastStatus === "WARNING" ||
      (lastStatus === "FAILED" && !consentAbsent.has(lastStatusCode ?? "")),
    summary: ({ authorized }) => (authorized ? "Admin consent is in place for the app registration." : "Admin consent has not been confirmed."),
    refreshable: false,
    withoutCredentials: "The provider's app is used once the tenant's admin grants consent.",
  },
  async verify(ctx: VerifyContext) {
    const app = ctx.tenantApp();
    const appInfo = { clientId: app.clientId, kind: app.kind, credential: app.credential.kind };
    const accessBreaksAt = app.expiresAt;
    const token = await ctx.appToken(app);
    const timings = { tokenMs: Math.round(token.ms), totalMs: 0, ...(token.ok ? { tokenAttempts: token.attempts } : {}) };
    if (!token.ok) return ctx.failure(token.failure, timings, { app: appInfo }, accessBreaksAt);
    const claims = readAccessTokenClaims(token.accessToken);
    const required = ctx.requiredAppPermissions;
    const permissions = { granted: claims.roles, required, missing: missingPermissions(required, claims.roles) };
    const mismatch = ctx.tenantMismatch(claims.tid, undefined);
    if (mismatch) return ctx.failed("TENANT_MISMATCH", timings, { app: appInfo, permissions, notes: [mismatch] }, accessBreaksAt);

    const graph = await ctx.probeOrganization(token.accessToken);
    Object.assign(timings, { graphMs: Math.round(graph.ms), graphRoundTrips: graph.roundTrips });
    const missing = permissions.missing.length ? `Missing: ${permissions.missing.join(", ")}` : null;
    if (!graph.ok) {
      const notes = classifyFailure(graph.failure) === "INSUFFICIENT_PERMISSIONS" && missing ? [missing] : [];
      const outcome = ctx.failure(graph.failure, timings, { app: appInfo, permissions, notes }, accessBreaksAt);
      if (notes.length) outcome.message = `${outcome.message}: ${permissions.missing.join(", ")}`;
      return outcome;
    }
    const orgMismatch = ctx.tenantMismatch(undefined, graph.organization?.id);
    const details = { app: appInfo, permissions, organization: graph.organization ?? undefined, userCount: graph.userCount };
    if (orgMismatch) return ctx.failed("TENANT_MISMATCH", timings, { ...details, notes: [orgMismatch] }, accessBreaksAt);
    if (missing) {
      const outcome = ctx.failed("INSUFFICIENT_PERMISSIONS", timings, { ...details, notes: [missing] }, accessBreaksAt);
      outcome.message = `${outcome.message}: ${permissions.missing.join(", ")}`;
      return outcome;
    }
    const warnings: ReasonCode[] = [];
    const notes: string[] = [];
    if (app.expiresAt && app.expiresAt.getTime() - ctx.now < SECRET_WARNING_MS) {
      warnings.push("SECRET_EXPIRING");
      notes.push(`The ${app.credential.kind === "secret" ? "client secret" : "certificate"} expires ${app.expiresAt.toISOString()}`);
    }
    return ctx.success(warnings, notes, details, timings, accessBreaksAt);
  },
});
