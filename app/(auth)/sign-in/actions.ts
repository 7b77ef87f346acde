"use server";

import { AuthError } from "next-auth";
import { ENTRA_PROVIDER_ID, signIn } from "@/lib/auth";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { signInSchema } from "@/lib/validations/auth";

export type SignInState = { error?: string; fieldErrors?: Record<string, string[] | undefined>; email?: string };

/** Starts sign-in with Microsoft; next-auth refuses it when Entra Authentication is not enabled. */
export async function signInWithMicrosoftAction(formData: FormData): Promise<void> {
  await signIn(ENTRA_PROVIDER_ID, { redirectTo: safeCallbackPath(formData.get("callbackUrl")) });
}

export async function signInAction(_prev: SignInState, formData: FormData): Promise<SignInState> {
  const email = String(formData.get("email") ?? "");
  const parsed = signInSchema.safeParse({ email, password: formData.get("password") ?? "" });
  if (!parsed.success) {
    return { error: "Check the highlighted fields.", fieldErrors: parsed.error.flatten().fieldErrors, email };
  }
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: safeCallbackPath(formData.get("callbackUrl")) });
    return {};
  } catch (error) {
    if (error instanceof AuthError) {
      const code = "code" in error ? error.code : undefined;
      if (code === "too_many_attempts") {
        return { error: "Too many failed sign-in attempts. This sign-in is locked for a while; try again later.", email };
      }
      return { error: "Incorrect email or password.", email };
    }
    throw error; // the successful sign-in's redirect
  }
}
