import "server-only";
import { getRunProgress, subscribeRunProgress } from "./runs";
import type { RunProgress } from "./types";

/**
 * Run progress as server-sent events, for a route handler:
 *   return new Response(runProgressEventStream(runId, request.signal), { headers: sseHeaders });
 * One `progress` event at least once a second while the run is active, a last one when it ends,
 * then the stream closes. Authorization is the route's job.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

export function runProgressEventStream(runId: string, signal?: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let unsubscribe: (() => void) | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  const stop = () => {
    unsubscribe?.();
    unsubscribe = null;
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  };
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (p: RunProgress) => controller.enqueue(encoder.encode(`event: progress\ndata: ${JSON.stringify(p)}\n\n`));
      const initial = await getRunProgress(runId);
      if (!initial) {
        controller.enqueue(encoder.encode(`event: error\ndata: {"error":"not_found"}\n\n`));
        controller.close();
        return;
      }
      send(initial);
      if (initial.status !== "RUNNING") {
        controller.close();
        return;
      }
      unsubscribe = subscribeRunProgress(runId, (p) => {
        send(p);
        if (p.status !== "RUNNING") {
          stop();
          controller.close();
        }
      });
      // A comment line keeps proxies from closing an idle connection.
      heartbeat = setInterval(() => controller.enqueue(encoder.encode(": keep-alive\n\n")), 15_000);
      signal?.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      });
    },
    cancel() {
      stop();
    },
  });
}
