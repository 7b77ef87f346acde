/**
 * Where to send an admin after sign-in. `callbackUrl` comes from the query string (anyone can craft a
 * sign-in link), so only a same-origin path is kept: it starts with one `/`, holds printable ASCII only
 * (no control characters such as a newline, which would break the Location header, and no spaces) and no
 * backslash (browsers read `/\evil.example` as `//evil.example`). Anything else, `javascript:` and other
 * origins included, becomes the console's home.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html
 */
export const HOME_PATH = "/";

const SAFE_PATH = /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/;
const MAX_LENGTH = 2048;

export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string" || value.length > MAX_LENGTH) return HOME_PATH;
  return SAFE_PATH.test(value) ? value : HOME_PATH;
}

/**
 * next-auth's redirect callback: it also reads `callbackUrl` from its own routes' query and cookie, and
 * its default throws on a value that is neither a path nor a URL. An absolute URL of our own origin is
 * reduced to its path and checked like any other.
 */
export function safeRedirect({ url, baseUrl }: { url: string; baseUrl: string }): string {
  const path = url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length) : url;
  return `${baseUrl}${safeCallbackPath(path)}`;
}
