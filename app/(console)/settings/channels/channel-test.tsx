"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { settleAction } from "@/lib/settle-action";
import { testChannelAction } from "./actions";

type Outcome = { ok: true; text: string } | { ok: false; text: string };

/** Sends a test message; the outcome is shown (and announced) next to the button and lands in the delivery log. */
export function ChannelTest({ id, codeLabel }: { id: string; codeLabel: "HTTP" | "SMTP" }) {
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function run() {
    setPending(true);
    setOutcome(null);
    try {
      const result = await settleAction(testChannelAction({ id }));
      if (!result.ok) return setOutcome({ ok: false, text: result.error });
      const { ok, responseCode, durationMs, error } = result.data;
      const facts = [responseCode !== null ? `${codeLabel} ${responseCode}` : null, `${durationMs} ms`].filter(Boolean).join(", ");
      setOutcome(ok ? { ok: true, text: `Delivered (${facts}).` } : { ok: false, text: `Not delivered (${facts}): ${error ?? "unknown error"}` });
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="flex flex-wrap items-center gap-3">
      <Button onClick={run} pending={pending}>
        {pending ? "Sending test…" : "Send test"}
      </Button>
      <p role="status" aria-live="polite" aria-label="Test result" className={`text-sm ${outcome?.ok ? "text-emerald-800" : "text-red-800"}`}>
        {outcome?.text ?? ""}
      </p>
    </div>
  );
}
