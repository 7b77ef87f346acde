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
