import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getSessionAdmin } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await getSessionAdmin()) redirect("/tenants");
  const { callbackUrl } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div className="mx-auto mb-3 flex h-10 w-10 items-center justify-center rounded-lg bg-blue-700 text-lg font-bold text-white" aria-hidden>T</div>
          <h1 className="text-xl font-semibold">Tenant Access Console</h1>
          <p className="mt-1 text-sm text-slate-600">Sign in to manage access to your customers&apos; tenants.</p>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          {env.LOCAL_SIGN_IN_ENABLED ? (
            <SignInForm callbackUrl={callbackUrl ?? "/tenants"} />
          ) : (
            <p className="text-sm text-slate-700">Local sign-in is switched off (LOCAL_SIGN_IN_ENABLED=false).</p>
          )}
        </div>
      </div>
    </main>
  );
}
