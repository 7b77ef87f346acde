import "server-only";
import { db } from "@/lib/db";
import { channelView, type ChannelView } from "@/lib/notify/channels/store";
import type { Page } from "@/lib/pagination";

/** Settings → Channels and /api/v1/channels: channels as views (never a secret) and their delivery logs. */

/** delivered, retry (will try again), failed (gave up), test_ok, test_failed. */
export type DeliveryOutcome = "delivered" | "retry" | "failed" | "test_ok" | "test_failed";

export type DeliveryRow = {
  id: string;
  at: Date;
  outcome: DeliveryOutcome;
  /** Null for a Test. */
  notificationId: string | null;
  attempt: number;
  responseCode: number | null;
  durationMs: number;
  error: string | null;
};

export type ChannelListItem = ChannelView & { lastDelivery: Pick<DeliveryRow, "at" | "outcome" | "responseCode"> | null };

const deliverySelect = { id: true, at: true, outcome: true, notificationId: true, attempt: true, responseCode: true, durationMs: true, error: true } as const;

export async function listChannels(): Promise<ChannelListItem[]> {
  const rows = await db.notificationChannel.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] });
  // A handful of channels: one indexed look-up each ([channelId, at]).
  const last = await Promise.all(
    rows.map((r) =>
      db.deliveryAttempt.findFirst({
        where: { channelId: r.id },
        orderBy: [{ at: "desc" }, { id: "desc" }],
        select: { at: true, outcome: true, responseCode: true },
      }),
    ),
  );
  return rows.map((r, i) => {
    const l = last[i];
    return { ...channelView(r), lastDelivery: l ? { at: l.at, outcome: l.outcome as DeliveryOutcome, responseCode: l.responseCode } : null };
  });
}

/** A channel's delivery attempts, newest first; null when the channel does not exist. */
export async function channelDeliveries(channelId: string, page = 1, pageSize = 25): Promise<Page<DeliveryRow> | null> {
  const exists = await db.notificationChannel.findUnique({ where: { id: channelId }, select: { id: true } });
  if (!exists) return null;
  const [total, rows] = await Promise.all([
    db.deliveryAttempt.count({ where: { channelId } }),
    db.deliveryAttempt.findMany({
      where: { channelId },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: deliverySelect,
    }),
  ]);
  return { items: rows.map((r) => ({ ...r, outcome: r.outcome as DeliveryOutcome })), total, page, pageSize };
}
