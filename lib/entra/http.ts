import "server-only";
import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from "@azure/msal-node";
import { env } from "@/lib/env";
import { OutboundRefusedError, outboundRequest, OutboundTimeoutError, type OutboundResponse } from "@/lib/net/outbound";
import { parseRetryAfter, redactUrl, type EntraFailure, type Flow } from "./classify";

/**
 * Every HTTP call to Entra and Graph goes through here: msal-node's (msalNetworkModule, for every client
 * lib/entra/msal-clients.ts builds), Graph, discovery, and `entraFetch` for libraries that bring their own
 * calls (next-auth's OIDC provider, the JWT validator). Per-call timeout, Retry-After honoured for
 * 429/503 (fractional seconds included), exponential backoff with full jitter for other 5xx and
 * connection failures, and a bounded number of attempts. Waiting happens inside the call, so a
 * throttled tenant waits while every other tenant keeps going. The transport (lib/net/outbound.ts)
 * refuses hosts outside the outbound policy; such a refusal is final, never retried.
 * @see https://learn.microsoft.com/en-us/graph/throttling#best-practices-to-handle-throttling
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */

export type RetryPolicy = {
  timeoutMs: number;
  maxRetries: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this is not waited for: the tenant is reported as throttled. */
  maxRetryAfterSeconds: number;
};

export const defaultRetryPolicy: RetryPolicy = {
  timeoutMs: 30_000,
  maxRetries: 4,
  baseBackoffMs: 500,
  maxBackoffMs: 8_000,
  maxRetryAfterSeconds: 120,
};

/**
 * Who is waiting for the call decides how long it may take. `verification`: Verify All, a single
 * verify, the provider app's Test (VERIFY_TIMEOUT_SECONDS, VERIFY_MAX_RETRIES; a throttled tenant waits
 * while the others go on). `consent`: the customer's administrator waits on the consent callback page.
 * `sign_in`: a member of staff waits on the sign-in page, or a REST client waits for its Entra token
 * to be validated. The last two are short: a long Retry-After is reported at once instead of waited for.
 * `notification`: a channel driver (lib/notify/channels) delivering one attempt for the notification outbox,
 * which schedules its own retries (backoff, Retry-After): a single try, nothing waited for here.
 * `lookup`: an admin waits in a dialog (a domain resolved to its tenant id when a tenant is added); short.
 */
export type CallPurpose = "verification" | "consent" | "sign_in" | "notification" | "lookup";

const INTERACTIVE_TIMEOUT_MS = 15_000;

export function callPolicy(purpose: CallPurpose): RetryPolicy {
  const timeoutMs = env.VERIFY_TIMEOUT_SECONDS * 1000;
  if (purpose === "verification") return { ...defaultRetryPolicy, timeoutMs, maxRetries: env.VERIFY_MAX_RETRIES };
  if (purpose === "notification")
    return { ...defaultRetryPolicy, timeoutMs: Math.min(timeoutMs, INTERACTIVE_TIMEOUT_MS), maxRetries: 0, maxRetryAfterSeconds: 0 };
  return { ...defaultRetryPolicy, timeoutMs: Math.min(timeoutMs, INTERACTIVE_TIMEOUT_MS), maxRetries: 2, maxRetryAfterSeconds: 5 };
}

export type HttpCallKind = "token" | "graph" | "discovery";

export type HttpAttempt = { status?: number; ms: number; error?: "timeout" | "network" | "refused" };

/** What a call left behind for diagnostics: the last response (bodies of errors only) and each attempt. */
export type CallTrace = {
  endpoint: string;
  attempts: HttpAttempt[];
  last?: { status: number; headers: Record<string, string>; body: unknown };
  totalMs: number;
};

const ERROR_CODES: Record<EntraFailure["kind"], string> = {
  timeout: "entra_timeout",
  network: "entra_network_error",
  refused: "entra_outbound_refused",
  server: "entra_retries_exhausted",
  config: "entra_retries_exhausted",
};

/** Thrown when no usable answer came back (timeout, connection failure, refused host, retries exhausted). */
export class EntraCallError extends AuthError {
  constructor(readonly failure: EntraFailure) {
    // A refusal names the host and address (never a secret): it is what a log line needs to say.
    super(ERROR_CODES[failure.kind], failure.correlationId ?? "", failure.refusal);
    this.name = "EntraCallError";
    // AuthError resets the prototype to its own, which would break `instanceof EntraCallError`.
    Object.setPrototypeOf(this, EntraCallError.prototype);
  }
}

export class CallCancelledError extends Error {
  constructor() {
    super("The call was cancelled");
    this.name = "CallCancelledError";
  }
}

/** Request counters per kind, for the benchmark and tests. */
export const httpCounters: Record<HttpCallKind, number> & { retries: number } = { token: 0, graph: 0, discovery: 0, retries: 0 };

export function resetHttpCounters() {
  httpCounters.token = 0;
  httpCounters.graph = 0;
  httpCounters.discovery = 0;
  httpCounters.retries = 0;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CallCancelledError());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CallCancelledError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const cap = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** attempt);
  return Math.round(random() * cap);
}

function isRetryableStatus(status: number) {
  return status === 429 || status >= 500;
}

export type SendOptions = {
  kind: HttpCallKind;
  flow: Flow;
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  policy: RetryPolicy;
  signal?: AbortSignal;
  correlationId?: string;
  /** Called before each wait, e.g. to show "waiting 2.5 s (throttled)" in progress. */
  onRetry?: (info: { attempt: number; waitMs: number; status?: number }) => void;
};

/** `body` is the parsed JSON (`{}` when there is none); `raw` the bytes as received, for `entraFetch`. */
export type SendResult = { status: number; headers: Record<string, string>; body: unknown; raw: OutboundResponse; trace: CallTrace };

/**
 * Sends one logical call with retries. Returns the final response, including a final 4xx/429/5xx;
 * throws EntraCallError only when nothing usable came back (timeout or connection failure).
 */
export async function sendWithRetry(o: SendOptions): Promise<SendResult> {
  const trace: CallTrace = { endpoint: redactUrl(o.url), attempts: [], totalMs: 0 };
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    if (o.signal?.aborted) throw new CallCancelledError();
    httpCounters[o.kind]++;
    if (attempt > 0) httpCounters.retries++;
    const t0 = performance.now();
    let response: OutboundResponse;
    try {
      response = await outboundRequest({ method: o.method, url: o.url, headers: o.headers, body: o.body, timeoutMs: o.policy.timeoutMs, signal: o.signal });
    } catch (e) {
      const ms = performance.now() - t0;
      if (o.signal?.aborted) throw new CallCancelledError();
      if (e instanceof OutboundRefusedError) {
        trace.attempts.push({ ms, error: "refused" });
        trace.totalMs = performance.now() - started;
        throw new EntraCallError({
          flow: o.flow,
          kind: "refused",
          endpoint: trace.endpoint,
          correlationId: o.correlationId,
          attempts: trace.attempts.length,
          libraryCode: e.code,
          refusal: e.message,
        });
      }
      const timedOut = e instanceof OutboundTimeoutError;
      trace.attempts.push({ ms, error: timedOut ? "timeout" : "network" });
      // A timed-out call is not repeated: a hung endpoint would otherwise hold the tenant for retries × timeout.
      // Nor is a failure no retry can fix (unknown host, untrusted certificate).
      if (!timedOut && RETRYABLE_NETWORK_CODES.has(networkErrorCode(e)) && attempt < o.policy.maxRetries) {
        const waitMs = backoffMs(attempt, o.policy);
        o.onRetry?.({ attempt, waitMs });
        await sleep(waitMs, o.signal);
        continue;
      }
      trace.totalMs = performance.now() - started;
      throw new EntraCallError({
        flow: o.flow,
        kind: timedOut ? "timeout" : "network",
        endpoint: trace.endpoint,
        correlationId: o.correlationId,
        attempts: trace.attempts.length,
        libraryCode: timedOut ? "timeout" : networkErrorCode(e),
      });
    }
    const headers = response.headers;
    const text = response.body.toString("utf8");
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {};
    }
    trace.attempts.push({ status: response.status, ms: performance.now() - t0 });
    if (isRetryableStatus(response.status) && attempt < o.policy.maxRetries) {
      const retryAfter = parseRetryAfter(headers["retry-after"]);
      const honoursRetryAfter = (response.status === 429 || response.status === 503) && retryAfter !== undefined;
      if (honoursRetryAfter && retryAfter > o.policy.maxRetryAfterSeconds) {
        return finish(response, body);
      }
      const waitMs = honoursRetryAfter ? Math.ceil(retryAfter * 1000) : backoffMs(attempt, o.policy);
      o.onRetry?.({ attempt, waitMs, status: response.status });
      await sleep(waitMs, o.signal);
      continue;
    }
    return finish(response, body);
  }

  function finish(raw: OutboundResponse, body: unknown): SendResult {
    const { status, headers } = raw;
    trace.totalMs = performance.now() - started;
    trace.last = { status, headers, body: status >= 400 ? body : undefined };
    return { status, headers, body, raw, trace };
  }
}

const RETRYABLE_NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ECONNABORTED"]);

function networkErrorCode(e: unknown): string {
  const code = (e as { code?: string; cause?: { code?: string } })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  return code ?? (e instanceof Error ? e.name : "network_error");
}

/** Per-call context msal-node cannot carry: looked up by the correlation id MSAL passes to the network module. */
export type MsalCallContext = {
  flow: Flow;
  policy: RetryPolicy;
  signal?: AbortSignal;
  trace?: CallTrace;
  /** Set when the network module gave up, in case msal-node wraps the thrown error. */
  failure?: EntraFailure;
  onRetry?: SendOptions["onRetry"];
  /** Serve from msal-node's cache only: a token request is refused (and `cacheMiss` set) instead of sent. */
  cacheOnly?: boolean;
  cacheMiss?: boolean;
};

/** Thrown by the network module for a token request of a cache-only call (MsalCallContext.cacheOnly). */
export class CacheMissError extends Error {
  constructor() {
    super("The token is not in the cache");
    this.name = "CacheMissError";
  }
}

const msalContexts = new Map<string, MsalCallContext>();

export function withMsalContext<T>(correlationId: string, ctx: MsalCallContext, fn: () => Promise<T>): Promise<T> {
  msalContexts.set(correlationId, ctx);
  return fn().finally(() => msalContexts.delete(correlationId));
}

/**
 * msal-node's network module. A final 429/5xx is thrown as EntraCallError instead of being returned,
 * because msal-node would otherwise record a throttle entry (60 s when Retry-After is fractional or
 * absent) and refuse the next verification of that tenant locally.
 * @see https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/dev/lib/msal-common/src/network/ThrottlingUtils.ts
 */
export const msalNetworkModule: INetworkModule = {
  async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return send<T>("GET", url, options);
  },
  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return send<T>("POST", url, options);
  },
};

async function send<T>(method: "GET" | "POST", url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
  const ctx = options?.correlationId ? msalContexts.get(options.correlationId) : undefined;
  const isToken = method === "POST";
  if (isToken && ctx?.cacheOnly) {
    ctx.cacheMiss = true;
    throw new CacheMissError();
  }
  let result: SendResult;
  try {
    result = await sendWithRetry({
      kind: isToken ? "token" : "discovery",
      flow: ctx?.flow ?? "discovery",
      method,
      url,
      headers: options?.headers,
      body: options?.body,
      policy: ctx?.policy ?? defaultRetryPolicy,
      signal: ctx?.signal,
      correlationId: options?.correlationId,
      onRetry: ctx?.onRetry,
    });
  } catch (e) {
    if (ctx && e instanceof EntraCallError) ctx.failure = e.failure;
    throw e;
  }
  if (ctx) ctx.trace = result.trace;
  if (isRetryableStatus(result.status)) {
    const b = (result.body ?? {}) as Record<string, unknown>;
    const failure: EntraFailure = {
      flow: ctx?.flow ?? "discovery",
      kind: "server",
      endpoint: result.trace.endpoint,
      httpStatus: result.status,
      error: typeof b.error === "string" ? b.error : undefined,
      errorCodes: Array.isArray(b.error_codes) ? (b.error_codes as number[]) : undefined,
      traceId: typeof b.trace_id === "string" ? b.trace_id : undefined,
      correlationId: options?.correlationId,
      requestId: result.headers["x-ms-request-id"],
      timestamp: typeof b.timestamp === "string" ? b.timestamp : undefined,
      retryAfterSeconds: parseRetryAfter(result.headers["retry-after"]),
      attempts: result.trace.attempts.length,
    };
    if (ctx) ctx.failure = failure;
    throw new EntraCallError(failure);
  }
  return { status: result.status, headers: result.headers, body: result.body as T };
}

/**
 * `fetch` for libraries that make their own calls to Microsoft (next-auth's OIDC provider, the JWT
 * validator): each call is one sendWithRetry, so it gets the guarded transport, the policy's timeout,
 * Retry-After and retries like every other call. A redirect is returned, never followed (a new hop would
 * need its own check). GETs count as discovery (metadata, JWKS); a POST is a token request of `flow`.
 * Rejects with EntraCallError when nothing usable came back.
 */
export function entraFetch(o: { policy: RetryPolicy; flow: Flow }): typeof fetch {
  return (async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const source = input instanceof Request ? input : null;
    const url = source ? source.url : input instanceof URL ? input.href : String(input);
    const method = (init.method ?? source?.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "POST") throw new TypeError(`entraFetch sends GET and POST only, not ${method}`);
    const headers = new Headers(init.headers ?? source?.headers);
    const rawBody = init.body !== undefined ? init.body : source?.body ? Buffer.from(await source.arrayBuffer()) : undefined;
    let body: string | Buffer | undefined;
    if (rawBody === undefined || rawBody === null) body = undefined;
    else if (typeof rawBody === "string") body = rawBody;
    else if (rawBody instanceof URLSearchParams) {
      body = rawBody.toString();
      if (!headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
    } else if (rawBody instanceof ArrayBuffer) body = Buffer.from(rawBody);
    else if (ArrayBuffer.isView(rawBody)) body = Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
    else throw new TypeError("entraFetch sends string, URLSearchParams or byte bodies only");
    const result = await sendWithRetry({
      kind: method === "POST" ? "token" : "discovery",
      flow: method === "POST" ? o.flow : "discovery",
      method,
      url,
      headers: Object.fromEntries(headers),
      body,
      policy: o.policy,
      signal: init.signal ?? source?.signal ?? undefined,
    });
    const { status, statusText, headers: responseHeaders, body: bytes } = result.raw;
    if (status >= 300 && status < 400 && init.redirect === "error") throw new TypeError(`${redactUrl(url)} redirected`);
    const noBody = status === 204 || status === 205 || status === 304;
    const response = new Response(noBody ? null : new Uint8Array(bytes), { status, statusText, headers: responseHeaders });
    Object.defineProperty(response, "url", { value: url });
    return response;
  }) as typeof fetch;
}
