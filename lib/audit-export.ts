import "server-only";
import { auditEventsForExport, type AuditEventItem, type AuditFilters } from "@/lib/data/audit";
import { csvLine } from "@/lib/tenants/csv";

/** The audit page's columns, split as a spreadsheet wants them, and the details as JSON. */
export const auditExportColumns = ["time_utc", "action", "actor_type", "actor", "target_type", "target_id", "request_id", "details_json"] as const;

function exportLine(e: AuditEventItem): string {
  return csvLine([e.at.toISOString(), e.action, e.actorType, e.actorLabel, e.targetType, e.targetId, e.requestId, JSON.stringify(e.details)]);
}

/**
 * The CSV of a filtered audit view, newest first, streamed in batches so a long history never sits in
 * memory at once. Cells are formula-safe (csvCell, as the tenants export); a BOM lets Excel read UTF-8.
 */
export function auditCsvStream(filters: AuditFilters, batchSize?: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const batches = auditEventsForExport(filters, batchSize);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\ufeff${csvLine([...auditExportColumns])}`));
    },
    async pull(controller) {
      const next = await batches.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value.map(exportLine).join("")));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
