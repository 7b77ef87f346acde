/** Shown when a server action gave no answer at all: nothing about the failure is known, so nothing more is said. */
export const ACTION_UNANSWERED =
  "The console did not answer (the network failed or the server had an error). The change may or may not have been made: reload the page to see the current state, then try again.";

/**
 * Awaits a server action called from a client component. A server action returns a result, but
 * its promise still rejects when the request never completes (network failure, server error, a console
 * restarted mid-request); that rejection becomes a failed result here, so the caller's error path runs and
 * its busy state, ended in a `finally`, never outlives the action.
 */
export async function settleAction<R extends { ok: boolean } | null>(call: Promise<R>): Promise<R | { ok: false; error: string; fieldErrors?: undefined }> {
  try {
    return await call;
  } catch {
    return { ok: false, error: ACTION_UNANSWERED };
  }
}
