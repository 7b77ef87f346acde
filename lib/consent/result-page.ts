import { escapeHtml } from "@/lib/html";
import type { CallbackOutcome } from "./callback";
import { APPLICATION_CONSENT_ROLES, orList } from "./permissions";

const tones = {
  ok: { border: "#6ee7b7", bg: "#ecfdf5", fg: "#064e3b" },
  info: { border: "#93c5fd", bg: "#eff6ff", fg: "#1e3a8a" },
  warn: { border: "#fcd34d", bg: "#fffbeb", fg: "#78350f" },
  error: { border: "#fca5a5", bg: "#fef2f2", fg: "#7f1d1d" },
} as const;

/** The MSP as the result pages name it (Settings → Branding); all optional. */
export type ResultBranding = { mspName: string; logoPath: string | null; supportEmail: string | null; supportUrl: string | null };

const NO_BRANDING: ResultBranding = { mspName: "", logoPath: null, supportEmail: null, supportUrl: null };

/**
 * The page the customer's administrator lands on after Microsoft: what happened and what to do next,
 * naming the MSP. Plain HTML from the route handler: no scripts, no stack traces, every value escaped.
 */
export function renderResultPage(outcome: CallbackOutcome, branding: ResultBranding = NO_BRANDING): { status: number; html: string } {
  const msp = branding.mspName || "your service provider";
  const Msp = branding.mspName || "Your service provider";
  const tenant = "tenantName" in outcome && outcome.tenantName ? outcome.tenantName : "your organization";
  let status = 200;
  let tone: keyof typeof tones = "ok";
  let title: string;
  let body: string[];
  let next: string | null = null;
  switch (outcome.kind) {
    case "bad_request":
      status = 400;
      tone = "error";
      title = "This request cannot be processed";
      body = [outcome.message];
      next = `Open the consent link from ${msp} again. If it has expired, ask ${msp} for a new one.`;
      break;
    case "declined":
      tone = "warn";
      if (outcome.reason === "cancelled") {
        title = "You cancelled: nothing was granted";
        body = [`You cancelled the consent request for ${tenant} on Microsoft's page, so ${msp} received no access.`];
        next = "When you are ready, open the link again and accept on Microsoft's page.";
      } else if (outcome.reason === "not_admin") {
        title = "This account cannot grant consent";
        body = [`The account you used is not an administrator of ${tenant} who can grant this consent (Microsoft: AADSTS90094). Nothing was granted.`];
        next = `An administrator with the role ${orList(APPLICATION_CONSENT_ROLES)} must open this link and sign in. Forward the link to them, or ask ${msp} for help.`;
      } else {
        title = "Consent was not granted";
        body = [outcome.message];
        next = `Open the consent link from ${msp} again. If this happens again, send ${msp} the error code above.`;
      }
      break;
    case "mismatch": {
      tone = "error";
      title = "You signed in with an account of another organization";
      const who = outcome.account ? `the account ${outcome.account}` : "an account";
      const where = outcome.otherTenant ? ` of another directory (${outcome.otherTenant})` : " of another directory";
      body = [`This link is for ${tenant}, but you signed in with ${who}${where}. Nothing was granted or stored.`];
      next = outcome.expectedDomain
        ? `Open the link again and sign in with an account of ${outcome.expectedDomain}, using a private window if Microsoft signs you in automatically.`
        : `Open the link again and sign in with an administrator account of ${tenant}.`;
      break;
    }
    case "failed":
      tone = "error";
      title = outcome.title;
      body = [outcome.message];
      next = `Contact ${msp} and tell them what this page says.`;
      break;
    case "confirming":
      // Entra replicates a new consent for a few minutes; the console confirms it in the background.
      tone = "info";
      title = outcome.flow === "ADMIN_CONSENT" ? "Thank you: consent was received" : "Thank you: access was authorized";
      body = [
        `${Msp} received your consent for ${outcome.tenantName} and is confirming it with Microsoft, which can take a few minutes after consent is granted.`,
      ];
      next = `Nothing else is needed from you. ${Msp} will finish the setup on its side; you can close this window.`;
      break;
    case "success": {
      const v = outcome.verification;
      const granted = v.details.permissions?.granted ?? [];
      const missing = v.details.permissions?.missing ?? [];
      tone = v.status === "FAILED" ? "warn" : "ok";
      title = outcome.flow === "ADMIN_CONSENT" ? "Thank you: consent was granted" : "Thank you: access was authorized";
      body = [
        `${Msp} can now reach ${outcome.tenantName}.`,
        v.status === "FAILED" ? `The first check did not pass yet: ${v.message}` : "The connection was verified.",
        ...(granted.length ? [`Permissions granted: ${granted.join(", ")}.`] : []),
        ...(missing.length ? [`Still missing: ${missing.join(", ")}.`] : []),
      ];
      next =
        v.status === "FAILED"
          ? `${Msp} will look into it and contact you if anything else is needed. You can close this window.`
          : "Nothing else is needed from you. You can close this window.";
      break;
    }
  }
  const t = tones[tone];
  const support = branding.supportEmail
    ? `<a href="mailto:${escapeHtml(branding.supportEmail)}">${escapeHtml(branding.supportEmail)}</a>`
    : branding.supportUrl
      ? `<a href="${escapeHtml(branding.supportUrl)}" rel="noreferrer">${escapeHtml(branding.supportUrl)}</a>`
      : null;
  const logo = branding.logoPath ? `<img src="${escapeHtml(branding.logoPath)}" alt="${escapeHtml(branding.mspName || "Logo")}">` : "";
  const header = logo || branding.mspName ? `<header>${logo}${branding.mspName ? `<span>${escapeHtml(branding.mspName)}</span>` : ""}</header>` : "";
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{margin:0;font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f8fafc;color:#0f172a}
main{max-width:36rem;margin:10vh auto;padding:0 1rem}header{display:flex;align-items:center;gap:.75rem;margin-bottom:1rem;font-weight:600;color:#334155}
header img{max-height:40px;max-width:160px}.card{border:1px solid ${t.border};background:${t.bg};color:${t.fg};border-radius:.75rem;padding:1.5rem}
h1{font-size:1.25rem;margin:0 0 .75rem}h2{font-size:1rem;margin:1rem 0 .25rem}p{margin:.5rem 0;line-height:1.5}.support{font-size:.875rem;color:#475569;margin-top:1rem}a{color:#1d4ed8}</style></head>
<body><main>${header}<div class="card" role="${tone === "ok" || tone === "info" ? "status" : "alert"}"><h1>${escapeHtml(title)}</h1>${body.map((b) => `<p>${escapeHtml(b)}</p>`).join("")}${
    next ? `<h2>What to do next</h2><p>${escapeHtml(next)}</p>` : ""
  }</div>${support ? `<p class="support">Questions? Contact ${escapeHtml(msp)}: ${support}</p>` : ""}</main></body></html>`;
  return { status, html };
}
