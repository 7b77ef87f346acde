import { knownClouds } from "@/lib/entra/clouds";

/**
 * The console's response headers, built in one place and sent by proxy.ts at run time (APP_URL decides
 * HSTS, and next.config.ts headers() would freeze it into the build).
 * @see https://nextjs.org/docs/app/guides/content-security-policy
 * @see https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Headers_Cheat_Sheet.html
 */

/** A fresh nonce per response: 128 random bits, base64. */
export function createNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/**
 * Microsoft's sign-in hosts, the targets of the consent and "Sign in with Microsoft" actions' redirects.
 * Those redirects are script navigations once the page is hydrated (form-action does not govern them);
 * a form submitted before hydration is a real POST answered with 303, and Chromium checks form-action
 * against that redirect too. A custom cloud's authority works after hydration only.
 * @see https://www.w3.org/TR/CSP3/#directive-form-action
 */
const microsoftSignInOrigins = [...new Set(Object.values(knownClouds).map((c) => `https://${c.loginHost}`))];

function serialize(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(" "))
    .join("; ");
}

/**
 * The policy of every page the console renders. Scripts run only with this response's nonce (Next.js
 * reads it from the request's Content-Security-Policy header and puts it on its own scripts) or when a
 * nonced script loads them ('strict-dynamic'); no inline script, no eval outside development.
 */
export function contentSecurityPolicy(nonce: string, options: { appUrl: string; development: boolean }): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // React's dev build uses eval to rebuild server error stacks; the production build never does.
    "script-src": ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(options.development ? ["'unsafe-eval'"] : [])],
    // React renders style props (progress bars) as style attributes, which only 'unsafe-inline' allows;
    // a nonce here would switch 'unsafe-inline' off. Styles cannot run script, and the stylesheet is 'self'.
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'", ...microsoftSignInOrigins],
    "frame-ancestors": ["'none'"],
  };
  if (new URL(options.appUrl).protocol === "https:") directives["upgrade-insecure-requests"] = [];
  return serialize(directives);
}

/**
 * For route handlers that answer with a plain HTML page of their own (the OAuth callback's result page):
 * no script at all, its one inline stylesheet and the console's own images (the MSP's logo), nothing else.
 */
export const plainHtmlContentSecurityPolicy = serialize({
  "default-src": ["'none'"],
  // The MSP's logo, served by the console (/branding/logo).
  "img-src": ["'self'"],
  "style-src": ["'unsafe-inline'"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
  "frame-ancestors": ["'none'"],
});

/** Features the console never uses, denied to it and to anything it could be made to embed. */
const deniedFeatures = [
  "accelerometer",
  "autoplay",
  "browsing-topics",
  "camera",
  "display-capture",
  "geolocation",
  "gyroscope",
  "hid",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "screen-wake-lock",
  "serial",
  "usb",
];

/**
 * Headers every response carries. HSTS only when the console is served over https (APP_URL): over
 * http a browser ignores it, and on localhost it would pin every other local app to https.
 * @see https://www.rfc-editor.org/rfc/rfc6797
 */
export function securityHeaders(appUrl: string): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    // frame-ancestors 'none' says the same to browsers that read CSP; this is for those that do not.
    "X-Frame-Options": "DENY",
    // No referrer to any other site (consent links carry their token in the path). Not no-referrer: under
    // it a browser sends `Origin: null` with a form post, and a form posted before hydration would be
    // refused by the Origin check (lib/http/origin.ts).
    // @see https://fetch.spec.whatwg.org/#serializing-a-request-origin
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": deniedFeatures.map((f) => `${f}=()`).join(", "),
  };
  if (new URL(appUrl).protocol === "https:") headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  return headers;
}
