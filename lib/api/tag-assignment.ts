import "server-only";
import { resolveTenantRefs } from "@/lib/data/tenants";
import { ApiError } from "@/lib/http/problem";

/** The internal ids of tenants a REST body names by internal or customer id; a name that matches none is a 404. */
export async function tenantIdsOr404(refs: string[]): Promise<string[]> {
  const resolved = await resolveTenantRefs(refs);
  if (resolved.unknown.length) {
    const first = refs[resolved.unknown[0]!]!;
    throw new ApiError(
      "not-found",
      resolved.unknown.length === 1
        ? `No tenant has the id or customer id ${first}. Nothing was changed.`
        : `${resolved.unknown.length} of the tenant ids name no tenant (the first: ${first}). Nothing was changed.`,
    );
  }
  return resolved.ids;
}
