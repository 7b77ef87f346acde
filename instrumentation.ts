// Runs once when a console server starts: applies pending migrations before any request is served.
export async function register() {
  // NEXT_RUNTIME is set by Next.js itself (not configuration); migrations need Node, not the edge runtime.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { onServerStart } = await import("@/lib/startup");
    await onServerStart();
  }
}
