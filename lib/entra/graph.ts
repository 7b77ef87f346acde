import "server-only";
import { randomUUID } from "node:crypto";
import { failureFromGraphResponse, parseRetryAfter, redactUrl, type EntraFailure } from "./classify";
import type { CloudEndpoints } from "./clouds";
import { CallCancelledError, EntraCallError, httpCounters, backoffMs, sendWithRetry, type RetryPolicy, type SendOptions } from "./http";

/**
 * Graph reads for verification, sent as one JSON batch so a tenant costs one Graph round trip.
 * Each sub-request is throttled on its own, so a 200 batch can hold inner 429s; only those are resent.
 * @see https://learn.microsoft.com/en-us/graph/json-batching
 * @see https://learn.microsoft.com/en-us/graph/throttling#throttling-and-batching
 */

export type GraphSubRequest = { id: string; url: string; headers?: Record<string, string> };
export type GraphSubResponse = { status: number; headers: Record<string, string>; body: unknown };

export type BatchResult =
  | { ok: true; responses: Map<string, GraphSubResponse>; ms: number; roundTrips: number; clientRequestId: string }
  | { ok: false; failure: EntraFailure; ms: number; roundTrips: number };

type CallOptions = { policy: RetryPolicy; signal?: AbortSignal; onRetry?: SendOptions["onRetry"] };

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new CallCancelledError());
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(t);
      reject(new CallCancelledError());
    };
    signal?.addEventListener("abort", abort, { once: true });
  });
}

function lower(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (h && typeof h === "object") for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  return out;
}

export async function graphBatch(endpoints: CloudEndpoints, accessToken: string, requests: GraphSubRequest[], o: CallOptions): Promise<BatchResult> {
  const url = `${endpoints.graphBase}/v1.0/$batch`;
  const clientRequestId = randomUUID();
  const done = new Map<string, GraphSubResponse>();
  let pending = requests;
  let roundTrips = 0;
  const t0 = performance.now();
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await sendWithRetry({
        kind: "graph",
        flow: "graph",
        method: "POST",
        url,
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", "client-request-id": clientRequestId },
        body: JSON.stringify({ requests: pending.map((r) => ({ id: r.id, method: "GET", url: r.url, headers: r.headers })) }),
        policy: o.policy,
        signal: o.signal,
        correlationId: clientRequestId,
        onRetry: o.onRetry,
      });
    } catch (e) {
      if (e instanceof EntraCallError) return { ok: false, failure: e.failure, ms: performance.now() - t0, roundTrips: roundTrips + 1 };
      throw e;
    }
    roundTrips += res.trace.attempts.length;
    if (res.status !== 200) {
      return {
        ok: false,
        failure: failureFromGraphResponse({ endpoint: url, status: res.status, headers: res.headers, body: res.body, attempts: res.trace.attempts.length }),
        ms: performance.now() - t0,
        roundTrips,
      };
    }
    const responses = ((res.body as { responses?: unknown[] }).responses ?? []) as { id?: unknown; status?: unknown; headers?: unknown; body?: unknown }[];
    const retry: GraphSubRequest[] = [];
    let waitMs = 0;
    for (const r of responses) {
      const id = String(r.id);
      const sub: GraphSubResponse = { status: Number(r.status), headers: lower(r.headers), body: r.body };
      const retryable = sub.status === 429 || sub.status >= 500;
      const request = pending.find((p) => p.id === id);
      if (retryable && request && attempt < o.policy.maxRetries) {
        const ra = parseRetryAfter(sub.headers["retry-after"]);
        if (ra !== undefined && ra > o.policy.maxRetryAfterSeconds) {
          done.set(id, sub);
          continue;
        }
        waitMs = Math.max(waitMs, ra !== undefined && (sub.status === 429 || sub.status === 503) ? Math.ceil(ra * 1000) : backoffMs(attempt, o.policy));
        retry.push(request);
        continue;
      }
      done.set(id, sub);
    }
    if (retry.length === 0) return { ok: true, responses: done, ms: performance.now() - t0, roundTrips, clientRequestId };
    httpCounters.retries++;
    o.onRetry?.({ attempt, waitMs, status: 429 });
    await sleep(waitMs, o.signal);
    pending = retry;
  }
}

/** A sub-response as a failure, for classification. */
export function subFailure(endpoints: CloudEndpoints, request: GraphSubRequest, response: GraphSubResponse): EntraFailure {
  return failureFromGraphResponse({
    endpoint: `${endpoints.graphBase}/v1.0${request.url}`,
    status: response.status,
    headers: response.headers,
    body: response.body,
  });
}

export type Organization = { id: string; displayName: string; defaultDomain: string | null; initialDomain: string | null };

export function readOrganization(body: unknown): Organization | null {
  const org = (body as { value?: Record<string, unknown>[] } | undefined)?.value?.[0];
  if (!org || typeof org.id !== "string") return null;
  const domains = Array.isArray(org.verifiedDomains) ? (org.verifiedDomains as { name?: string; isDefault?: boolean; isInitial?: boolean }[]) : [];
  return {
    id: org.id.toLowerCase(),
    displayName: typeof org.displayName === "string" ? org.displayName : "",
    defaultDomain: domains.find((d) => d.isDefault)?.name ?? null,
    initialDomain: domains.find((d) => d.isInitial)?.name ?? null,
  };
}

export const graphRequests = {
  organization: { id: "organization", url: "/organization?$select=id,displayName,verifiedDomains" },
  /** `$count` needs the eventual-consistency header. @see https://learn.microsoft.com/en-us/graph/aad-advanced-queries */
  users: { id: "users", url: "/users?$top=1&$select=id&$count=true", headers: { ConsistencyLevel: "eventual" } },
  me: { id: "me", url: "/me?$select=id,displayName,userPrincipalName,mail" },
} satisfies Record<string, GraphSubRequest>;

/** One GET of a Graph page: its body, or the failure (classified by the caller) when none came back. */
export type GraphGetResult = { ok: true; body: unknown; attempts: number } | { ok: false; failure: EntraFailure; status?: number; graphCode?: string };

/** A URL the bearer token may be sent to: on the cloud's Graph origin, nowhere else. */
function offOrigin(endpoints: CloudEndpoints, url: string): EntraFailure | null {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { flow: "graph", kind: "config", endpoint: "invalid link", libraryCode: "invalid_link" };
  }
  if (target.origin === new URL(endpoints.graphBase).origin) return null;
  return {
    flow: "graph",
    kind: "refused",
    endpoint: target.origin,
    libraryCode: "foreign_link",
    refusal: `Graph sent a link to ${target.host}, which is not the tenant's Graph host`,
  };
}

/**
 * GETs one Graph URL (a first page or an `@odata.nextLink`/`@odata.deltaLink`, followed verbatim) with
 * the policy's timeout and retries: Retry-After honoured on 429/503, backoff on other 5xx (sendWithRetry).
 * A link must stay on the cloud's Graph origin: the bearer token is never sent anywhere else.
 * @see https://learn.microsoft.com/en-us/graph/paging
 */
export async function graphGet(
  endpoints: CloudEndpoints,
  accessToken: string,
  url: string,
  o: CallOptions & { headers?: Record<string, string> },
): Promise<GraphGetResult> {
  const r = await graphSend(endpoints, accessToken, "GET", url, undefined, o);
  if (!r.ok) return r;
  // Reads answer 200; any other 2xx is not the page asked for.
  if (r.status !== 200) return r.unexpected();
  return { ok: true, body: r.body, attempts: r.attempts };
}

/** One POST of a Graph action: its status and body when Graph answered 2xx, or the failure. */
export type GraphPostResult = { ok: true; status: number; body: unknown; attempts: number } | GraphCallFailure;
type GraphCallFailure = { ok: false; failure: EntraFailure; status?: number; graphCode?: string };

/**
 * POSTs a JSON body to one Graph URL on the cloud's Graph origin (an action such as `sendMail`) with the
 * policy's timeout and retries, like graphGet. A 2xx (200, 201, 202 Accepted, 204) is success; anything
 * else comes back as a failure with Graph's status and error code (classified by the caller).
 */
export async function graphPost(
  endpoints: CloudEndpoints,
  accessToken: string,
  url: string,
  body: unknown,
  o: CallOptions & { headers?: Record<string, string> },
): Promise<GraphPostResult> {
  const r = await graphSend(endpoints, accessToken, "POST", url, JSON.stringify(body), o);
  return r.ok ? { ok: true, status: r.status, body: r.body, attempts: r.attempts } : r;
}

/**
 * The one Graph exchange under graphGet and graphPost: the origin check, the client-request-id, the
 * policy's retries, and a non-2xx answer turned into a classified failure. `unexpected()` turns a 2xx the
 * caller does not accept into the same kind of failure.
 */
async function graphSend(
  endpoints: CloudEndpoints,
  accessToken: string,
  method: "GET" | "POST",
  url: string,
  body: string | undefined,
  o: CallOptions & { headers?: Record<string, string> },
): Promise<{ ok: true; status: number; body: unknown; attempts: number; unexpected(): GraphCallFailure } | GraphCallFailure> {
  const refused = offOrigin(endpoints, url);
  if (refused) return { ok: false, failure: refused };
  const clientRequestId = randomUUID();
  try {
    const res = await sendWithRetry({
      kind: "graph",
      flow: "graph",
      method,
      url,
      headers: {
        authorization: `Bearer ${accessToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        "client-request-id": clientRequestId,
        ...o.headers,
      },
      ...(body === undefined ? {} : { body }),
      policy: o.policy,
      signal: o.signal,
      correlationId: clientRequestId,
      onRetry: o.onRetry,
    });
    const attempts = res.trace.attempts.length;
    const failed = (): GraphCallFailure => {
      const failure = failureFromGraphResponse({ endpoint: redactUrl(url), status: res.status, headers: res.headers, body: res.body, attempts });
      return { ok: false, failure, status: res.status, graphCode: failure.graphCode };
    };
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, body: res.body, attempts, unexpected: failed };
    return failed();
  } catch (e) {
    if (e instanceof EntraCallError) return { ok: false, failure: e.failure };
    throw e;
  }
}
