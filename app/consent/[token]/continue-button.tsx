"use client";

import { useActionState } from "react";
import { continueToMicrosoftAction, type ContinueState } from "./actions";

export function ContinueButton({ token }: { token: string }) {
  const [state, action, pending] = useActionState<ContinueState, FormData>(continueToMicrosoftAction, {});
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      <div aria-live="polite">
        {state.error && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {state.error}
          </p>
        )}
      </div>
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-blue-700 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-blue-800 disabled:opacity-60"
      >
        {pending ? "Redirecting…" : "Continue to Microsoft"}
      </button>
    </form>
  );
}
