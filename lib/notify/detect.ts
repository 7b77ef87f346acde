import "server-only";
import { db } from "@/lib/db";
import type { CloudId } from "@/lib/entra/clouds";
import { registrationFor } from "@/lib/provider/resolve";
import { NO_DEADLINE_AFTER_MS } from "@/lib/tenants/access-breaks";
import { recordEvent } from "./incidents";

/**
 * The events that are not incidents, found from what is stored (like incidents, level-triggered): each fact
 * is recorded once by its dedupe key, so a tick may run on any instance, again, or late.
 */

const DAY_MS = 86_400_000;
const BATCH = 1000;

/** A consent link this close to its expiry and still unused is worth a reminder. */
export const CONSENT_EXPIRING_WITHIN_MS = DAY_MS;

/** Codes that mean Microsoft refused the MSP app registration's own secret or certificate. */
export const CREDENTIAL_REJECTED_CODES = ["INVALID_SECRET", "SECRET_EXPIRED", "BAD_CERTIFICATE"] as const;

/**
 * "Access breaks within N days" for every N an enabled rule asks for: one event per tenant, deadline and
 * N (a new deadline, after a rotation or a refresh, is a new fact).
 */
export async function detectAccessExpiring(now = new Date()): Promise<number> {
  const rules = await db.alertRule.findMany({ where: { enabled: true }, select: { events: true, expiringWithinDays: true } });
  const days = [...new Set(rules.filter((r) => wantsType(r.events, "access.expiring")).map((r) => r.expiringWithinDays))].sort((a, b) => b - a);
  if (!days.length) return 0;
  const horizon = new Date(now.getTime() + days[0]! * DAY_MS);
  const tenants = await db.tenant.findMany({
    where: { accessBreaksAt: { gt: now, lte: horizon }, lastStatus: { not: "FAILED" } },
    select: { id: true, customerId: true, displayName: true, accessBreaksAt: true, authMethod: true },
    orderBy: { accessBreaksAt: "asc" },
    take: BATCH,
  });
  let created = 0;
  for (const t of tenants) {
    const at = t.accessBreaksAt!;
    if (at.getTime() - now.getTime() > NO_DEADLINE_AFTER_MS) continue;
    const daysLeft = Math.max(0, Math.ceil((at.getTime() - now.getTime()) / DAY_MS));
    for (const n of days) {
      if (at.getTime() > now.getTime() + n * DAY_MS) continue;
      // What webhooks receive: the event's data, not a write to the tenant's columns.
      const eventData = {
        tenantId: t.id,
        customerId: t.customerId,
        tenantName: t.displayName,
        accessBreaksAt: at.toISOString(),
        daysLeft,
        withinDays: n,
        method: t.authMethod,
      };
      const made = await recordEvent({
        type: "access.expiring",
        dedupeKey: `access.expiring:${t.id}:${at.toISOString()}:${n}`,
        title: `Access to ${t.displayName} (${t.customerId}) breaks in ${daysLeft} day${daysLeft === 1 ? "" : "s"}`,
        tenantId: t.id,
        occurredAt: now,
        data: eventData,
      });
      if (made) created++;
    }
  }
  return created;
}

/** Consent links that expire within a day and were never opened or completed. */
export async function detectConsentExpiring(now = new Date()): Promise<number> {
  const links = await db.consentLink.findMany({
    where: { expiresAt: { gt: now, lte: new Date(now.getTime() + CONSENT_EXPIRING_WITHIN_MS) }, revokedAt: null, completedAt: null, lastUsedAt: null },
    select: { id: true, expiresAt: true, tenant: { select: { id: true, customerId: true, displayName: true, adminEmail: true } } },
    take: BATCH,
  });
  let created = 0;
  for (const l of links) {
    const made = await recordEvent({
      type: "consent.expiring",
      dedupeKey: `consent.expiring:${l.id}`,
      title: `Consent link for ${l.tenant.displayName} (${l.tenant.customerId}) expires unused`,
      tenantId: l.tenant.id,
      occurredAt: now,
      data: {
        tenantId: l.tenant.id,
        customerId: l.tenant.customerId,
        tenantName: l.tenant.displayName,
        consentLinkId: l.id,
        expiresAt: l.expiresAt.toISOString(),
      },
    });
    if (made) created++;
  }
  return created;
}

/** Verify All runs of the last day that ended with tenants newly failed. */
export async function detectRunsWithNewFailures(now = new Date()): Promise<number> {
  const runs = await db.jobRun.findMany({
    where: { kind: "verify", status: "COMPLETED", summaryNewlyFailed: { gt: 0 }, finishedAt: { gte: new Date(now.getTime() - DAY_MS) } },
    select: { id: true, finishedAt: true, total: true, failed: true, summaryNewlyFailed: true, trigger: true },
    take: 100,
  });
  let created = 0;
  for (const r of runs) {
    const made = await recordEvent({
      type: "run.new_failures",
      dedupeKey: `run.new_failures:${r.id}`,
      title: `Verification run finished: ${r.summaryNewlyFailed} tenant${r.summaryNewlyFailed === 1 ? "" : "s"} newly failed`,
      occurredAt: r.finishedAt ?? now,
      data: {
        runId: r.id,
        total: r.total,
        failed: r.failed,
        newlyFailed: r.summaryNewlyFailed,
        trigger: r.trigger,
        finishedAt: (r.finishedAt ?? now).toISOString(),
      },
    });
    if (made) created++;
  }
  return created;
}

/**
 * An MSP app registration whose secret or certificate Microsoft refused: one event per registration and
 * version of its credentials (Apply bumps the version, so a new secret that is refused again is news).
 */
export async function detectRejectedCredentials(now = new Date()): Promise<number> {
  const failing = await db.tenant.findMany({
    where: { lastStatus: "FAILED", lastStatusCode: { in: [...CREDENTIAL_REJECTED_CODES] }, authMethod: "APP_REGISTRATION", appClientId: null },
    select: { cloud: true, appRegistrationId: true, lastStatusCode: true },
    distinct: ["cloud", "appRegistrationId", "lastStatusCode"],
    take: 100,
  });
  if (!failing.length) return 0;
  const registrations = await db.appRegistration.findMany({
    select: { id: true, name: true, cloud: true, defaultForCloud: true, version: true, clientId: true },
  });
  const keyed = registrations.map((r) => ({ ...r, cloud: r.cloud as CloudId, defaultForCloud: r.defaultForCloud as CloudId | null }));
  let created = 0;
  for (const f of failing) {
    const choice = registrationFor({ cloud: f.cloud as CloudId, appRegistrationId: f.appRegistrationId }, keyed);
    if (!choice.ok) continue;
    const r = choice.registration;
    const affected = await db.tenant.count({
      where: {
        lastStatus: "FAILED",
        lastStatusCode: { in: [...CREDENTIAL_REJECTED_CODES, "APP_CREDENTIAL_BLOCKED"] },
        authMethod: "APP_REGISTRATION",
        appClientId: null,
      },
    });
    const made = await recordEvent({
      type: "credential.rejected",
      dedupeKey: `credential.rejected:${r.id}:${r.version}`,
      title: `App registration "${r.name}": Microsoft rejected its credential`,
      occurredAt: now,
      data: { appRegistrationId: r.id, appRegistrationName: r.name, clientId: r.clientId, reasonCode: f.lastStatusCode, affectedTenants: affected },
    });
    if (made) created++;
  }
  return created;
}

/** Whether a rule's event list (JSON array; empty: all) takes this type. */
export function wantsType(eventsJson: string, type: string): boolean {
  const list = parseList(eventsJson);
  return list.length === 0 || list.includes(type);
}

export function parseList(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}
