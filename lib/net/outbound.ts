import "server-only";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent, request as httpsRequest, type AgentOptions, type RequestOptions } from "node:https";
import type { LookupFunction, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { env } from "@/lib/env";
import {
  addressRefusal,
  isHostListed,
  OutboundRefusedError,
  parseAllowList,
  parseTarget,
  settingHostRefusal,
  settingUrlRefusal,
  targetRefusal,
  urlRefusal,
  type AllowList,
  type OutboundTarget,
} from "./outbound-policy";

/**
 * The one transport for every call to Microsoft (token endpoints, discovery documents, JWKS, Graph) and
 * to notification receivers (Teams workflows, webhooks: lib/notify/channels/http.ts, one POST per attempt,
 * the outbox retrying). Nothing else calls it directly but lib/entra/http.ts, which adds timeouts, Retry-After and retries and
 * serves msal-node's network module, Graph, discovery and (`entraFetch`) code that wants `fetch`
 * (next-auth's OIDC provider, the JWT validator). Each call is checked three
 * times against lib/net/outbound-policy.ts: the URL before anything happens (https only, IP
 * literals by range), every address DNS returns before connecting, and the address the socket
 * actually connected to. The lookup check is what keeps a name that resolves to 169.254.169.254 from
 * ever receiving a packet; the connect check holds whatever path the socket took.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
 */

export { OutboundRefusedError } from "./outbound-policy";

export class OutboundTimeoutError extends Error {
  constructor() {
    super("The call timed out");
    this.name = "OutboundTimeoutError";
  }
}

/** OUTBOUND_ALLOW_HOSTS, already validated by lib/env.ts. */
export const outboundAllowList: AllowList = (() => {
  const parsed = parseAllowList(env.OUTBOUND_ALLOW_HOSTS);
  if (!parsed.ok) throw new Error(`OUTBOUND_ALLOW_HOSTS: ${parsed.error}`);
  return parsed.list;
})();

/** Why a configured URL (authority, metadata address) must not be called; null when it may. */
export function configuredUrlRefusal(url: string): string | null {
  return settingUrlRefusal(url, outboundAllowList);
}

/** Why a configured `host[:port]` (a Custom cloud's hosts) must not be called; null when it may. */
export function configuredHostRefusal(hostPort: string): string | null {
  return settingHostRefusal(hostPort, outboundAllowList);
}

/** For the JWT validator: a `jwks_uri` host other than the metadata address's is accepted only when listed. */
export function isJwksHostAllowed(host: string): boolean {
  return isHostListed(host, outboundAllowList);
}

/** Microsoft's documents and Graph pages are kilobytes; a host streaming without end is cut off. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const REFUSAL_LOG_INTERVAL_MS = 60_000;
const refusalsLogged = new Map<string, number>();

/** One line per distinct refusal a minute: a run over thousands of tenants must not flood the log. */
function logRefusal(message: string) {
  const now = Date.now();
  if ((refusalsLogged.get(message) ?? 0) > now - REFUSAL_LOG_INTERVAL_MS) return;
  if (refusalsLogged.size > 1000) refusalsLogged.clear();
  refusalsLogged.set(message, now);
  console.warn(`[outbound] refused: ${message}`);
}

function targetOf(options: RequestOptions): OutboundTarget | null {
  const host = String(options.host ?? options.hostname ?? "");
  return parseTarget(host.includes(":") ? `[${host}]:${options.port ?? 443}` : `${host}:${options.port ?? 443}`);
}

/** dns.lookup, refusing when any address of the name is not allowed (a name must not mix public and private). */
function guardedLookup(target: OutboundTarget, allow: AllowList): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      for (const a of addresses) {
        const refusal = addressRefusal(target, a.address, allow);
        if (refusal) return callback(new OutboundRefusedError(refusal), "", 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * A keep-alive agent whose every new connection is checked. Node skips `lookup` for IP literals, so
 * those are judged before connecting; names through the guarded lookup; both again on `connect`.
 */
class GuardedAgent extends Agent {
  constructor(
    private readonly allow: AllowList,
    options: AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const target = targetOf(options);
    const early = target ? targetRefusal(target, this.allow) : "the request names no valid host";
    if (early || !target) {
      const error = new OutboundRefusedError(early ?? "the request names no valid host");
      if (!callback) throw error;
      callback(error, undefined as unknown as Duplex);
      return undefined;
    }
    const socket = super.createConnection({ ...options, lookup: guardedLookup(target, this.allow) } as RequestOptions, callback) as Socket;
    socket.once("connect", () => {
      const address = socket.remoteAddress;
      const refusal = address ? addressRefusal(target, address, this.allow) : "the connection has no remote address";
      if (refusal) socket.destroy(new OutboundRefusedError(refusal));
    });
    return socket;
  }
}

export type OutboundRequest = {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  signal?: AbortSignal | null;
};

export type OutboundResponse = { status: number; statusText: string; headers: Record<string, string>; body: Buffer };

export type OutboundTransport = {
  /** One HTTPS exchange: no retries, no redirects followed. Rejects with OutboundRefusedError, OutboundTimeoutError, the signal's reason or a socket error. */
  request(o: OutboundRequest): Promise<OutboundResponse>;
};

/**
 * node:https rather than fetch for the calls of a Verify All, because fetch's streams cost several times
 * the CPU per call, which shows at thousands of tenants. One keep-alive agent per transport reuses the
 * connections to the login and Graph hosts across tenants. The CA store honours NODE_EXTRA_CA_CERTS.
 */
export function createOutboundTransport(allow: AllowList): OutboundTransport {
  const agent = new GuardedAgent(allow, { keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, scheduling: "lifo" });

  function request(o: OutboundRequest): Promise<OutboundResponse> {
    return new Promise((resolve, reject) => {
      const refusal = urlRefusal(o.url, allow);
      if (refusal) {
        logRefusal(refusal);
        return reject(new OutboundRefusedError(refusal));
      }
      if (o.signal?.aborted) return reject(o.signal.reason);
      const u = new URL(o.url);
      const headers: Record<string, string | number> = { ...o.headers };
      if (o.body !== undefined) headers["content-length"] = Buffer.byteLength(o.body);
      const req = httpsRequest(
        { method: o.method, hostname: u.hostname.replace(/^\[|\]$/g, ""), port: u.port || 443, path: `${u.pathname}${u.search}`, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) return req.destroy(new Error(`The response from ${u.host} exceeds ${MAX_RESPONSE_BYTES} bytes`));
            chunks.push(c);
          });
          res.on("end", () => {
            cleanup();
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
            resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", headers: out, body: Buffer.concat(chunks) });
          });
          res.on("error", fail);
        },
      );
      const timer = setTimeout(() => req.destroy(new OutboundTimeoutError()), o.timeoutMs);
      const onAbort = () => req.destroy(o.signal?.reason instanceof Error ? o.signal.reason : new Error("The call was aborted"));
      o.signal?.addEventListener("abort", onAbort, { once: true });
      function cleanup() {
        clearTimeout(timer);
        o.signal?.removeEventListener("abort", onAbort);
      }
      function fail(e: Error) {
        cleanup();
        if (e instanceof OutboundRefusedError) logRefusal(e.message);
        reject(e);
      }
      req.on("error", fail);
      if (o.body !== undefined) req.write(o.body);
      req.end();
    });
  }

  return { request };
}

const transport = createOutboundTransport(outboundAllowList);

/** One guarded HTTPS exchange with the operator's allow list; lib/entra/http.ts adds retries on top. */
export const outboundRequest = transport.request;
