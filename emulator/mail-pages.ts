import { escapeHtml } from "./http-util.js";
import type { MailAddress, MailboxSummary, MailMessage } from "./mail.js";

/**
 * The mailbox pages (login origin, `/mailboxes`): what Graph sendMail delivered, so a person running the
 * demo can open the MSP's and the customers' mailboxes. Everything from a message is escaped; an HTML
 * body is shown in a sandboxed iframe (`srcdoc`, no scripts, no same-origin, no forms, no navigation),
 * and the page's Content-Security-Policy (set by the server) blocks remote images and scripts inside it.
 */

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f2f2f2;color:#1b1b1b}
  main{max-width:1000px;margin:2rem auto;background:#fff;padding:2rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}
  .brand{font-size:.85rem;color:#5e5e5e;margin-bottom:.5rem}
  .brand a{color:#0067b8}
  h1{font-size:1.4rem;font-weight:600;margin:0 0 1rem;word-break:break-all}
  table{border-collapse:collapse;width:100%}
  th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #e1e1e1;vertical-align:top;font-size:.9rem}
  th{font-weight:600;color:#5e5e5e}
  td.num{text-align:right}
  a{color:#0067b8}
  .muted{color:#5e5e5e;font-size:.85rem}
  dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0 0 1rem;font-size:.9rem}
  dt{color:#5e5e5e}
  dd{margin:0;word-break:break-word}
  iframe{width:100%;min-height:480px;border:1px solid #e1e1e1;background:#fff}
  pre{white-space:pre-wrap;word-break:break-word;border:1px solid #e1e1e1;padding:1rem;font:inherit;font-size:.9rem}
  .folder{font-size:.75rem;border:1px solid #8a8886;border-radius:3px;padding:0 .3rem;color:#5e5e5e}
`;

function layout(title: string, crumbs: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><div class="brand"><a href="/">Entra ID emulator</a>${crumbs}</div>${body}</main></body></html>`;
}

const mailboxHref = (address: string) => `/mailboxes/${encodeURIComponent(address)}`;

function who(a: MailAddress): string {
  return a.name ? `${escapeHtml(a.name)} <span class="muted">&lt;${escapeHtml(a.address)}&gt;</span>` : escapeHtml(a.address);
}

function list(addresses: MailAddress[]): string {
  return addresses.map(who).join(", ");
}

function time(iso: string | null): string {
  return iso ? `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.replace("T", " ").replace(/Z$/, " UTC"))}</time>` : "";
}

export function mailboxIndexPage(boxes: MailboxSummary[], owners: Map<string, string>): string {
  const rows = boxes
    .map(
      (b) =>
        `<tr><td><a href="${escapeHtml(mailboxHref(b.address))}">${escapeHtml(b.address)}</a></td><td>${escapeHtml(owners.get(b.address) ?? "")}</td><td class="num">${b.count}</td><td>${time(b.latest)}</td></tr>`,
    )
    .join("");
  const body = boxes.length
    ? `<table aria-label="Mailboxes"><thead><tr><th scope="col">Mailbox</th><th scope="col">Owner</th><th scope="col" class="num">Messages</th><th scope="col">Latest</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<p class="muted">No mail yet. Messages sent through Graph <code>sendMail</code> appear here, in each recipient's mailbox and the sender's Sent Items.</p>`;
  return layout("Mailboxes", "", `<h1>Mailboxes</h1>${body}`);
}

export function mailboxPage(address: string, messages: MailMessage[], owner: string | undefined): string {
  const rows = messages
    .map((m) => {
      const href = `${mailboxHref(address)}/messages/${encodeURIComponent(m.id)}`;
      const folder = m.folder === "sentitems" ? ` <span class="folder">Sent Items</span>` : "";
      return `<tr><td>${who(m.from)}</td><td>${list([...m.toRecipients, ...m.ccRecipients])}</td><td><a href="${escapeHtml(href)}">${escapeHtml(m.subject || "(no subject)")}</a>${folder}</td><td>${time(m.receivedDateTime)}</td></tr>`;
    })
    .join("");
  const body = messages.length
    ? `<table aria-label="Messages"><thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Received</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<p class="muted">This mailbox is empty.</p>`;
  return layout(
    `${address} – Mailbox`,
    ` › <a href="/mailboxes">Mailboxes</a>`,
    `<h1>${escapeHtml(address)}</h1>${owner ? `<p class="muted">${escapeHtml(owner)}</p>` : ""}${body}`,
  );
}

export function messagePage(m: MailMessage, owner: string | undefined): string {
  const rows: [string, string][] = [
    ["From", who(m.from)],
    ["To", list(m.toRecipients)],
  ];
  if (m.ccRecipients.length) rows.push(["Cc", list(m.ccRecipients)]);
  if (m.bccRecipients.length) rows.push(["Bcc", list(m.bccRecipients)]);
  if (m.replyTo.length) rows.push(["Reply to", list(m.replyTo)]);
  rows.push(["Received", time(m.receivedDateTime)], ["Folder", m.folder === "sentitems" ? "Sent Items" : "Inbox"]);
  if (m.importance !== "normal") rows.push(["Importance", m.importance]);
  rows.push(["Message-ID", `<code>${escapeHtml(m.internetMessageId)}</code>`], ["Sent by app", `<code>${escapeHtml(m.senderAppId)}</code>`]);
  const meta = rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("");
  const content =
    m.body.contentType === "html"
      ? `<iframe title="Message body" sandbox="" referrerpolicy="no-referrer" srcdoc="${escapeHtml(m.body.content)}"></iframe>`
      : `<pre aria-label="Message body">${escapeHtml(m.body.content)}</pre>`;
  return layout(
    `${m.subject || "(no subject)"} – ${m.mailbox}`,
    ` › <a href="/mailboxes">Mailboxes</a> › <a href="${escapeHtml(mailboxHref(m.mailbox))}">${escapeHtml(m.mailbox)}</a>${owner ? ` <span class="muted">(${escapeHtml(owner)})</span>` : ""}`,
    `<h1>${escapeHtml(m.subject || "(no subject)")}</h1><dl>${meta}</dl>${content}`,
  );
}
