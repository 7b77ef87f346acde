import { getSessionAdmin } from "@/lib/auth/session";
import { tenantStatusCounts } from "@/lib/data/tenants";
import { tenantListParamsSchema } from "@/lib/validations/tenant";

/**
 * Tenants per status for a view's filters (the status filter itself ignored), as JSON. The Tenants page
 * loads them after its rows: counting scans an index in proportion to the number of tenants, and keeping
 * it out of the page render keeps page one's time independent of that number.
 */
export async function GET(request: Request) {
  const admin = await getSessionAdmin();
  if (!admin) return Response.json({ error: "Sign in to see tenant counts." }, { status: 401 });
  const params = tenantListParamsSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json(await tenantStatusCounts(params), { headers: { "Cache-Control": "no-store" } });
}
