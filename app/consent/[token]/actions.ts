"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { currentRequestId, settle } from "@/lib/commands/action";
import { browserBindingValue, CONSENT_BROWSER_COOKIE, consentBrowserCookieOptions } from "@/lib/consent/browser-binding";
import { startConsent } from "@/lib/consent/flow";

export type ContinueState = { error?: string };

/**
 * Public on purpose: the customer's administrator has no console session and the token is the
 * credential, so this is not a command (a command runs for a principal with a role). It still never
 * throws to the browser: a failure is logged with its request id and shown, and the button comes back.
 */
export async function continueToMicrosoftAction(_prev: ContinueState, formData: FormData): Promise<ContinueState> {
  return settle<ContinueState>(
    "consent.continue",
    currentRequestId,
    async () => {
      const token = z
        .string()
        .regex(/^[A-Za-z0-9_-]{43}$/)
        .safeParse(formData.get("token"));
      if (!token.success) return { error: "This consent link is invalid." };
      const jar = await cookies();
      const browserKey = browserBindingValue(jar.get(CONSENT_BROWSER_COOKIE)?.value);
      const result = await startConsent(token.data, browserKey);
      if (!result.ok) return { error: result.error };
      // The callback completes the state only in a browser that brings this cookie back.
      jar.set(CONSENT_BROWSER_COOKIE, browserKey, consentBrowserCookieOptions);
      redirect(result.redirectTo);
    },
    (error) => ({ error }),
  );
}
