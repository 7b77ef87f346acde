import { NextResponse, type NextRequest } from "next/server";

// Next.js 16 "proxy" (formerly middleware). It only sends visitors without a session cookie to the
// sign-in page and stamps a request id; it does not authorize anything. Every page, server action and
// route handler checks the session (or, for /api/v1, the bearer token) itself.
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];
// A client's own id is kept when it is short and plain, so that it can be followed through our logs.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  const given = headers.get("x-request-id");
  if (!given || !REQUEST_ID.test(given)) headers.set("x-request-id", crypto.randomUUID());
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name) || request.cookies.has(`${name}.0`));
  if (!hasSession) {
    const url = new URL("/sign-in", request.url);
    const target = request.nextUrl.pathname + request.nextUrl.search;
    if (target !== "/") url.searchParams.set("callbackUrl", target);
    return NextResponse.redirect(url);
  }
  return NextResponse.next({ request: { headers } });
}

export const config = {
  // Public paths: sign-in, next-auth, health, the OAuth callback, consent landing pages and static files.
  // /api/v1 stays out: a proxy makes Next.js buffer each request body (up to 10 MB) before the route
  // handler could refuse it unauthenticated; the handler stamps its own request id.
  matcher: ["/((?!sign-in|api/|authenticate/|consent/|_next/|favicon.ico|robots.txt).*)"],
};
