import type { Instrumentation } from "next";

// Runs once when a console server starts: applies pending migrations before any request is served.
export async function register() {
  // NEXT_RUNTIME is set by Next.js itself (not configuration); migrations need Node, not the edge runtime.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { onServerStart } = await import("@/lib/startup");
    await onServerStart();
  }
}

/**
 * One line per error of a server render, action or route, without the error's message (it can quote
 * request data) and with the route's pattern rather than its path (a consent link's path is its token):
 * the reference the error page shows (Next.js's digest) next to the request id (proxy.ts), so a reference
 * someone reports leads to the request and to Next.js's own log of the error.
 * @see https://nextjs.org/docs/app/api-reference/file-conventions/instrumentation#onrequesterror-optional
 */
export const onRequestError: Instrumentation.onRequestError = (error, request, context) => {
  const digest = typeof error === "object" && error !== null && "digest" in error ? String(error.digest) : "-";
  const header = request.headers["x-request-id"];
  const requestId = (Array.isArray(header) ? header[0] : header) ?? "-";
  const name = error instanceof Error ? error.name : typeof error;
  console.error(`[error] reference=${digest} request=${requestId} ${context.routeType} ${request.method} ${context.routePath} ${name}`);
};
