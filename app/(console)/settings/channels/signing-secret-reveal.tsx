"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";

/** A webhook's new signing secret, the one time it is shown (on creation and rotation). */
export function SigningSecretReveal({ secret }: { secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-2">
      <div role="note" className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
        <p className="font-semibold">Copy the signing secret now: this is the only time it is shown.</p>
        <p className="mt-0.5">Configure the receiver with it to verify the webhook-signature header (Standard Webhooks).</p>
      </div>
      <label htmlFor="signing-secret" className="block text-sm font-medium text-slate-800">
        Signing secret
      </label>
      <div className="flex gap-2">
        <input
          id="signing-secret"
          readOnly
          value={secret}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          autoComplete="off"
          className="block w-full min-w-0 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm"
        />
        <Button
          onClick={() =>
            navigator.clipboard
              .writeText(secret)
              .then(() => setCopied(true))
              .catch(() => setCopied(false))
          }
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
    </div>
  );
}
