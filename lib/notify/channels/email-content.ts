import { formatForMessage } from "@/lib/dates";
import { escapeHtml } from "@/lib/html";
import type { Severity } from "../events";
import type { OutgoingMessage } from "./types";

/**
 * An email made from a notification, for the email channels (Graph sendMail; SMTP may use it too): the
 * subject (the title, with the severity in front unless it is informational), a plain-text body, and a
 * simple HTML body with inline styles only (mail clients drop style sheets). Everything from the message is
 * escaped; the link is used only when it is an http(s) URL.
 */

export type EmailContent = { subject: string; text: string; html: string };

const SEVERITY_LABEL: Record<Severity, string | null> = { critical: "Critical", warning: "Warning", info: null };
const SEVERITY_COLOUR: Record<Severity, string> = { critical: "#a4262c", warning: "#8a5300", info: "#0067b8" };

function safeLink(link: string | null | undefined): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

export function emailContent(message: OutgoingMessage): EmailContent {
  const label = SEVERITY_LABEL[message.severity];
  // Header fields are one line: a stray line break in a title must not reach the subject.
  const title = message.title.replace(/[\r\n]+/g, " ").trim();
  const subject = label ? `[${label}] ${title}` : title;
  const link = safeLink(message.link);
  const when = formatForMessage(message.occurredAt);
  const text = [message.text.trim(), "", `Occurred: ${when}`, ...(link ? [`Details: ${link}`] : []), "", "Sent by Tenant Access Console."].join("\n");
  const colour = SEVERITY_COLOUR[message.severity];
  const paragraphs = message.text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 12px">${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("");
  const button = link
    ? `<p style="margin:16px 0 0"><a href="${escapeHtml(link)}" style="display:inline-block;background:#0067b8;color:#ffffff;text-decoration:none;padding:8px 16px;border-radius:4px">Open in the console</a></p>`
    : "";
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f3f3f3;font-family:'Segoe UI',Arial,sans-serif;color:#1b1b1b">
<div style="max-width:600px;margin:0 auto;background:#ffffff;border-top:4px solid ${colour};padding:24px">
${label ? `<p style="margin:0 0 8px;font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:${colour}">${label}</p>` : ""}
<h1 style="margin:0 0 16px;font-size:20px;font-weight:600">${escapeHtml(title)}</h1>
${paragraphs}
<p style="margin:12px 0 0;font-size:13px;color:#5e5e5e">Occurred ${escapeHtml(when)}</p>
${button}
</div>
<p style="max-width:600px;margin:12px auto 0;font-size:12px;color:#5e5e5e">Sent by Tenant Access Console.</p>
</body></html>`;
  return { subject, text, html };
}
