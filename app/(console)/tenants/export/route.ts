import { getSessionAdmin } from "@/lib/auth/session";
import { tenantsForExport, type TenantListItem } from "@/lib/data/tenants";
import { csvLine, exportColumns } from "@/lib/tenants/csv";
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
  const iso = (d: Date | null) => (d ? d.toISOString() : "");
  const row = (t: TenantListItem) =>
    csvLine([
      t.customerId,
      t.displayName,
      t.entraTenantId,
      t.primaryDomain,
      t.adminEmail,
      t.authMethod,
      t.cloud,
      t.lastStatus,
      t.lastStatusCode,
      t.lastStatusMessage,
      iso(t.lastVerifiedAt),
      iso(t.accessBreaksAt),
    ]);
  const encoder = new TextEncoder();
  const batches = tenantsForExport(filters, ids);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\ufeff${csvLine([...exportColumns])}`));
    },
    async pull(controller) {
      const next = await batches.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value.map(row).join("")));
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
