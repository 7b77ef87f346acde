"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { settleAction } from "@/lib/settle-action";
import { deleteAppRegistrationAction } from "../actions";

/** Deletes a registration no tenant uses; the server says which tenants still do when it refuses. */
export function DeleteRegistration({ id, name, version }: { id: string; name: string; version: number }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setPending(true);
    try {
      const result = await settleAction(deleteAppRegistrationAction({ id, version }));
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setOpen(false);
      router.push("/settings/provider");
      router.refresh();
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <Button variant="ghost" className="text-red-700" onClick={() => (setError(null), setOpen(true))}>
        Delete registration
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Delete ${name}?`}
        description="Its client secrets and certificate are destroyed with it. Tenants never use a deleted registration: it can only be deleted while none does."
      >
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
            Delete registration
          </Button>
        </div>
      </Dialog>
    </>
  );
}
