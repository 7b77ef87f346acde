import { escapeHtml } from "./http-util.js";

/**
 * Server-rendered pages for the interactive flows. Labels are the contract Playwright and people rely on:
 * "Email"/"Password"/"Sign in", "Code"/"Verify", "Accept"/"Cancel".
 */

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f2f2f2;color:#1b1b1b}
  main{max-width:440px;margin:8vh auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
  .brand{font-size:.85rem;color:#5e5e5e;letter-spacing:.02em;margin-bottom:1rem}
  h1{font-size:1.5rem;font-weight:600;margin:0 0 1rem}
  label{display:block;margin:.75rem 0 .25rem;font-size:.95rem}
  input[type=email],input[type=password],input[type=text]{width:100%;padding:.5rem;border:1px solid #8a8886;font-size:1rem}
  input:focus{outline:2px solid #0067b8;outline-offset:1px}
  .actions{display:flex;gap:.5rem;justify-content:flex-end;margin-top:1.5rem}
  button{padding:.5rem 1.5rem;font-size:1rem;border:1px solid #8a8886;background:#fff;cursor:pointer}
  button.primary{background:#0067b8;border-color:#0067b8;color:#fff}
  .error{color:#a4262c;margin:.5rem 0}
  ul.permissions{padding-left:1.25rem}
  ul.permissions li{margin:.35rem 0}
  .muted{color:#5e5e5e;font-size:.85rem}
  code{font-size:.85rem;word-break:break-all}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><div class="brand">Entra ID emulator</div>${body}</main></body></html>`;
}

export function signInPage(options: { flowId: string; action: string; appName: string; loginHint?: string; error?: string }): string {
  const error = options.error ? `<p class="error" role="alert" id="signin-error">${escapeHtml(options.error)}</p>` : "";
  const describedBy = options.error ? ` aria-describedby="signin-error"` : "";
  return layout(
    "Sign in to your account",
    `<h1>Sign in</h1>
<p class="muted">to continue to ${escapeHtml(options.appName)}</p>
${error}
<form method="post" action="${escapeHtml(options.action)}">
  <input type="hidden" name="flow" value="${escapeHtml(options.flowId)}">
  <label for="email">Email</label>
  <input id="email" name="login" type="email" autocomplete="username" required value="${escapeHtml(options.loginHint ?? "")}"${describedBy}>
  <label for="password">Password</label>
  <input id="password" name="passwd" type="password" autocomplete="current-password" required${describedBy}>
  <div class="actions"><button class="primary" type="submit">Sign in</button></div>
</form>`,
  );
}

export function mfaPage(options: { flowId: string; action: string; upn: string; error?: string }): string {
  const error = options.error ? `<p class="error" role="alert" id="mfa-error">${escapeHtml(options.error)}</p>` : "";
  return layout(
    "Verify your identity",
    `<h1>Enter code</h1>
<p class="muted">${escapeHtml(options.upn)}: enter the code from your authenticator app.</p>
${error}
<form method="post" action="${escapeHtml(options.action)}">
  <input type="hidden" name="flow" value="${escapeHtml(options.flowId)}">
  <label for="code">Code</label>
  <input id="code" name="otc" type="text" inputmode="numeric" autocomplete="one-time-code" required${options.error ? ` aria-describedby="mfa-error"` : ""}>
  <div class="actions"><button class="primary" type="submit">Verify</button></div>
</form>`,
  );
}

export function consentPage(options: {
  flowId: string;
  action: string;
  appName: string;
  upn: string;
  tenantName: string;
  permissions: { name: string; kind: "Application" | "Delegated" }[];
  onBehalfOfOrganization: boolean;
}): string {
  const items = options.permissions
    .map(
      (p) =>
        `<li><strong>${escapeHtml(p.name)}</strong> <span class="muted">(${p.kind === "Application" ? "application permission" : "delegated permission"})</span></li>`,
    )
    .join("");
  return layout(
    "Permissions requested",
    `<h1>Permissions requested</h1>
<p><strong>${escapeHtml(options.appName)}</strong> is requesting these permissions${options.onBehalfOfOrganization ? ` for <strong>${escapeHtml(options.tenantName)}</strong>` : ""}:</p>
<ul class="permissions" aria-label="Requested permissions">${items}</ul>
<p class="muted">Signed in as ${escapeHtml(options.upn)}.${options.onBehalfOfOrganization ? " Accepting grants these permissions for every user in your organization." : ""}</p>
<form method="post" action="${escapeHtml(options.action)}">
  <input type="hidden" name="flow" value="${escapeHtml(options.flowId)}">
  <div class="actions">
    <button type="submit" name="decision" value="cancel">Cancel</button>
    <button class="primary" type="submit" name="decision" value="accept">Accept</button>
  </div>
</form>`,
  );
}

/** Entra shows an error page, not a redirect, when the redirect URI itself cannot be trusted. */
export function errorPage(options: { error: string; description: string; code: number }): string {
  return layout(
    "Sorry, but we're having trouble signing you in.",
    `<h1>Sorry, but we’re having trouble signing you in.</h1>
<p class="error" role="alert" data-error="${escapeHtml(options.error)}" data-error-code="${options.code}">AADSTS${options.code}: ${escapeHtml(options.description)}</p>`,
  );
}

export function formPostPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Working...</title></head>
<body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(action)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
}

export function signedOutPage(): string {
  return layout("Signed out", `<h1>You signed out of your account</h1><p class="muted">It's a good idea to close all browser windows.</p>`);
}
