/**
 * Source 002's authorization status, one for the table, the tenant page and the REST API:
 * - NOT_AUTHORIZED: the console holds nothing to sign in with (no password, no delegated token, no
 *   admin consent, no customer app credential);
 * - AUTHORIZED: it holds one, and the last verification did not fail (a transient failure the failure
 *   policy absorbed keeps the tenant Verified, so it stays Authorized);
 * - BROKEN: it holds one and the last verification failed; the reason is the tenant's status code.
 * Derived by authorizationState (./index.ts) from the method's hasCredential and the last verification.
 */
export const authorizationStates = ["NOT_AUTHORIZED", "AUTHORIZED", "BROKEN"] as const;
export type AuthorizationState = (typeof authorizationStates)[number];

export const authorizationLabels: Record<AuthorizationState, string> = {
  NOT_AUTHORIZED: "Not authorized",
  AUTHORIZED: "Authorized",
  BROKEN: "Authorization broken",
};
