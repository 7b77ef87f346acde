import "server-only";
import { hostname } from "node:os";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";
import { invitationMessage, recordInvitationDelivery } from "@/lib/campaigns/invitations";
import { deliverTo } from "./channels";
import { loadResolvedChannel } from "./channels/store";
import type { DeliveryResult, OutgoingMessage } from "./channels/types";
import { eventMessage, heldDigestMessage } from "./message";

/**
 * The outbox's delivery. A notification is claimed with a compare-and-set that also sets a lease
 * (`claimedBy`, `claimedUntil`), so across every instance sharing the database one delivers it; a claim
 * whose holder died expires and the next tick takes it. Each attempt is a DeliveryAttempt row (the
 * channel's delivery log). A failed attempt is retried on an exponential backoff (NOTIFY_RETRY_…, or the
 * receiver's Retry-After when longer) up to NOTIFY_MAX_ATTEMPTS; a permanent refusal gives up at once.
 *
 * Channels are delivered side by side, each in order: a channel that fails or hangs (up to
 * NOTIFY_TIMEOUT_SECONDS) stops only its own queue for this pass, never another channel's.
 */

export const processInstanceId = `${hostname()}:${process.pid}:${newId().slice(-6)}`;

export type DeliverOptions = {
  now?: Date;
  /** This process's name in claims (tests run several "instances" in one process). */
  instanceId?: string;
  limit?: number;
  /** How long a claim holds; after it, another instance may deliver. Default: timeout × 4. */
  leaseMs?: number;
};

export type DeliverSummary = { delivered: number; retrying: number; failed: number };

/** Backoff before attempt n+1 after n failed attempts (pure). */
export function retryDelayMs(
  attempts: number,
  retryAfterMs: number | undefined,
  base = env.NOTIFY_RETRY_BASE_SECONDS * 1000,
  max = env.NOTIFY_RETRY_MAX_SECONDS * 1000,
): number {
  const backoff = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, 86_400_000));
}

const claimable = (now: Date) => ({ OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] });

/** Delivers what is due now. */
export async function deliverDue(options: DeliverOptions = {}): Promise<DeliverSummary> {
  const now = options.now ?? new Date();
  const me = options.instanceId ?? processInstanceId;
  const timeoutMs = env.NOTIFY_TIMEOUT_SECONDS * 1000;
  const leaseMs = options.leaseMs ?? timeoutMs * 4 + 5_000;
  await releaseHeld(now);

  const due = await db.notification.findMany({
    where: { status: "PENDING", nextAttemptAt: { lte: now }, ...claimable(now) },
    orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }],
    take: options.limit ?? 100,
    select: { id: true, channelId: true },
  });
  const mine: { id: string; channelId: string }[] = [];
  for (const n of due) {
    const { count } = await db.notification.updateMany({
      where: { id: n.id, status: "PENDING", nextAttemptAt: { lte: now }, ...claimable(now) },
      data: { claimedBy: me, claimedUntil: new Date(now.getTime() + leaseMs) },
    });
    if (count === 1) mine.push(n);
  }
  const byChannel = new Map<string, string[]>();
  for (const n of mine) byChannel.set(n.channelId, [...(byChannel.get(n.channelId) ?? []), n.id]);

  const summary: DeliverSummary = { delivered: 0, retrying: 0, failed: 0 };
  await Promise.all(
    [...byChannel].map(async ([channelId, ids]) => {
      const channel = await loadResolvedChannel(channelId).catch(() => null);
      for (let i = 0; i < ids.length; i++) {
        const outcome = await deliverOne(ids[i]!, channel, { now, me, timeoutMs });
        summary[outcome]++;
        if (outcome === "retrying") {
          // The channel is failing: leave the rest of its queue for the next pass.
          await db.notification.updateMany({ where: { id: { in: ids.slice(i + 1) }, claimedBy: me }, data: { claimedBy: null, claimedUntil: null } });
          break;
        }
      }
    }),
  );
  return summary;
}

type Channel = Awaited<ReturnType<typeof loadResolvedChannel>>;

const notificationSelect = {
  attempts: true,
  channelId: true,
  invitationId: true,
  reminder: true,
  digestOf: true,
  digestTitle: true,
  createdAt: true,
  event: { select: { id: true, type: true, severity: true, title: true, data: true, occurredAt: true, tenantId: true } },
} as const;

type NotificationRow = NonNullable<Awaited<ReturnType<typeof db.notification.findUnique<{ where: { id: string }; select: typeof notificationSelect }>>>>;

/** What the notification says: its invitation email, its event, or the quiet-hours digest of its events. */
async function messageOf(id: string, n: NotificationRow, now: Date): Promise<OutgoingMessage | null> {
  if (n.invitationId) return invitationMessage(id, n.invitationId, n.reminder ?? 0, now);
  if (n.event) return eventMessage(id, n.event);
  const ids = JSON.parse(n.digestOf ?? "[]") as string[];
  const events = await db.alertEvent.findMany({
    where: { id: { in: ids } },
    orderBy: { occurredAt: "asc" },
    select: { id: true, type: true, severity: true, title: true, data: true, occurredAt: true, tenantId: true },
  });
  return heldDigestMessage(id, n.digestTitle ?? `${events.length} alerts`, events, n.createdAt);
}

async function deliverOne(id: string, channel: Channel, ctx: { now: Date; me: string; timeoutMs: number }): Promise<keyof DeliverSummary> {
  const n = await db.notification.findUnique({ where: { id }, select: notificationSelect });
  if (!n) return "failed";
  const attempt = n.attempts + 1;
  const started = performance.now();
  let result: DeliveryResult;
  const message = await messageOf(id, n, ctx.now);
  if (!channel) result = { ok: false, responseCode: null, error: "The channel is disabled or its settings cannot be read.", permanent: true };
  else if (!message) result = { ok: false, responseCode: null, error: "The notification's event no longer exists.", permanent: true };
  else {
    const signal = AbortSignal.timeout(ctx.timeoutMs);
    result = await deliverTo(channel, message, { signal, timeoutMs: ctx.timeoutMs }).catch((e: unknown): DeliveryResult => ({
      ok: false,
      responseCode: null,
      error: e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 500) : "Delivery failed",
    }));
  }
  const durationMs = Math.round(performance.now() - started);
  const giveUp = !result.ok && (result.permanent || attempt >= env.NOTIFY_MAX_ATTEMPTS);
  const outcome = result.ok ? "delivered" : giveUp ? "failed" : "retry";
  const error = result.ok ? null : result.error.slice(0, 1000);
  const at = new Date();
  await db.$transaction([
    db.notification.updateMany({
      where: { id, claimedBy: ctx.me },
      data: result.ok
        ? { status: "DELIVERED", deliveredAt: at, attempts: attempt, claimedBy: null, claimedUntil: null, lastError: null }
        : giveUp
          ? { status: "FAILED", attempts: attempt, claimedBy: null, claimedUntil: null, lastError: error }
          : {
              attempts: attempt,
              nextAttemptAt: new Date(ctx.now.getTime() + retryDelayMs(attempt, result.retryAfterMs)),
              claimedBy: null,
              claimedUntil: null,
              lastError: error,
            },
    }),
    db.deliveryAttempt.create({
      data: { id: newId(), channelId: n.channelId, notificationId: id, at, attempt, outcome, responseCode: result.responseCode, durationMs, error },
    }),
  ]);
  const summary = result.ok ? "delivered" : giveUp ? "failed" : "retrying";
  // A campaign's invitation follows its email: sent, or delivery failed (lib/campaigns/invitations.ts).
  if (n.invitationId) await recordInvitationDelivery(n.invitationId, n.reminder ?? 0, summary, error, at);
  return summary;
}

/**
 * Quiet hours are over for the notifications held until now: per channel, several become one digest
 * notification (the held ones are marked DIGESTED in the same transaction, fenced on still being HELD);
 * a single one is simply sent.
 */
export async function releaseHeld(now: Date): Promise<number> {
  const held = await db.notification.findMany({
    where: { status: "HELD", nextAttemptAt: { lte: now } },
    select: { id: true, channelId: true, eventId: true },
    orderBy: { createdAt: "asc" },
    take: 1000,
  });
  const byChannel = new Map<string, typeof held>();
  for (const h of held) byChannel.set(h.channelId, [...(byChannel.get(h.channelId) ?? []), h]);
  let released = 0;
  for (const [channelId, list] of byChannel) {
    const ids = list.map((h) => h.id);
    if (list.length === 1) {
      released += (await db.notification.updateMany({ where: { id: ids[0], status: "HELD" }, data: { status: "PENDING", nextAttemptAt: now } })).count;
      continue;
    }
    const digestId = newId();
    try {
      await db.$transaction(async (tx) => {
        const { count } = await tx.notification.updateMany({ where: { id: { in: ids }, status: "HELD" }, data: { status: "DIGESTED", digestId } });
        if (count !== ids.length) throw new HeldTakenError();
        await tx.notification.create({
          data: {
            id: digestId,
            channelId,
            status: "PENDING",
            nextAttemptAt: now,
            digestOf: JSON.stringify(list.map((h) => h.eventId)),
            digestTitle: `${list.length} alerts during quiet hours`,
          },
        });
      });
      released += ids.length;
    } catch (e) {
      if (!(e instanceof HeldTakenError)) throw e;
    }
  }
  return released;
}

class HeldTakenError extends Error {}
