import "server-only";
import nodemailer from "nodemailer";
import type { ResolvedChannel } from "./config";
import { emailContent } from "./email-content";
import type { DeliverOptions } from "./index";
import type { DeliveryResult, OutgoingMessage } from "./types";

/**
 * Email over SMTP with nodemailer: one connection per message (the outbox sends few), TLS from the start,
 * STARTTLS required, or plain for a local relay. Subject and bodies come from ./email-content.ts, as Graph mail's. SMTP's reply classes decide retries: 4yz is a transient
 * negative completion (try again), 5yz a permanent one (535 authentication failed, 550 mailbox refused).
 * @see https://www.rfc-editor.org/rfc/rfc5321#section-4.2.1
 */

const RETRYABLE_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ECONNREFUSED", "ECONNRESET", "EPROTOCOL"]);

/** A nodemailer failure as a DeliveryResult; the server's reply is quoted (it never holds the password). */
export function smtpFailure(e: unknown): DeliveryResult {
  const err = (e ?? {}) as { responseCode?: unknown; code?: unknown; response?: unknown; message?: unknown };
  const responseCode = typeof err.responseCode === "number" ? err.responseCode : null;
  const reply = typeof err.response === "string" ? err.response : typeof err.message === "string" ? err.message : "The mail could not be sent";
  const error = reply.replace(/\s+/g, " ").trim().slice(0, 300);
  if (responseCode !== null) {
    // 4yz: the server asks to try again later; 5yz (and anything else it answers): it will not take this message.
    return responseCode >= 400 && responseCode < 500 ? { ok: false, responseCode, error } : { ok: false, responseCode, error, permanent: true };
  }
  const code = typeof err.code === "string" ? err.code : "";
  if (RETRYABLE_CODES.has(code)) return { ok: false, responseCode: null, error: `The SMTP server could not be reached (${code}): ${error}` };
  return { ok: false, responseCode: null, error, permanent: true };
}

export async function deliverSmtp(
  channel: Extract<ResolvedChannel, { kind: "SMTP" }>,
  message: OutgoingMessage,
  options: DeliverOptions,
): Promise<DeliveryResult> {
  const { config } = channel;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.security === "tls",
    requireTLS: config.security === "starttls",
    ignoreTLS: config.security === "none",
    auth: config.user ? { user: config.user, pass: channel.secrets.password ?? "" } : undefined,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const onAbort = () => transport.close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (options.signal?.aborted) return { ok: false, responseCode: null, error: "The delivery was cancelled" };
    const domain = config.from.split("@")[1] ?? "tenant-access-console";
    const { subject, text, html } = message.email ?? emailContent(message);
    const info = await transport.sendMail({
      from: config.from,
      to: message.email?.to ?? config.to,
      subject,
      text,
      html,
      // The notification's id: the same Message-ID on every retry, so a duplicate is recognisable.
      messageId: `<${message.id}@${domain}>`,
    });
    const code = /^(\d{3})/.exec(typeof info.response === "string" ? info.response : "")?.[1];
    return { ok: true, responseCode: code ? Number(code) : 250 };
  } catch (e) {
    return smtpFailure(e);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    transport.close();
  }
}
