import { formatForMessage } from "@/lib/dates";
import { escapeHtml } from "@/lib/html";
import type { BrandingView } from "./branding";

/**
 * The invitation email of a consent campaign, from the MSP's branding and template: a subject, a plain-text
 * part and an HTML part (inline styles only; every value escaped). Placeholders in the MSP's subject and
 * text: {{customer}}, {{msp}}, {{expires}}, {{link}}, {{support}}.
 */

export type InvitationInput = {
  branding: BrandingView;
  customerName: string;
  adminEmail: string;
  link: string;
  expiresAt: Date;
  /** 0 for the invitation, n for the n-th reminder. */
  reminder: number;
  /** Absolute URL of the logo (the console's own), or null. */
  logoUrl: string | null;
};

export type RenderedEmail = { subject: string; text: string; html: string };

export const DEFAULT_SUBJECT = "{{msp}} asks for your consent: access to {{customer}}'s Microsoft 365";
export const DEFAULT_TEXT = [
  "Hello,",
  "",
  "{{msp}} manages Microsoft 365 for {{customer}}. To keep doing so, it needs an administrator of your tenant to grant its app access once.",
  "",
  "Open this link and follow the steps (it takes about a minute; you need to be a Global Administrator or Privileged Role Administrator):",
  "{{link}}",
  "",
  "The link is valid until {{expires}}.",
  "",
  "Questions? {{support}}",
].join("\n");

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, key: string) => values[key] ?? m);
}

/** How customers reach the MSP: its support email, else its support URL, else a reply. */
function supportOf(b: BrandingView, msp: string): string {
  return b.supportEmail ?? b.supportUrl ?? `Reply to this email to reach ${msp}`;
}

/**
 * Renders one invitation (or reminder). The HTML part links only to the consent link and the logo, both
 * the console's own (APP_URL), and to the MSP's support address; it loads nothing from any other host.
 */
export function renderInvitation(input: InvitationInput): RenderedEmail {
  const b = input.branding;
  const msp = b.mspName || "Your IT service provider";
  const support = supportOf(b, msp);
  const expires = formatForMessage(input.expiresAt);
  const values = { customer: input.customerName, msp, expires, link: input.link, support };
  const prefix = input.reminder > 0 ? "Reminder: " : "";
  const subject = (prefix + fill(b.inviteSubject ?? DEFAULT_SUBJECT, values)).replace(/[\r\n]+/g, " ");
  const body = fill(b.inviteText ?? DEFAULT_TEXT, values);
  const footer = `Sent by ${msp} to an administrator of ${input.customerName}. The link is valid until ${expires}.`;
  const text = [body, ...(b.customText ? ["", b.customText] : []), "", "--", footer, `Support: ${support}`].join("\n");

  const link = escapeHtml(input.link);
  const paragraph = (p: string) =>
    `<p style="margin:0 0 12px;line-height:1.5">${escapeHtml(p)
      .replace(/\n/g, "<br>")
      .replaceAll(link, `<a href="${link}" style="color:#1d4ed8">${link}</a>`)}</p>`;
  const supportHtml = b.supportEmail
    ? `<a href="mailto:${escapeHtml(b.supportEmail)}" style="color:#1d4ed8">${escapeHtml(b.supportEmail)}</a>`
    : b.supportUrl
      ? `<a href="${escapeHtml(b.supportUrl)}" style="color:#1d4ed8">${escapeHtml(b.supportUrl)}</a>`
      : escapeHtml(support);
  const logo = input.logoUrl
    ? `<img src="${escapeHtml(input.logoUrl)}" alt="${escapeHtml(msp)}" height="40" style="max-height:40px;max-width:160px;vertical-align:middle;margin-right:12px">`
    : "";
  const html = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    `<body style="margin:0;padding:24px;background:#f1f5f9;font-family:'Segoe UI',Arial,sans-serif;font-size:14px;color:#1f2937">`,
    `<div style="max-width:600px;margin:0 auto;background:#ffffff;border:1px solid #e2e8f0;border-radius:8px;padding:24px">`,
    `<div style="border-bottom:1px solid #e2e8f0;padding-bottom:16px;margin-bottom:16px">${logo}<strong style="font-size:16px;vertical-align:middle">${escapeHtml(msp)}</strong></div>`,
    `<h1 style="font-size:18px;margin:0 0 16px">${escapeHtml(input.reminder > 0 ? "Reminder: consent requested" : "Consent requested")} for ${escapeHtml(input.customerName)}</h1>`,
    body
      .split(/\n{2,}/)
      .map(paragraph)
      .join(""),
    `<p style="margin:20px 0"><a href="${link}" style="display:inline-block;background:#1d4ed8;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;font-weight:600">Review and grant consent</a></p>`,
    b.customText ? paragraph(b.customText) : "",
    `<p style="margin:16px 0 0;padding-top:12px;border-top:1px solid #e2e8f0;font-size:12px;color:#64748b">${escapeHtml(footer)}<br>Support: ${supportHtml}</p>`,
    `</div></body></html>`,
  ].join("");
  return { subject, text, html };
}
