"use client";

import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { settleAction } from "@/lib/settle-action";
import { setAccessTokensBlockedAction } from "./access-token-actions";

/** The kill switch: switching off refuses every access-token request for the tenant at once, whatever the grants say. */
export function AccessTokenSwitch({ tenantId, blocked }: { tenantId: string; blocked: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function set(next: boolean) {
    setError(null);
    startTransition(async () => {
      const result = await settleAction(setAccessTokensBlockedAction({ id: tenantId, blocked: next }));
      setConfirming(false);
      if (!result.ok) setError(result.error);
    });
  }

  return (
    <div className="flex flex-wrap items-center gap-3">
      {blocked ? (
        <Button onClick={() => set(false)} pending={pending}>
          Allow access tokens again
        </Button>
      ) : (
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Switch off access tokens
        </Button>
      )}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title="Switch off access tokens for this tenant?"
        description="Every request for an access token of this tenant is refused from now on (403), whatever the API tokens' grants say. Tokens already issued stay valid until they expire (about an hour)."
      >
        <div className="flex justify-end gap-2">
          <Button onClick={() => setConfirming(false)} disabled={pending} autoFocus>
            Cancel
          </Button>
          <Button variant="danger" onClick={() => set(true)} pending={pending}>
            Switch off
          </Button>
        </div>
      </Dialog>
    </div>
  );
}
