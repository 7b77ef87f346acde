import "server-only";
import { formatForMessage as formatUtc } from "@/lib/dates";
import { env } from "@/lib/env";
import { parseJsonObject } from "@/lib/json";
import { isReasonCode, reasons } from "@/lib/entra/reasons";
import type { OutgoingMessage } from "./channels/types";
import { eventTypeInfo, isEventType, severities, type Severity } from "./events";

/**
 * What a notification says, whatever the channel (each driver renders it in its own format). Dates are
 * written one way, absolute and in UTC with the zone named ("6 Dec 2026, 20:15 UTC", lib/dates.ts), since a message is read anywhere.
 */

function url(path: string): string {
  return new URL(path, env.APP_URL).toString();
}

type EventLike = { id: string; type: string; severity: string; title: string; data: string; occurredAt: Date; tenantId: string | null };

const asSeverity = (s: string): Severity => ((severities as readonly string[]).includes(s) ? (s as Severity) : "info");
const str = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));

/** The lines of one event, under its title. */
export function eventLines(type: string, data: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const customer = data.tenantName ? `Customer: ${str(data.tenantName)} (${str(data.customerId)})` : null;
  const reason = (code: unknown) => (typeof code === "string" && isReasonCode(code) ? reasons[code] : null);
  switch (type) {
    case "incident.opened": {
      const r = reason(data.reasonCode);
      if (customer) lines.push(customer);
      lines.push(`Reason: ${r?.title ?? str(data.reasonCode)}`);
      if (r) lines.push(r.explanation, `Fix: ${r.remediation.text}`);
      lines.push(`Lost at: ${formatUtc(str(data.openedAt))}`);
      break;
    }
    case "incident.resolved": {
      if (customer) lines.push(customer);
      lines.push(`Access works again since ${formatUtc(str(data.resolvedAt))} (lost at ${formatUtc(str(data.openedAt))}).`);
      break;
    }
    case "access.expiring":
      if (customer) lines.push(customer);
      lines.push(`Access breaks on ${formatUtc(str(data.accessBreaksAt))} unless its secret, certificate or token is renewed.`);
      break;
    case "consent.expiring":
      if (customer) lines.push(customer);
      lines.push(
        `The consent link sent to the customer expires on ${formatUtc(str(data.expiresAt))} and has not been opened. Send a new one or remind the customer.`,
      );
      break;
    case "run.new_failures":
      lines.push(`${str(data.newlyFailed)} tenant(s) newly failed; ${str(data.failed)} failed of ${str(data.total)} checked.`);
      break;
    case "credential.rejected": {
      const r = reason(data.reasonCode);
      lines.push(`App registration: ${str(data.appRegistrationName)} (client id ${str(data.clientId)})`);
      lines.push(`Microsoft's answer: ${r?.title ?? str(data.reasonCode)}. Every tenant using this app registration fails until its credential is renewed.`);
      lines.push(`Tenants affected now: ${str(data.affectedTenants)}`);
      break;
    }
    case "rotation.failed":
      lines.push(`App registration: ${str(data.appRegistrationName)} (client id ${str(data.clientId)})`);
      lines.push(`The rotation stopped at "${str(data.step)}": ${str(data.error)}`);
      lines.push(
        data.mode === "certificate"
          ? "The old certificate stays in use; the new one was not switched to. Nothing else changed."
          : "The old secret stays in use; the new one was removed. Nothing else changed.",
      );
      break;
    case "digest": {
      const items = Array.isArray(data.items) ? (data.items as { title?: unknown }[]) : [];
      if (typeof data.openIncidents === "number") lines.push(`Open incidents: ${data.openIncidents}`);
      if (items.length) lines.push("", ...items.map((i) => `• ${str(i.title)}`));
      if (typeof data.more === "number" && data.more > 0) lines.push(`…and ${data.more} more.`);
      if (!items.length) lines.push("Nothing new in the last 24 hours.");
      break;
    }
  }
  return lines;
}

function linkFor(type: string, data: Record<string, unknown>, tenantId: string | null): string | null {
  if (type === "run.new_failures" && data.runId) return url(`/tenants?status=FAILED`);
  if (type === "credential.rejected" || type === "rotation.failed") return url("/settings/provider");
  if (type.startsWith("incident.")) return tenantId ? url(`/tenants/${tenantId}#incidents`) : url("/incidents");
  if (tenantId) return url(`/tenants/${tenantId}`);
  return url("/incidents");
}

/** The message of one event's notification. */
export function eventMessage(notificationId: string, e: EventLike): OutgoingMessage {
  const data = parseJsonObject(e.data);
  const label = isEventType(e.type) ? eventTypeInfo[e.type].label : "Digest";
  return {
    id: notificationId,
    type: e.type,
    severity: asSeverity(e.severity),
    title: e.title,
    text: [...eventLines(e.type, data), "", `${label} · ${formatUtc(e.occurredAt)}`].join("\n"),
    occurredAt: e.occurredAt,
    data: { eventId: e.id, ...data },
    link: linkFor(e.type, data, e.tenantId),
  };
}

/** The message of a quiet-hours digest: the events held, newest last. */
export function heldDigestMessage(notificationId: string, title: string, events: EventLike[], now: Date): OutgoingMessage {
  const worst = events.reduce<Severity>((w, e) => (severities.indexOf(asSeverity(e.severity)) > severities.indexOf(w) ? asSeverity(e.severity) : w), "info");
  return {
    id: notificationId,
    type: "digest",
    severity: worst,
    title,
    text: [...events.map((e) => `• ${formatUtc(e.occurredAt)} — ${e.title}`), "", `Held during quiet hours · sent ${formatUtc(now)}`].join("\n"),
    occurredAt: now,
    data: {
      kind: "quiet_hours",
      events: events.map((e) => ({
        eventId: e.id,
        type: e.type,
        severity: e.severity,
        title: e.title,
        occurredAt: e.occurredAt.toISOString(),
        ...parseJsonObject(e.data),
      })),
    },
    link: url("/incidents"),
  };
}

/** A channel's Test message. */
export function testMessage(id: string, channelName: string, now: Date): OutgoingMessage {
  return {
    id,
    type: "test",
    severity: "info",
    title: `Test from the Tenant Access Console`,
    text: `This is a test of the channel "${channelName}", sent ${formatUtc(now)}. If you can read it, alerts will reach you here.`,
    occurredAt: now,
    data: { channel: channelName },
    link: url("/settings/channels"),
  };
}
