import { higher } from "@/lib/auth/roles";
import type { AdminRole } from "@/lib/generated/prisma/enums";

/** The highest role any of the user's groups maps to; null when none is mapped (no access). */
export function roleForGroups(groupIds: string[], mappings: Map<string, AdminRole>): AdminRole | null {
  let best: AdminRole | null = null;
  for (const id of groupIds) {
    const role = mappings.get(id.toLowerCase());
    if (role) best = higher(best, role);
  }
  return best;
}
