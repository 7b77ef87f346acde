import type { IncomingMessage } from "node:http";
import ipaddr from "ipaddr.js";
import proxyaddr from "proxy-addr";

/**
 * Who is on the other end of a request. The socket's peer is the client unless it is a trusted reverse
 * proxy (TRUST_PROXY): then the client is read from X-Forwarded-For, walking from the right past the
 * trusted hops, so a value the client put at the left of the header can never be chosen. The walk is
 * proxy-addr's, the library Express uses for `trust proxy`.
 *
 * Next.js route handlers and server actions never see the socket, so the console's own HTTP entry
 * (server.ts) works the address out and hands it on in a request header. That header is believed only
 * together with a per-process entry token (a random value shared through globalThis, which a client
 * cannot know), so a console started some other way records "unknown" rather than a forged address.
 * @see https://github.com/jshttp/proxy-addr#proxyaddrreq-trust
 */

export type TrustFn = (address: string, hop: number) => boolean;

export const CLIENT_ADDRESS_HEADER = "x-tac-client-address";
export const ENTRY_TOKEN_HEADER = "x-tac-entry";
/** Forwarding headers Next.js or libraries might read; dropped when the peer is not a trusted proxy. */
const FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

/** `TRUST_PROXY` as proxy-addr's trust function: unset or empty trusts nobody. */
export function compileTrust(value: string | undefined): TrustFn {
  const v = value?.trim() ?? "";
  if (v === "" || v === "0" || v === "false") return () => false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_address, hop) => hop < hops;
  }
  return proxyaddr.compile(
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; anything that is not an address stays as it is. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return "unknown";
  try {
    return ipaddr.process(address).toString();
  } catch {
    return address;
  }
}

/**
 * Prepares a request at the HTTP entry: works out the client's address, removes the forwarding headers
 * when the peer is not a trusted proxy (so X-Forwarded-Host cannot steer Next.js's own origin checks),
 * and stamps the address and the entry token. Incoming copies of our own headers are always replaced.
 */
export function stampClientAddress(req: IncomingMessage, trust: TrustFn, entryToken: string): string {
  const peer = req.socket.remoteAddress ?? "";
  const address = normalizeAddress(proxyaddr(req, trust));
  if (!trust(peer, 0)) for (const name of FORWARDING_HEADERS) delete req.headers[name];
  // Next.js fills X-Forwarded-For with the socket address only when it is absent; give it the client.
  req.headers["x-forwarded-for"] = address;
  req.headers[CLIENT_ADDRESS_HEADER] = address;
  req.headers[ENTRY_TOKEN_HEADER] = entryToken;
  return address;
}

const TOKEN_KEY = Symbol.for("tenant-access-console.entry-token");

/** The entry's token, created once per process and shared with the app's code through globalThis. */
export function entryToken(): string {
  const g = globalThis as { [TOKEN_KEY]?: string };
  g[TOKEN_KEY] ??= crypto.randomUUID();
  return g[TOKEN_KEY];
}

let warned = false;

/** The client's address as stamped by the HTTP entry; "unknown" when the request did not come through it. */
export function clientAddress(headers: Headers): string {
  const token = (globalThis as { [TOKEN_KEY]?: string })[TOKEN_KEY];
  const address = headers.get(CLIENT_ADDRESS_HEADER);
  if (token && address && headers.get(ENTRY_TOKEN_HEADER) === token) return address;
  if (!warned) {
    warned = true;
    console.warn(
      "[net] request without the console's entry stamp: start the console with `npm run start` (server.ts); client addresses are recorded as unknown",
    );
  }
  return "unknown";
}
