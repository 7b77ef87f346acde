import { NextRequest } from "next/server";
import { handlers } from "@/lib/auth";
import { HOME_PATH, safeCallbackPath } from "@/lib/auth/callback-url";

/**
 * Auth.js answers a `callbackUrl` query parameter that is neither a path nor an http(s) URL (a newline,
 * `javascript:`) with a 500 before any callback runs. Such a value, or a repeated one, is replaced by the
 * console's home here; every other value reaches the redirect callback (lib/auth/callback-url.ts).
 */
async function withSafeCallbackUrl(request: NextRequest): Promise<NextRequest> {
  const values = request.nextUrl.searchParams.getAll("callbackUrl");
  if (values.length === 0) return request;
  if (values.length === 1 && (/^https?:\/\//i.test(values[0]!) || safeCallbackPath(values[0]) === values[0])) return request;
  const url = new URL(request.url);
  url.searchParams.set("callbackUrl", HOME_PATH);
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  return new NextRequest(url, { method: request.method, headers: request.headers, body });
}

export async function GET(request: NextRequest) {
  return handlers.GET(await withSafeCallbackUrl(request));
}

export async function POST(request: NextRequest) {
  return handlers.POST(await withSafeCallbackUrl(request));
}
