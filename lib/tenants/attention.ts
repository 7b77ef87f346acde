import type { StatusValue } from "@/lib/validations/tenant";

/**
 * The Tenants page's two orders that are not a column's own, as the database keeps them in
 * Tenant.severity and Tenant.attention (triggers of migration …_needs_attention compute the same
 * from lastStatus and accessBreaksAt; attention.test.ts checks that both agree on both databases).
 *
 * - Severity: a status sorts by how bad it is, not by its name: Failed, Warning, Not verified, Verified.
 * - "Needs attention" (the default view): by severity, then the soonest "access breaks on" first, a tenant
 *   without such a date after every dated one of its severity.
 */

export const severityOrder: readonly StatusValue[] = ["FAILED", "WARNING", "NEVER", "VERIFIED"];

export function severityOf(status: StatusValue): number {
  return severityOrder.indexOf(status);
}

/** Epoch milliseconds stay below this until the year 2286. */
const SPAN = 10_000_000_000_000;

export function attentionKey(status: StatusValue, accessBreaksAt: Date | null): bigint {
  return BigInt(severityOf(status)) * BigInt(SPAN) + BigInt(accessBreaksAt ? accessBreaksAt.getTime() : SPAN - 1);
}

/** The "Needs attention" order in memory: what the database's order by (attention, customerId) gives. */
export function compareAttention(
  a: { lastStatus: StatusValue; accessBreaksAt: Date | null; customerId: string },
  b: { lastStatus: StatusValue; accessBreaksAt: Date | null; customerId: string },
): number {
  const ka = attentionKey(a.lastStatus, a.accessBreaksAt);
  const kb = attentionKey(b.lastStatus, b.accessBreaksAt);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0;
}
