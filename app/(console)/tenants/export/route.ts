import { getSessionAdmin } from "@/lib/auth/session";
import { displayTimeZone } from "@/lib/data/preferences";
import { tenantsForExport } from "@/lib/data/tenants";
import { registrationNames } from "@/lib/provider/registrations";
import { csvLine, exportColumns, exportLine } from "@/lib/tenants/csv";
import { tenantListParamsSchema } from "@/lib/validations/tenant";

/**
 * CSV export of the current view (search and filters from the query string) or of the selected rows
 * (`sel`). Streamed in batches, so a 100,000-tenant export never sits in memory at once. Columns match
 * the import format: an export can be imported again into another console.
 */
export async function GET(request: Request) {
  const admin = await getSessionAdmin();
  if (!admin) return new Response("Sign in to export tenants.", { status: 401 });
  const params = tenantListParamsSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const ids = params.sel.length ? params.sel : undefined;
  const filters = ids ? {} : params;
  // Registrations are few: their names are read once, and each row names its registration, as the import reads it.
  const [names, timeZone] = await Promise.all([registrationNames(), displayTimeZone(admin.id)]);
  const encoder = new TextEncoder();
  const batches = tenantsForExport(filters, ids);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\ufeff${csvLine([...exportColumns])}`));
    },
    async pull(controller) {
      const next = await batches.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value.map((t) => exportLine(t, names, timeZone ?? undefined)).join("")));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="tenants-${ids ? "selected" : "view"}-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
