import type { CallbackOutcome } from "./callback";

function escape(value: string) {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const tones = {
  ok: { border: "#6ee7b7", bg: "#ecfdf5", fg: "#064e3b" },
  info: { border: "#93c5fd", bg: "#eff6ff", fg: "#1e3a8a" },
  warn: { border: "#fcd34d", bg: "#fffbeb", fg: "#78350f" },
  error: { border: "#fca5a5", bg: "#fef2f2", fg: "#7f1d1d" },
} as const;

/**
 * The page the customer's administrator lands on after Microsoft. Plain HTML from the route handler:
 * no scripts, no stack traces, every value escaped.
 */
export function renderResultPage(outcome: CallbackOutcome): { status: number; html: string } {
  let status = 200;
  let tone: keyof typeof tones = "ok";
  let title: string;
  let body: string[];
  switch (outcome.kind) {
    case "bad_request":
      status = 400;
      tone = "error";
      title = "This request cannot be processed";
      body = [outcome.message];
      break;
    case "declined":
      tone = "warn";
      title = "Consent was not granted";
      body = [outcome.message, "If this was a mistake, open the consent link from your service provider again."];
      break;
    case "mismatch":
      tone = "error";
      title = "Consent came from a different tenant";
      body = [outcome.message];
      break;
    case "failed":
      tone = "error";
      title = outcome.title;
      body = [outcome.message];
      break;
    case "confirming":
      // Entra replicates a new consent for a few minutes; the console confirms it in the background.
      tone = "info";
      title = outcome.flow === "ADMIN_CONSENT" ? "Thank you: consent was received" : "Thank you: access was authorized";
      body = [
        `Your service provider received your consent for ${outcome.tenantName} and is confirming it with Microsoft, which can take a few minutes after consent is granted.`,
        "Nothing else is needed from you. You can close this window.",
      ];
      break;
    case "success": {
      const v = outcome.verification;
      const granted = v.details.permissions?.granted ?? [];
      const missing = v.details.permissions?.missing ?? [];
      tone = v.status === "FAILED" ? "warn" : "ok";
      title = outcome.flow === "ADMIN_CONSENT" ? "Thank you: consent was granted" : "Thank you: access was authorized";
      body = [
        `Your service provider can now reach ${outcome.tenantName}.`,
        v.status === "FAILED" ? `The first check did not pass yet: ${v.message}` : "The connection was verified.",
        ...(granted.length ? [`Permissions granted: ${granted.join(", ")}.`] : []),
        ...(missing.length ? [`Still missing: ${missing.join(", ")}.`] : []),
        "You can close this window.",
      ];
      break;
    }
  }
  const t = tones[tone];
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(title)}</title>
<style>body{margin:0;font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f8fafc;color:#0f172a}
main{max-width:36rem;margin:10vh auto;padding:0 1rem}.card{border:1px solid ${t.border};background:${t.bg};color:${t.fg};border-radius:.75rem;padding:1.5rem}
h1{font-size:1.25rem;margin:0 0 .75rem}p{margin:.5rem 0;line-height:1.5}</style></head>
<body><main><div class="card" role="${tone === "ok" || tone === "info" ? "status" : "alert"}"><h1>${escape(title)}</h1>${body.map((b) => `<p>${escape(b)}</p>`).join("")}</div></main></body></html>`;
  return { status, html };
}
