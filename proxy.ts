import { NextResponse, type NextRequest } from "next/server";

// Next.js 16 "proxy" (formerly middleware). It only sends visitors without a session cookie to the
// sign-in page and stamps a request id; it does not authorize anything. Every page, server action and
// route handler checks the session itself.
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  if (!headers.get("x-request-id")) headers.set("x-request-id", crypto.randomUUID());
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
  matcher: ["/((?!sign-in|api/|authenticate/|consent/|_next/|favicon.ico|robots.txt).*)"],
};
