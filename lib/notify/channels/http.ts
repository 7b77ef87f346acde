import "server-only";
import { OutboundRefusedError, outboundRequest, OutboundTimeoutError } from "@/lib/net/outbound";
import type { DeliverOptions } from "./index";
import type { DeliveryResult } from "./types";

/**
 * The HTTP side of the Teams and webhook drivers: one JSON POST through the console's guarded transport
 * (lib/net/outbound.ts: https only, no private or metadata addresses unless OUTBOUND_ALLOW_HOSTS), no
 * redirects followed, and the answer mapped to a DeliveryResult. The outbox owns retries; this reports
 * whether one can help and when the receiver asked to be called again.
 */

/**
 * Retry-After as delay-seconds or an HTTP-date, in milliseconds from `now`; undefined when absent or unreadable.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * 2xx delivered; 408, 429 and 5xx worth another try (honouring Retry-After); any other answer (a 4xx, a
 * redirect this transport does not follow) is the receiver refusing the message: permanent.
 */
export function resultOfStatus(status: number, statusText: string, headers: Record<string, string>): DeliveryResult {
  if (status >= 200 && status < 300) return { ok: true, responseCode: status };
  const error = `The receiver answered HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
  if (status === 408 || status === 429 || status >= 500) {
    const after = retryAfterMs(headers["retry-after"]);
    return { ok: false, responseCode: status, error, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  return { ok: false, responseCode: status, error, permanent: true };
}

/**
 * Posts `body` as JSON. Never throws: a refused address is permanent (the channel's URL must change), a
 * timeout or a network failure is worth another try. The URL is not quoted in errors: Teams' carries its
 * signature.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, options: DeliverOptions): Promise<DeliveryResult> {
  try {
    const res = await outboundRequest({
      method: "POST",
      url,
      headers: { "content-type": "application/json", "user-agent": "TenantAccessConsole", ...headers },
      body,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    return resultOfStatus(res.status, res.statusText, res.headers);
  } catch (e) {
    if (e instanceof OutboundRefusedError) return { ok: false, responseCode: null, error: `Refused by the outbound policy: ${e.message}`, permanent: true };
    if (e instanceof OutboundTimeoutError) return { ok: false, responseCode: null, error: `The receiver did not answer within ${options.timeoutMs} ms` };
    const code = e instanceof Error && "code" in e && typeof e.code === "string" ? e.code : null;
    return { ok: false, responseCode: null, error: code ? `The receiver could not be reached (${code})` : "The receiver could not be reached" };
  }
}
