import type { Severity } from "../events";

/**
 * What a channel driver sends and what it answers. One driver per ChannelKind (./index.ts picks it);
 * lib/notify/deliver.ts (the outbox) and the channel's Test call `deliverTo` only.
 */

/** One message, whatever the channel: rendered by each driver in its own format. */
export type OutgoingMessage = {
  /** The notification's id: the Standard Webhooks `webhook-id`, the email's Message-ID local part. Stable across retries. */
  id: string;
  /** The event type (lib/notify/events.ts), "digest" or "test". */
  type: string;
  severity: Severity;
  /** One line: the email subject, the card's title. */
  title: string;
  /** Plain-text body (several lines). */
  text: string;
  occurredAt: Date;
  /** The event's data as webhooks receive it (JSON-serializable, no secrets). */
  data: Record<string, unknown>;
  /** A console page about it (absolute URL), when there is one. */
  link?: string | null;
  /**
   * An email written for someone else than the channel's recipients (a consent campaign's invitation to a
   * customer's admin): email channels send exactly this, to these addresses; other kinds refuse it.
   */
  email?: { to: string[]; subject: string; text: string; html: string };
};

/**
 * The outcome of one attempt. `retryAfterMs` is the receiver's Retry-After; `permanent` means trying again
 * cannot help (bad configuration, 4xx other than 408/429), so the outbox gives up at once.
 */
export type DeliveryResult =
  { ok: true; responseCode: number | null } | { ok: false; responseCode: number | null; error: string; retryAfterMs?: number; permanent?: boolean };
