import { defineMethod, type VerifyContext } from "./method";

/**
 * Source 003's "Username and Password": the console signs in as the customer's admin with a stored
 * username and password (resource-owner password credentials). Legacy: it fails as soon as MFA or
 * Conditional Access applies, and Microsoft is retiring it, so a working tenant is still a warning.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth-ropc
 */
export const password = defineMethod({
  id: "PASSWORD",
  label: "Username + password (legacy)",
  shortLabel: "Password (legacy)",
  description: "Legacy: the console signs in as the customer's admin with a stored username and password (ROPC).",
  // Switching to it needs the username and password: the tenant page's "Enter legacy username and password".
  switchTo: null,
  credentials: [{ kind: "PASSWORD", label: "Username and password" }],
  // Source 003: customers on username and password move to token-based authentication.
  consent: { movesTo: "AUTH_TOKEN" },
  csvAliases: ["password", "usernamepassword"],
  // What fixes a reason when the console signs in as a user with a stored password.
  remediations: {
    SECRET_UNREADABLE: {
      action: "restore_encryption_key",
      text: "Start the console with the ENCRYPTION_KEY the password was saved under (an old key stays readable in ENCRYPTION_PREVIOUS_KEYS), or enter the username and password again.",
    },
    NOT_CONFIGURED: {
      action: "enter_password",
      text: "Enter the admin's username and password, or send the consent link to move the tenant to an auth token.",
    },
    INVALID_CREDENTIALS: {
      action: "enter_password",
      text: "Enter the admin's current username and password, or send the consent link to move the tenant to an auth token.",
    },
    PASSWORD_EXPIRED: {
      action: "enter_password",
      text: "Ask the customer's admin to change the password, then enter the new one; or switch the tenant to an auth token.",
    },
    USER_DISABLED: {
      action: "enter_password",
      text: "Ask the customer's admin to enable the account, or enter another admin account's username and password.",
    },
    ACCOUNT_MISMATCH: { action: "enter_password", text: "Enter the username of the tenant's M365 admin, or correct the stored email." },
    REAUTHORIZATION_REQUIRED: {
      action: "enter_password",
      text: "Enter the admin's username and password again, or send the consent link to move the tenant to an auth token.",
    },
    MFA_REQUIRED: {
      action: "switch_method",
      switchTo: "AUTH_TOKEN",
      text: "Passwords cannot pass MFA: switch the tenant to an auth token and send its admin the consent link (they sign in once, with MFA).",
    },
    CONDITIONAL_ACCESS_BLOCKED: {
      action: "switch_method",
      switchTo: "APP_REGISTRATION",
      text: "Conditional Access blocks this sign-in: switch the tenant to an app registration (no user sign-in) and send the consent link.",
    },
  },
  authorization: {
    hasCredential: ({ credentials }) => credentials.some((c) => c.kind === "PASSWORD"),
    summary: ({ credentials }) => {
      const username = credentials.find((c) => c.kind === "PASSWORD")?.label;
      return username ? `Legacy sign-in as ${username}. Microsoft is retiring this method: switch to a token.` : "No username and password stored.";
    },
    refreshable: false,
    withoutCredentials: "The tenant's admin must authorize the console first: send the consent link.",
  },
  async verify(ctx: VerifyContext) {
    const cred = ctx.credential("PASSWORD");
    if (!cred?.label) ctx.notConfigured("The tenant has no stored username and password");
    const app = ctx.providerApp();
    const result = await ctx.passwordToken(app, cred.label, cred.secret());
    const timings = { tokenMs: Math.round(result.ms), totalMs: 0 };
    if (!result.ok) {
      const outcome = ctx.failure(result.failure, timings);
      outcome.details.notes.push("Password sign-in is legacy: switch this tenant to an app registration or an auth token.");
      return outcome;
    }
    return ctx.delegatedGraph(result.accessToken, { ...timings, tokenAttempts: result.attempts }, app.expiresAt, ["LEGACY_METHOD"], []);
  },
});
