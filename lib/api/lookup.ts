import "server-only";
import { getTenantDetail, resolveTenantRef } from "@/lib/data/tenants";
import { latestTenantResult } from "@/lib/data/verification-runs";
import { tenantDetailDto } from "./dto";
import { ApiError } from "@/lib/http/problem";

/** The tenant `{id}` names (internal id or customer id), or a 404. */
export async function tenantRefOr404(ref: string): Promise<{ id: string; customerId: string }> {
  const tenant = await resolveTenantRef(ref);
  if (!tenant) throw new ApiError("not-found", `No tenant has the id or customer id ${ref}.`);
  return tenant;
}

export async function tenantIdOr404(ref: string): Promise<string> {
  return (await tenantRefOr404(ref)).id;
}

/** The tenant as GET /tenants/{id} shows it, or a 404 (it may have been deleted meanwhile). */
export async function tenantDetailOr404(id: string) {
  const [detail, last] = await Promise.all([getTenantDetail(id), latestTenantResult(id)]);
  if (!detail) throw new ApiError("not-found", "The tenant no longer exists.");
  return tenantDetailDto(detail, last);
}

/** If-Match against the current version: 409 when they differ. */
export function checkIfMatch(ifMatch: number | "*" | null, current: number) {
  if (ifMatch !== null && ifMatch !== "*" && ifMatch !== current) {
    throw new ApiError("version-conflict", `If-Match names version ${ifMatch}, but the current version is ${current}. GET it again, then repeat the change.`);
  }
}
