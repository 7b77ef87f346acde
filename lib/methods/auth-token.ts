import type { ReasonCode } from "@/lib/entra/reasons";
import { DAY_MS, defineMethod, earliest, SECRET_WARNING_MS, type VerifyContext } from "./method";

/**
 * Source 003's "Switch to auth token": a delegated token of the customer's admin, obtained once through
 * the authorization-code consent (offline_access) and kept alive by redeeming its refresh token.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens
 */

/** @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens#token-lifetime */
export const REFRESH_TOKEN_INACTIVITY_MS = 90 * DAY_MS;
export const REFRESH_WARNING_MS = 14 * DAY_MS;

/** The fixed expiry msal-node records for the account's refresh token, when Entra sent one. */
export function refreshTokenExpiry(cacheJson: string, homeAccountId: string | null): Date | null {
  try {
    const cache = JSON.parse(cacheJson) as { RefreshToken?: Record<string, { home_account_id?: string; expires_on?: string }> };
    const seconds = Object.values(cache.RefreshToken ?? {})
      .filter((t) => !homeAccountId || t.home_account_id === homeAccountId)
      .map((t) => Number(t.expires_on))
      .filter((n) => Number.isFinite(n) && n > 0);
    return seconds.length ? new Date(Math.min(...seconds) * 1000) : null;
  } catch {
    return null;
  }
}

export const authToken = defineMethod({
  id: "AUTH_TOKEN",
  label: "Auth token (delegated)",
  shortLabel: "Auth token",
  description: "A delegated token of the customer's admin, authorized once through the consent link and renewed by redeeming its refresh token.",
  switchTo: { label: "Switch to auth token", consequence: "will be accessed with a delegated token of its M365 admin, who must authorize the console once." },
  credentials: [{ kind: "MSAL_CACHE", label: "Delegated token (refresh token)" }],
  consent: { flow: "AUTH_CODE" },
  csvAliases: ["authtoken", "token", "delegated"],
  // A delegated token: everything about the signed-in user is fixed by signing in again through the consent link.
  remediations: {
    SECRET_UNREADABLE: {
      action: "restore_encryption_key",
      text: "Start the console with the ENCRYPTION_KEY the token was saved under (an old key stays readable in ENCRYPTION_PREVIOUS_KEYS), or re-authorize through the consent link.",
    },
    NOT_CONFIGURED: { action: "send_consent_link", text: "Send the customer's admin the consent link: signing in once stores the token." },
    INVALID_CREDENTIALS: { action: "reauthorize", text: "Re-authorize: the admin signs in again through the consent link." },
    PASSWORD_EXPIRED: { action: "reauthorize", text: "Re-authorize: the admin changes the password while signing in through the consent link." },
    MFA_REQUIRED: { action: "reauthorize", text: "Re-authorize: the admin signs in through the consent link and completes MFA." },
    USER_DISABLED: {
      action: "reauthorize",
      text: "Ask the customer's admin to enable the account, or re-authorize with another admin account through the consent link.",
    },
    CONDITIONAL_ACCESS_BLOCKED: {
      action: "switch_method",
      switchTo: "APP_REGISTRATION",
      text: "Conditional Access blocks the admin's token: switch the tenant to an app registration (no user sign-in) and send the consent link.",
    },
  },
  authorization: {
    hasCredential: ({ credentials }) => credentials.some((c) => c.kind === "MSAL_CACHE"),
    summary: ({ authorized, credentials }, formatDate) => {
      if (!authorized) return "No delegated token is stored yet.";
      const expiresAt = credentials.find((c) => c.kind === "MSAL_CACHE")?.expiresAt;
      return expiresAt ? `Refresh token valid while used before ${formatDate(expiresAt)}.` : "A delegated token is stored.";
    },
    refreshable: true,
    withoutCredentials: "The tenant's admin must authorize the console first: send the consent link.",
  },
  async verify(ctx: VerifyContext) {
    const cred = ctx.credential("MSAL_CACHE");
    if (!cred) ctx.notConfigured("The tenant has no stored authorization; authorize it first");
    const app = ctx.providerApp();
    const result = await ctx.refreshToken(app, cred.secret(), cred.label);
    const timings = { tokenMs: Math.round(result.ms), totalMs: 0 };
    if (!result.ok) return ctx.failure(result.failure, timings, {}, cred.expiresAt);
    const home = result.homeAccountId ?? cred.label;
    // Entra issues a new refresh token on every redemption, restarting the 90-day inactivity window;
    // a token with a fixed lifetime (refresh_token_expires_in, e.g. SPA tokens) dies earlier.
    const deadline = earliest(new Date(ctx.now + REFRESH_TOKEN_INACTIVITY_MS), refreshTokenExpiry(result.cacheJson, home))!;
    await ctx.saveRotatedCache(cred, result.cacheJson, home, deadline);
    const warnings: ReasonCode[] = [];
    const notes: string[] = [];
    if (deadline.getTime() - ctx.now < REFRESH_WARNING_MS) {
      warnings.push("REFRESH_TOKEN_EXPIRING");
      notes.push(`The refresh token expires from inactivity ${deadline.toISOString()}`);
    }
    if (app.expiresAt && app.expiresAt.getTime() - ctx.now < SECRET_WARNING_MS) {
      warnings.push("SECRET_EXPIRING");
      notes.push(`The provider app's credential expires ${app.expiresAt.toISOString()}`);
    }
    return ctx.delegatedGraph(result.accessToken, { ...timings, tokenAttempts: result.attempts }, earliest(deadline, app.expiresAt), warnings, notes);
  },
});
