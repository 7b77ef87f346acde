import "server-only";
import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from "@azure/msal-node";
import { OutboundRefusedError, outboundRequest, OutboundTimeoutError } from "@/lib/net/outbound";
import { parseRetryAfter, redactUrl, type EntraFailure, type Flow } from "./classify";

/**
 * Every HTTP call to Entra and Graph goes through here: per-call timeout, Retry-After honoured for
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
    super(ERROR_CODES[failure.kind], failure.correlationId ?? "");
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

type RawResponse = { status: number; headers: Record<string, string>; text: string };

async function send1(method: string, url: string, headers: Record<string, string> | undefined, body: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<RawResponse> {
  const res = await outboundRequest({ method, url, headers, body, timeoutMs, signal });
  return { status: res.status, headers: res.headers, text: res.body.toString("utf8") };
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
  body?: string;
  policy: RetryPolicy;
  signal?: AbortSignal;
  correlationId?: string;
  /** Called before each wait, e.g. to show "waiting 2.5 s (throttled)" in progress. */
  onRetry?: (info: { attempt: number; waitMs: number; status?: number }) => void;
};

export type SendResult = { status: number; headers: Record<string, string>; body: unknown; trace: CallTrace };

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
    let response: RawResponse;
    try {
      response = await send1(o.method, o.url, o.headers, o.body, o.policy.timeoutMs, o.signal);
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
    const text = response.text;
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
        return finish(response.status, headers, body);
      }
      const waitMs = honoursRetryAfter ? Math.ceil(retryAfter * 1000) : backoffMs(attempt, o.policy);
      o.onRetry?.({ attempt, waitMs, status: response.status });
      await sleep(waitMs, o.signal);
      continue;
    }
    return finish(response.status, headers, body);
  }

  function finish(status: number, headers: Record<string, string>, body: unknown): SendResult {
    trace.totalMs = performance.now() - started;
    trace.last = { status, headers, body: status >= 400 ? body : undefined };
    return { status, headers, body, trace };
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
};

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
