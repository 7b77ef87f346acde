import { db } from "@/lib/db";

export const dynamic = "force-dynamic";

/** Readiness: 200 when the database answers, 503 otherwise. No details that could leak configuration. */
export async function GET() {
  const started = performance.now();
  try {
    await db.$queryRawUnsafe("SELECT 1");
    return Response.json({ status: "ok", database: "ok", latencyMs: Math.round(performance.now() - started) }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    return Response.json({ status: "unavailable", database: "unreachable" }, { status: 503, headers: { "Cache-Control": "no-store" } });
  }
}
