import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { ApiError, PROBLEM_CONTENT_TYPE, problemBody } from "@/lib/http/problem";
import { stampClientAddress, type TrustFn } from "./client-address";

/**
 * What the console's HTTP entry (server.ts) does with every request before Next.js sees it: stamp the
 * client's address (and drop forwarding headers from untrusted peers), then refuse a declared body over
 * the limit before anything reads it. Next.js would otherwise buffer up to 10 MB of each request body for
 * its proxy (middleware) before a route handler could refuse it unauthenticated.
 */

export type EntryOptions = {
  trust: TrustFn;
  entryToken: string;
  /** Largest body of a REST API request (API_MAX_BODY_BYTES). */
  apiMaxBodyBytes: number;
  /** Largest body of any other request (server actions). */
  pageMaxBodyBytes: number;
};

function declaredLength(req: IncomingMessage): number | null {
  const value = req.headers["content-length"];
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function isApiPath(url: string | undefined): boolean {
  const path = (url ?? "/").split("?")[0]!;
  return path === "/api/v1" || path.startsWith("/api/v1/");
}

/** Past this many discarded bytes after the answer, the connection is closed instead. */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

/**
 * A route that answers without reading the body (a 401 before parsing, say) leaves the client blocked
 * on a full TCP window with its upload half sent, since Next.js has already started reading the request
 * (Node then no longer discards the rest by itself). Once the answer is out, the rest is read and thrown
 * away, up to a bound past which the connection is closed.
 */
function discardUnreadBody(req: IncomingMessage, res: ServerResponse) {
  res.once("finish", () => {
    if (req.complete || req.destroyed) return;
    let discarded = 0;
    req.removeAllListeners("readable");
    req.removeAllListeners("data");
    req.on("data", (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > MAX_DISCARDED_BYTES) req.socket.destroy();
    });
    req.resume();
  });
}

/** Handles what must not reach Next.js; returns true when the request was answered here. */
export function admitRequest(req: IncomingMessage, res: ServerResponse, options: EntryOptions): boolean {
  stampClientAddress(req, options.trust, options.entryToken);
  discardUnreadBody(req, res);
  const api = isApiPath(req.url);
  const max = api ? options.apiMaxBodyBytes : options.pageMaxBodyBytes;
  const declared = declaredLength(req);
  if (declared === null || declared <= max) return false;

  // The body is read and thrown away as it arrives (nothing is kept), so the client still gets the answer.
  req.resume();
  if (api) {
    const requestId = randomUUID();
    const error = new ApiError("payload-too-large", `The request body may be at most ${max} bytes.`);
    res.writeHead(413, { "Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Request-Id": requestId });
    res.end(JSON.stringify(problemBody(error, { requestId, instance: (req.url ?? "/").split("?")[0] })));
  } else {
    res.writeHead(413, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
    res.end(`The request body may be at most ${max} bytes.\n`);
  }
  return true;
}
