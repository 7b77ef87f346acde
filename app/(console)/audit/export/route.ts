import { auditCsvStream } from "@/lib/audit-export";
import { getSessionAdmin } from "@/lib/auth/session";
import { auditViewFilters } from "@/lib/data/audit";
import { auditViewSchema } from "@/lib/validations/audit";

/** CSV export of the audit page's filtered view: the same query string, every page of it. */
export async function GET(request: Request) {
  const admin = await getSessionAdmin();
  if (!admin) return new Response("Sign in to export the audit log.", { status: 401 });
  const params = new URL(request.url).searchParams;
  const view = auditViewSchema.parse({ ...Object.fromEntries(params), action: params.getAll("action") });
  const { filters } = await auditViewFilters(view);
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
  return new Response(auditCsvStream(filters), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
