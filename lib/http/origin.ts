/**
 * Cross-site request forgery defence for everything a browser session can change: server actions
 * (fetch calls and the form posts of progressive enhancement alike: both are POSTs to a page), and
 * next-auth's /api/auth endpoints. Browsers send Origin on every POST, fetch or form (a form's is `null`
 * under Referrer-Policy no-referrer, hence same-origin in security-headers.ts); a request that changes
 * something must carry the console's own origin (APP_URL). No Origin means a client that is not
 * a browser page of the console, and it is refused too: the REST API (bearer tokens, never cookies) is
 * the way in for those.
 * @see https://fetch.spec.whatwg.org/#origin-header
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#using-standard-headers-to-verify-origin
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request with this method and Origin header may reach the console's pages and actions.
 * `appOrigin` is `new URL(APP_URL).origin`; browsers serialize Origin the same way (lower-case scheme and
 * host, no default port, no path), so the comparison is exact.
 */
export function isAllowedOrigin(method: string, origin: string | null, appOrigin: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase()) || origin === appOrigin;
}
