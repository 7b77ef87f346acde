"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { startConsent } from "@/lib/consent/flow";

export type ContinueState = { error?: string };

/** Public on purpose: the customer's administrator has no console session. The token is the credential. */
export async function continueToMicrosoftAction(_prev: ContinueState, formData: FormData): Promise<ContinueState> {
  const token = z.string().regex(/^[A-Za-z0-9_-]{43}$/).safeParse(formData.get("token"));
  if (!token.success) return { error: "This consent link is invalid." };
  const result = await startConsent(token.data);
  if (!result.ok) return { error: result.error };
  redirect(result.redirectTo);
}
