import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { isLocalSignInEnabled, loadEntraRuntime } from "@/lib/auth/entra/settings";
import { getSessionAdmin } from "@/lib/auth/session";
import { isReasonCode, reasons } from "@/lib/entra/reasons";
import { signInWithMicrosoftAction } from "./actions";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

// Reasons from the Entra sign-in callback (lib/auth/entra/sign-in.ts) and next-auth's own error codes.
const errorMessages: Record<string, string> = {
  wrong_tenant: "Your Microsoft account belongs to another organization. Only accounts of this MSP's tenant can sign in.",
  no_role: "Your account is not in any group that has access to this console. Ask an administrator to add you.",
  invalid_id_token: "Microsoft's sign-in response did not pass this console's token checks (issuer, audience, required claims or signing key).",
  groups_unavailable: "Your group memberships could not be read from Microsoft Graph. Try again later.",
  disabled: "This account is disabled.",
  entra_disabled: "Sign-in with Microsoft is not enabled.",
  AccessDenied: "Access denied.",
};

/** A sign-in with Microsoft that failed at Microsoft comes back with the reason verification would give (EntraSignInFailed). */
function messageFor(error: string | undefined, code: string | undefined): string | null {
  if (!error) return null;
  if (error === "CredentialsSignin" && code && isReasonCode(code)) return `Sign-in with Microsoft failed: ${reasons[code].title}. ${reasons[code].explanation}`;
  return errorMessages[error] ?? "Sign-in failed. Try again.";
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string; code?: string; joined?: string }>;
}) {
  if (await getSessionAdmin()) redirect("/tenants");
  const { callbackUrl: requested, error, code, joined } = await searchParams;
  const callbackUrl = safeCallbackPath(requested);
  const [localEnabled, entra] = await Promise.all([isLocalSignInEnabled(), loadEntraRuntime()]);
  const message = messageFor(error, code);
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <main id="main" tabIndex={-1} className="flex min-h-screen items-center justify-center px-4 focus:outline-none">
        <div className="w-full max-w-sm">
          <div className="mb-6 text-center">
            {/* eslint-disable-next-line @next/next/no-img-element -- a 40 px SVG from public/, nothing to optimise */}
            <img src="/logo.svg" alt="" width={40} height={40} className="mx-auto mb-3 h-10 w-10" />
            <h1 className="text-xl font-semibold">Tenant Access Console</h1>
            <p className="mt-1 text-sm text-slate-600">Sign in to manage access to your customers&apos; tenants.</p>
          </div>
          <div className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            {joined && !message && (
              <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
                Your account is ready. Sign in with your email and the password you chose.
              </p>
            )}
            {message && (
              <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                {message}
              </p>
            )}
            {entra && (
              <form action={signInWithMicrosoftAction}>
                <input type="hidden" name="callbackUrl" value={callbackUrl} />
                <button
                  type="submit"
                  className="w-full rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm hover:bg-slate-50"
                >
                  Sign in with Microsoft
                </button>
              </form>
            )}
            {entra && localEnabled && <p className="text-center text-xs uppercase tracking-wide text-slate-500">or, break-glass</p>}
            {localEnabled && <SignInForm callbackUrl={callbackUrl} />}
            {!localEnabled && !entra && <p className="text-sm text-slate-700">No sign-in method is enabled. Set LOCAL_SIGN_IN_ENABLED=true and restart.</p>}
          </div>
        </div>
      </main>
    </>
  );
}
