import "server-only";
import { randomBytes } from "node:crypto";
import { env } from "@/lib/env";
import { STATE_TTL_MS } from "./flow";
import { hashToken } from "./links";

/**
 * Binds a consent's state to the browser that clicked "Continue to Microsoft": an HttpOnly cookie holds
 * 256 random bits, the state stores their SHA-256, and the callback completes the state only when the
 * same browser brings the cookie back. SameSite=Lax because Microsoft returns the administrator with a
 * top-level GET redirect from its own site, which Lax cookies accompany (Strict ones would not).
 * @see https://datatracker.ietf.org/doc/html/rfc9700#section-4.7 (CSRF: bind the request to the user agent)
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#samesite_attribute
 */

const secure = env.APP_URL.startsWith("https://");

/** `__Host-` (over HTTPS) pins the cookie to this host: no Domain, Path=/, Secure. */
export const CONSENT_BROWSER_COOKIE = secure ? "__Host-tac-consent" : "tac-consent";

const VALUE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The value to bind a new state to: the browser's current one if it has a well-formed one, so that two
 * consents started in two tabs both complete, else a fresh one.
 */
export function browserBindingValue(existing: string | undefined): string {
  return existing && VALUE.test(existing) ? existing : randomBytes(32).toString("base64url");
}

/** What is stored on the state; null for a missing or malformed cookie, which no state can match. */
export function browserBindingHash(value: string | undefined): string | null {
  return value && VALUE.test(value) ? hashToken(value) : null;
}

/** Path=/ covers both the landing page (which reads it back) and /authenticate/OAuth2Callback. */
export const consentBrowserCookieOptions = {
  httpOnly: true,
  secure,
  sameSite: "lax",
  path: "/",
  maxAge: STATE_TTL_MS / 1000,
} as const;
