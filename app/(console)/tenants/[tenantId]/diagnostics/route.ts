import { getSessionAdmin } from "@/lib/auth/session";
import { tenantDiagnostics } from "@/lib/data/diagnostics";

/** The Fix "Download diagnostics": the last verification's identifiers as a JSON file for Microsoft support. */
export async function GET(_request: Request, { params }: { params: Promise<{ tenantId: string }> }) {
  const admin = await getSessionAdmin();
  if (!admin) return new Response("Sign in to download diagnostics.", { status: 401 });
  const { tenantId } = await params;
  const body = await tenantDiagnostics(tenantId);
  if (!body) return new Response("No such tenant.", { status: 404 });
  const name = body.tenant.customerId.replace(/[^A-Za-z0-9._-]+/g, "_");
  return new Response(`${JSON.stringify(body, null, 2)}\n`, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="diagnostics-${name}-${body.generatedAt.slice(0, 10)}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
