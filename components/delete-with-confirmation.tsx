"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { settleAction } from "@/lib/settle-action";

/**
 * A settings page's Delete button: asks first (the dialog says what goes with it), runs the server action,
 * shows its refusal in the dialog, and on success goes back to the list.
 */
export function DeleteWithConfirmation({
  label,
  title,
  description,
  run,
  backTo,
}: {
  /** The button's text, on the page and in the dialog, e.g. "Delete rule". */
  label: string;
  title: string;
  description: string;
  run: () => Promise<{ ok: true } | { ok: false; error: string }>;
  /** Where to go once it is deleted. */
  backTo: string;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setPending(true);
    try {
      const result = await settleAction(run());
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setOpen(false);
      router.push(backTo);
      router.refresh();
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <Button variant="ghost" className="text-red-700" onClick={() => (setError(null), setOpen(true))}>
        {label}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={title} description={description}>
        {error && (
          <p role="alert" className="mb-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={() => setOpen(false)} autoFocus>
            Cancel
          </Button>
          <Button variant="danger" onClick={confirm} pending={pending}>
            {label}
          </Button>
        </div>
      </Dialog>
    </>
  );
}
