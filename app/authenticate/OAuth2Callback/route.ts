import type { NextRequest } from "next/server";
import { getBranding } from "@/lib/campaigns/branding";
import { CONSENT_BROWSER_COOKIE } from "@/lib/consent/browser-binding";
import { handleCallback } from "@/lib/consent/callback";
import { renderResultPage } from "@/lib/consent/result-page";
import { plainHtmlContentSecurityPolicy } from "@/lib/http/security-headers";

export const dynamic = "force-dynamic";

const headers = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  // proxy.ts sends the same policy for this path; kept here so the handler is safe on its own.
  "Content-Security-Policy": plainHtmlContentSecurityPolicy,
  "Referrer-Policy": "no-referrer",
};

/**
 * The redirect URI registered on the provider app (an external contract, hence the PascalCase path).
 * Public by design: it authenticates the response by its single-use state and the browser's consent
 * cookie, not by a session.
 */
export async function GET(request: NextRequest) {
  let outcome;
  try {
    outcome = await handleCallback(new URL(request.url), request.cookies.get(CONSENT_BROWSER_COOKIE)?.value);
  } catch (error) {
    // No stack trace or detail reaches the page; the error name is enough for the server log.
    console.error(`[consent] callback failed: ${error instanceof Error ? error.name : "unknown error"}`);
    outcome = {
      kind: "failed" as const,
      tenantName: "",
      title: "Something went wrong",
      message: "The consent could not be completed. Please try the link again later.",
      codes: [],
    };
  }
  const { status, html } = renderResultPage(outcome, await getBranding().catch(() => undefined));
  return new Response(html, { status, headers });
}
