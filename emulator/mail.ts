import { randomUUID } from "node:crypto";

/**
 * The emulator's mail: what Graph `sendMail` delivered, kept per mailbox (an address, any domain: the
 * emulator is a closed world, so every recipient's copy is stored under its address), plus the sender's
 * Sent Items. Bounded: the newest MAILBOX_LIMIT messages per mailbox, MAX_MAILBOXES mailboxes.
 * @see https://learn.microsoft.com/en-us/graph/api/user-sendmail
 * @see https://learn.microsoft.com/en-us/graph/api/resources/message
 */

export const MAILBOX_LIMIT = 500;
export const MAX_MAILBOXES = 2000;

export interface MailAddress {
  address: string;
  name: string | null;
}

export interface MailMessage {
  /** Unique per copy (each mailbox has its own message object, as in Exchange). */
  id: string;
  /** The lower-cased address of the mailbox holding this copy. */
  mailbox: string;
  folder: "inbox" | "sentitems";
  /** The same on every copy of one sent message. */
  internetMessageId: string;
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  from: MailAddress;
  toRecipients: MailAddress[];
  ccRecipients: MailAddress[];
  /** Only on the sender's Sent Items copy: recipients never see the Bcc line. */
  bccRecipients: MailAddress[];
  replyTo: MailAddress[];
  importance: "low" | "normal" | "high";
  sentDateTime: string;
  receivedDateTime: string;
  /** Who sent it through Graph: the token's tenant and application (client id). */
  senderTenantId: string;
  senderAppId: string;
}

/** A parsed sendMail request body; what `parseSendMail` returns when Graph would accept it. */
export interface OutgoingMail {
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  toRecipients: MailAddress[];
  ccRecipients: MailAddress[];
  bccRecipients: MailAddress[];
  replyTo: MailAddress[];
  importance: "low" | "normal" | "high";
  internetMessageId: string | null;
  saveToSentItems: boolean;
}

export type SendMailParse = { ok: true; mail: OutgoingMail } | { ok: false; status: number; code: string; message: string };

const ADDRESS = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validates a sendMail JSON body as Graph/Exchange do: `message` required; at least one recipient in
 * to/cc/bcc; every recipient an SMTP address; `body.contentType` Text or HTML (any case).
 * `bodyState` says whether the request had no body or one that was not JSON.
 */
export function parseSendMail(body: unknown, bodyState: "ok" | "missing" | "invalid"): SendMailParse {
  const bad = (code: string, message: string): SendMailParse => ({ ok: false, status: 400, code, message });
  if (bodyState === "invalid")
    return bad("BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
  if (!isObject(body) || body.message === undefined || body.message === null)
    return bad("ErrorInvalidParameter", "The value of the parameter 'Message' is empty.");
  const m = body.message;
  if (!isObject(m)) return bad("RequestBodyRead", "Cannot convert the literal to the expected type 'microsoft.graph.message'.");
  if (body.saveToSentItems !== undefined && body.saveToSentItems !== null && typeof body.saveToSentItems !== "boolean")
    return bad("RequestBodyRead", `Cannot convert the literal '${String(body.saveToSentItems)}' to the expected type 'Edm.Boolean'.`);

  const recipients = (field: string): MailAddress[] | SendMailParse => {
    const raw = m[field];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw))
      return bad(
        "RequestBodyRead",
        `An unexpected 'StartObject' node was found for property named '${field}' when reading from the JSON reader. A 'StartArray' node was expected.`,
      );
    const out: MailAddress[] = [];
    for (const r of raw) {
      const email = isObject(r) && isObject(r.emailAddress) ? r.emailAddress : undefined;
      const address = typeof email?.address === "string" ? email.address.trim() : "";
      const name = typeof email?.name === "string" && email.name.trim() ? email.name.trim() : null;
      if (!ADDRESS.test(address)) {
        return bad(
          "ErrorInvalidRecipients",
          `At least one recipient isn't valid., Recipient '${address || name || ""}' isn't resolved. All recipients must be resolved before a message can be submitted.`,
        );
      }
      out.push({ address, name });
    }
    return out;
  };
  const lists: Record<"toRecipients" | "ccRecipients" | "bccRecipients" | "replyTo", MailAddress[]> = {
    toRecipients: [],
    ccRecipients: [],
    bccRecipients: [],
    replyTo: [],
  };
  for (const field of Object.keys(lists) as (keyof typeof lists)[]) {
    const parsed = recipients(field);
    if (!Array.isArray(parsed)) return parsed;
    lists[field] = parsed;
  }
  if (lists.toRecipients.length + lists.ccRecipients.length + lists.bccRecipients.length === 0)
    return bad("ErrorInvalidRecipients", "At least one recipient is not valid., A message can't be sent because it contains no recipients.");

  let contentType: "text" | "html" = "text";
  let content = "";
  if (m.body !== undefined && m.body !== null) {
    if (!isObject(m.body)) return bad("RequestBodyRead", "Cannot convert the literal to the expected type 'microsoft.graph.itemBody'.");
    const ct = m.body.contentType;
    if (ct !== undefined && ct !== null) {
      const lower = String(ct).toLowerCase();
      if (lower !== "text" && lower !== "html")
        return bad("RequestBodyRead", `Cannot convert the literal '${String(ct)}' to the expected type 'microsoft.graph.bodyType'.`);
      contentType = lower;
    }
    if (m.body.content !== undefined && m.body.content !== null) content = String(m.body.content);
  }
  const importanceRaw = typeof m.importance === "string" ? m.importance.toLowerCase() : "normal";
  if (importanceRaw !== "low" && importanceRaw !== "normal" && importanceRaw !== "high")
    return bad("RequestBodyRead", `Cannot convert the literal '${String(m.importance)}' to the expected type 'microsoft.graph.importance'.`);
  const internetMessageId = typeof m.internetMessageId === "string" && m.internetMessageId.trim() ? m.internetMessageId.trim() : null;
  if (internetMessageId !== null && !/^<[^<>\s]+@[^<>\s]+>$/.test(internetMessageId))
    return bad("ErrorInvalidInternetMessageHeader", "The internet message header 'Message-ID' has an invalid value.");
  return {
    ok: true,
    mail: {
      subject: typeof m.subject === "string" ? m.subject : "",
      body: { contentType, content },
      ...lists,
      importance: importanceRaw,
      internetMessageId,
      saveToSentItems: body.saveToSentItems !== false,
    },
  };
}

export interface MailboxSummary {
  address: string;
  count: number;
  /** receivedDateTime of the newest message. */
  latest: string | null;
}

/** Every mailbox's messages, oldest first inside each mailbox (pages and the control API show newest first). */
export class Mailboxes {
  private boxes = new Map<string, MailMessage[]>();

  /**
   * Stores a sent message: one copy in each distinct recipient's Inbox, and one in the sender's Sent
   * Items unless `saveToSentItems` is false. Returns the internetMessageId shared by the copies.
   */
  deliver(sender: { address: string; name: string | null; tenantId: string; appId: string }, mail: OutgoingMail, nowMs: number): string {
    const at = new Date(nowMs).toISOString().replace(/\.\d+Z$/, "Z");
    const domain = sender.address.split("@")[1] ?? "emulator.local";
    const internetMessageId = mail.internetMessageId ?? `<${randomUUID().replace(/-/g, "").toUpperCase()}@${domain}>`;
    const base = {
      internetMessageId,
      subject: mail.subject,
      body: mail.body,
      from: { address: sender.address, name: sender.name },
      toRecipients: mail.toRecipients,
      ccRecipients: mail.ccRecipients,
      replyTo: mail.replyTo,
      importance: mail.importance,
      sentDateTime: at,
      receivedDateTime: at,
      senderTenantId: sender.tenantId,
      senderAppId: sender.appId,
    };
    const seen = new Set<string>();
    for (const r of [...mail.toRecipients, ...mail.ccRecipients, ...mail.bccRecipients]) {
      const key = r.address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      this.store({ ...base, id: randomUUID(), mailbox: key, folder: "inbox", bccRecipients: [] });
    }
    if (mail.saveToSentItems) {
      this.store({ ...base, id: randomUUID(), mailbox: sender.address.toLowerCase(), folder: "sentitems", bccRecipients: mail.bccRecipients });
    }
    return internetMessageId;
  }

  private store(message: MailMessage): void {
    let box = this.boxes.get(message.mailbox);
    if (box) {
      // Most recently used last, so the mailbox dropped when there are too many is the longest idle one.
      this.boxes.delete(message.mailbox);
    } else {
      box = [];
      if (this.boxes.size >= MAX_MAILBOXES) this.boxes.delete(this.boxes.keys().next().value!);
    }
    this.boxes.set(message.mailbox, box);
    box.push(message);
    if (box.length > MAILBOX_LIMIT) box.splice(0, box.length - MAILBOX_LIMIT);
  }

  /** Mailboxes by address. */
  list(): MailboxSummary[] {
    return [...this.boxes.entries()]
      .map(([address, box]) => ({ address, count: box.length, latest: box.at(-1)?.receivedDateTime ?? null }))
      .sort((a, b) => a.address.localeCompare(b.address));
  }

  /** A mailbox's messages, newest first; empty for a mailbox that never received anything. */
  messages(address: string): MailMessage[] {
    return [...(this.boxes.get(address.trim().toLowerCase()) ?? [])].reverse();
  }

  find(address: string, id: string): MailMessage | undefined {
    return this.boxes.get(address.trim().toLowerCase())?.find((m) => m.id === id);
  }

  /** Empties one mailbox, or all of them. Returns how many messages were removed. */
  clear(address?: string): number {
    if (address !== undefined) {
      const key = address.trim().toLowerCase();
      const n = this.boxes.get(key)?.length ?? 0;
      this.boxes.delete(key);
      return n;
    }
    let n = 0;
    for (const box of this.boxes.values()) n += box.length;
    this.boxes.clear();
    return n;
  }
}
