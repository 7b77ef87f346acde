import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { isAllowedOrigin } from "@/lib/http/origin";
import { contentSecurityPolicy, createNonce, plainHtmlContentSecurityPolicy, securityHeaders } from "@/lib/http/security-headers";

// Next.js 16 "proxy" (formerly middleware). It refuses writes from other origins, sets the security
// headers (a fresh CSP nonce per page), stamps a request id and sends visitors without a session cookie
// to the sign-in page; it does not authorize anything. Every page, server action and route handler
// checks the session (or, for /api/v1, the bearer token) itself. It runs for every request but the REST
// API (see the matcher): a server action is a POST to whatever page path the caller picks, and static
// files get the static headers too.
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];
// A client's own id is kept when it is short and plain, so that it can be followed through our logs.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Public paths: sign-in, the APIs (next-auth, health, REST), the OAuth callback, consent landing pages, admin
// invitation pages (/join/<token>: the token is the key, lib/admins/invitations.ts), the
// MSP's logo (shown on those pages and in invitation emails), the console's own icon and logo (public/,
// app/icon.svg) and static files. Everything else needs a session cookie.
const SESSION_REQUIRED = /^\/(?!sign-in|api\/|authenticate\/|consent\/|join\/|branding\/logo$|_next\/|favicon\.ico|icon\.svg$|logo\.svg$|robots\.txt)/;

const appOrigin = new URL(env.APP_URL).origin;
const staticHeaders = securityHeaders(env.APP_URL);

function secured<T extends Response>(response: T, csp?: string): T {
  for (const [name, value] of Object.entries(staticHeaders)) response.headers.set(name, value);
  if (csp) response.headers.set("Content-Security-Policy", csp);
  return response;
}

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (pathname.startsWith("/_next/static/") || pathname.startsWith("/_next/image")) return secured(NextResponse.next());
  if (!isAllowedOrigin(request.method, request.headers.get("origin"), appOrigin)) {
    return secured(
      new NextResponse("Forbidden: this request did not come from the console's own pages.\n", {
        status: 403,
        headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
      }),
    );
  }

  const headers = new Headers(request.headers);
  const given = headers.get("x-request-id");
  if (!given || !REQUEST_ID.test(given)) headers.set("x-request-id", crypto.randomUUID());
  if (SESSION_REQUIRED.test(pathname)) {
    const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name) || request.cookies.has(`${name}.0`));
    if (!hasSession) {
      const url = new URL("/sign-in", request.url);
      const target = pathname + request.nextUrl.search;
      if (target !== "/") url.searchParams.set("callbackUrl", target);
      return secured(NextResponse.redirect(url));
    }
  }

  // The logo is an image: a policy that lets it run and load nothing (app/branding/logo/route.ts).
  if (pathname === "/branding/logo") return secured(NextResponse.next({ request: { headers } }), "default-src 'none'");
  // The OAuth callback answers with a plain HTML page of its own, without any script.
  if (pathname.startsWith("/authenticate/")) return secured(NextResponse.next({ request: { headers } }), plainHtmlContentSecurityPolicy);
  // Next.js takes the nonce from the request's policy and puts it on the scripts it renders.
  const csp = contentSecurityPolicy(createNonce(), { appUrl: env.APP_URL, development: env.NODE_ENV === "development" });
  headers.set("Content-Security-Policy", csp);
  return secured(NextResponse.next({ request: { headers } }), csp);
}

export const config = {
  // Everything but the REST API: a proxy makes Next.js buffer a request's body (up to 10 MB) before the
  // route handler could refuse it unauthenticated. /api/v1 sets its own request id and headers (lib/api/handler.ts).
  matcher: ["/((?!api/v1).*)"],
};
