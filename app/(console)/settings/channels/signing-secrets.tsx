"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { settleAction } from "@/lib/settle-action";
import { finishChannelRotationAction, rotateChannelSecretAction } from "./actions";
import { SigningSecretReveal } from "./signing-secret-reveal";

/**
 * A webhook's signing secrets: Rotate adds a new secret (shown once) that signs beside the previous one;
 * Finish rotation, once the receiver uses the new one, stops signing with the previous one.
 */
export function SigningSecrets({ id, hint, rotating }: { id: string; hint: string | null; rotating: boolean }) {
  const [pending, setPending] = useState<"rotate" | "finish" | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  async function rotate() {
    setPending("rotate");
    setMessage(null);
    try {
      const result = await settleAction(rotateChannelSecretAction({ id }));
      if (result.ok) setSecret(result.data.signingSecret);
      else setMessage(result.error);
    } finally {
      setPending(null);
    }
  }

  async function finish() {
    setPending("finish");
    setMessage(null);
    try {
      const result = await settleAction(finishChannelRotationAction({ id }));
      setSecret(null);
      setMessage(result.ok ? "Rotation finished: only the newest secret signs now." : result.error);
    } finally {
      setPending(null);
    }
  }

  return (
    <section aria-labelledby="signing-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="signing-heading" className="text-base font-semibold">
        Signing secret
      </h2>
      <p className="text-sm text-slate-600">
        {hint ? `Signs with ${hint.replace(/ \(rotation in progress\)$/, "")}.` : "No signing secret."}{" "}
        {rotating
          ? "Each message carries a signature of both secrets until you finish the rotation."
          : "Rotate to introduce a new secret; both sign until you finish the rotation, so the receiver can switch at its own pace."}
      </p>
      {secret && <SigningSecretReveal secret={secret} />}
      <div className="flex flex-wrap items-center gap-3">
        <Button onClick={rotate} pending={pending === "rotate"}>
          Rotate signing secret
        </Button>
        {rotating && (
          <Button onClick={finish} pending={pending === "finish"}>
            Finish rotation
          </Button>
        )}
        <p role="status" aria-live="polite" className="text-sm text-slate-700">
          {message ?? ""}
        </p>
      </div>
    </section>
  );
}
