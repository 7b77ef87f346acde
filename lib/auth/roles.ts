import type { AdminRole } from "@/lib/generated/prisma/enums";

/**
 * The three roles, ordered: viewers read; operators verify, send consent links and start or cancel runs;
 * administrators change tenants, settings, tokens and admins. Client-safe.
 */
const rank: Record<AdminRole, number> = { VIEWER: 0, OPERATOR: 1, ADMINISTRATOR: 2 };

export const roleLabels: Record<AdminRole, string> = { VIEWER: "Viewer", OPERATOR: "Operator", ADMINISTRATOR: "Administrator" };

export function atLeast(role: AdminRole, minimum: AdminRole): boolean {
  return rank[role] >= rank[minimum];
}

/** The higher of two roles; `best` may be null (no role yet). */
export function higher(best: AdminRole | null, role: AdminRole): AdminRole {
  return best === null || rank[role] > rank[best] ? role : best;
}
