"use client";

import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";

export type Confirmation = { title: string; body: React.ReactNode; confirmLabel: string; danger?: boolean; run: () => Promise<void> };

/** Asks before a destructive or far-reaching action; the confirm button names the action. */
export function ConfirmDialog({
  confirmation,
  pending,
  onCancel,
  onConfirm,
}: {
  confirmation: Confirmation | null;
  pending: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <Dialog open={confirmation !== null} onClose={onCancel} title={confirmation?.title ?? ""} description={confirmation?.body}>
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel} autoFocus>
          Cancel
        </Button>
        <Button variant={confirmation?.danger ? "danger" : "primary"} onClick={onConfirm} pending={pending}>
          {confirmation?.confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
