import "server-only";
import { db } from "@/lib/db";
import type { CloudId } from "@/lib/entra/clouds";
import type { RemediationAction } from "@/lib/entra/reasons";
import type { MethodId } from "@/lib/methods";
import { registrationFor } from "@/lib/provider/resolve";
import { groupFix, groupRegistrationValue, reasonTitle, type GroupFixKind, type GroupRegistration } from "@/lib/tenants/failure-groups";
import type { CloudValue } from "@/lib/validations/tenant";
import { tenantWhere } from "./tenants";

export type FailureGroup = {
  /** Stable within a fleet: reason, method, cloud and registration joined. */
  key: string;
  count: number;
  reasonCode: string;
  reason: string;
  method: MethodId;
  cloud: CloudValue;
  /** `value` is what the table's `app` filter takes. `id`/`name`: the MSP registration the tenants use, null when none or the customer's own. */
  registration: { value: string; kind: GroupRegistration["kind"]; id: string | null; name: string };
  fix: { kind: GroupFixKind; label: string; action: RemediationAction; text: string };
  /** The table's (and GET /tenants') filter showing exactly the group's tenants. */
  filter: { status: ["FAILED"]; reason: [string]; method: [MethodId]; cloud: [CloudValue]; app: string };
};

/**
 * Failed tenants per cause, largest group first: one GROUP BY over the index
 * (lastStatus, lastStatusCode, cloud, authMethod, appRegistrationId, appClientId), read from the index
 * alone on both databases, in proportion to the failed tenants. Rows differing only by the customer's
 * own app (one per tenant) are folded here into one group per reason, method and cloud.
 */
export async function listFailureGroups(): Promise<FailureGroup[]> {
  const [rows, registrations] = await Promise.all([
    db.tenant.groupBy({
      by: ["lastStatusCode", "cloud", "authMethod", "appRegistrationId", "appClientId"],
      where: { lastStatus: "FAILED" },
      _count: { _all: true },
    }),
    db.appRegistration.findMany({ select: { id: true, name: true, cloud: true, defaultForCloud: true } }),
  ]);
  const keys = registrations.map((r) => ({ ...r, cloud: r.cloud as CloudId, defaultForCloud: r.defaultForCloud as CloudId | null }));
  const groups = new Map<string, FailureGroup>();
  for (const row of rows) {
    const reasonCode = row.lastStatusCode ?? "UNKNOWN";
    const method = row.authMethod as MethodId;
    const cloud = row.cloud as CloudValue;
    const registration: GroupRegistration =
      method === "APP_REGISTRATION" && row.appClientId !== null
        ? { kind: "own" }
        : row.appRegistrationId
          ? { kind: "chosen", id: row.appRegistrationId }
          : { kind: "default" };
    const value = groupRegistrationValue(registration);
    const key = [reasonCode, method, cloud, value].join("|");
    const existing = groups.get(key);
    if (existing) {
      existing.count += row._count._all;
      continue;
    }
    let id: string | null = null;
    let name = "The customer's own app registration";
    if (registration.kind !== "own") {
      const choice = registrationFor({ cloud: cloud as CloudId, appRegistrationId: registration.kind === "chosen" ? registration.id : null }, keys);
      id = choice.ok ? choice.registration.id : null;
      name = choice.ok ? choice.registration.name : "No app registration";
    }
    groups.set(key, {
      key,
      count: row._count._all,
      reasonCode,
      reason: reasonTitle(reasonCode),
      method,
      cloud,
      registration: { value, kind: registration.kind, id, name },
      fix: groupFix(method, reasonCode, registration),
      filter: { status: ["FAILED"], reason: [reasonCode], method: [method], cloud: [cloud], app: value },
    });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** The ids of a group's tenants (for its bulk action), in customer id order, at most `limit`. */
export async function failureGroupTenantIds(group: { reasonCode: string; method: MethodId; cloud: CloudValue; app: string }, limit: number): Promise<string[]> {
  const rows = await db.tenant.findMany({
    where: tenantWhere({ status: ["FAILED"], reason: [group.reasonCode], method: [group.method], cloud: [group.cloud], app: group.app }),
    select: { id: true },
    orderBy: { customerId: "asc" },
    take: limit,
  });
  return rows.map((r) => r.id);
}
