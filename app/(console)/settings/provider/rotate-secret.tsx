"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { settleAction } from "@/lib/settle-action";
import { startSecretRotationAction } from "./actions";

/** "Rotate secret now": a new secret through Microsoft Graph, or one pasted from the Entra admin center. */
export function RotateSecret({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<"graph" | "pasted">("graph");
  const [secret, setSecret] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function start() {
    setPending(true);
    try {
      const result = await settleAction(startSecretRotationAction(mode === "graph" ? { id, mode } : { id, mode, secret }));
      if (!result.ok) {
        setError(result.fieldErrors?.secret?.[0] ?? result.error);
        return;
      }
      setOpen(false);
      setSecret("");
      router.refresh();
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <Button onClick={() => (setError(null), setOpen(true))}>Rotate secret now</Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Rotate the secret of ${name}`}
        description="The new secret is checked with Microsoft and on a few tenants before every tenant uses it; the old one is removed after a grace period. If a check fails, nothing changes."
      >
        {error && (
          <p role="alert" className="mb-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        )}
        <fieldset className="mb-3 space-y-2 text-sm">
          <legend className="sr-only">Where the new secret comes from</legend>
          <label className="flex items-start gap-2">
            <input type="radio" name="mode" checked={mode === "graph"} onChange={() => setMode("graph")} />
            <span>
              Create it through Microsoft Graph
              <span className="block text-xs text-slate-500">Needs the application permission Application.ReadWrite.OwnedBy in the home tenant.</span>
            </span>
          </label>
          <label className="flex items-start gap-2">
            <input type="radio" name="mode" checked={mode === "pasted"} onChange={() => setMode("pasted")} />
            <span>Paste a secret created in the Entra admin center</span>
          </label>
          {mode === "pasted" && (
            <label className="block">
              <span className="mb-1 block text-xs font-medium text-slate-700">New client secret (its Value)</span>
              <input
                type="password"
                autoComplete="off"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
                className="w-full rounded-md border px-2 py-1"
              />
            </label>
          )}
        </fieldset>
        <div className="flex justify-end gap-2">
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button variant="primary" onClick={start} pending={pending} disabled={mode === "pasted" && !secret.trim()}>
            Start rotation
          </Button>
        </div>
      </Dialog>
    </>
  );
}
