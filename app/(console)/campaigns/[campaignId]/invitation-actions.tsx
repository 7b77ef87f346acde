"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ToastProvider, useToast } from "@/components/ui/toast";
import { settleAction } from "@/lib/settle-action";
import { ConfirmDialog, type Confirmation } from "../../tenants/confirm-dialog";
import { resendInvitationAction, revokeInvitationAction } from "../actions";

/** The board's toasts: the polite live region that announces what Resend and Revoke did. */
export function BoardShell({ children }: { children: React.ReactNode }) {
  return <ToastProvider>{children}</ToastProvider>;
}

/** Resend (a new link, the old one revoked) and Revoke (asks first) for one invitation. */
export function InvitationActions({ id, customerId, canResend, canRevoke }: { id: string; customerId: string; canResend: boolean; canRevoke: boolean }) {
  const router = useRouter();
  const { toast } = useToast();
  const [pending, startTransition] = useTransition();
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [newLink, setNewLink] = useState<string | null>(null);

  const resend = () =>
    startTransition(async () => {
      const result = await settleAction(resendInvitationAction({ id }));
      if (!result.ok) return toast({ kind: "error", title: `Could not resend the invitation of ${customerId}`, description: result.error });
      if (result.data.link) setNewLink(result.data.link.url);
      toast({
        kind: "success",
        title: `Invitation of ${customerId} resent`,
        description: result.data.link
          ? "A new link replaces the old one: copy it now, it is shown once."
          : "A new link replaces the old one; the email is on its way.",
      });
      router.refresh();
    });

  const revoke = () =>
    setConfirmation({
      title: `Revoke the invitation of ${customerId}?`,
      body: "Its consent link stops working at once, and the invitation is closed. You can resend it later with a new link.",
      confirmLabel: "Revoke invitation",
      danger: true,
      run: async () => {
        const result = await settleAction(revokeInvitationAction({ id }));
        if (!result.ok) return toast({ kind: "error", title: `Could not revoke the invitation of ${customerId}`, description: result.error });
        toast({ kind: "success", title: `Invitation of ${customerId} revoked`, description: "Its link is refused from now on." });
        router.refresh();
      },
    });

  return (
    <div className="dt-actions">
      {canResend && (
        <Button size="sm" onClick={resend} pending={pending}>
          Resend<span className="sr-only"> the invitation of {customerId}</span>
        </Button>
      )}
      {canRevoke && (
        <Button size="sm" variant="ghost" onClick={revoke}>
          Revoke<span className="sr-only"> the invitation of {customerId}</span>
        </Button>
      )}
      <ConfirmDialog
        confirmation={confirmation}
        pending={pending}
        onCancel={() => setConfirmation(null)}
        onConfirm={() =>
          startTransition(async () => {
            await confirmation?.run();
            setConfirmation(null);
          })
        }
      />
      <Dialog
        open={newLink !== null}
        onClose={() => setNewLink(null)}
        title={`New consent link for ${customerId}`}
        description="Shown this once: send it to the customer's administrator."
      >
        <input
          readOnly
          value={newLink ?? ""}
          aria-label={`New consent link of ${customerId}`}
          className="w-full font-mono text-xs"
          onFocus={(e) => e.target.select()}
        />
        <div className="mt-3 flex justify-end gap-2">
          <Button onClick={() => newLink && navigator.clipboard.writeText(newLink).then(() => toast({ kind: "success", title: "Link copied" }))}>Copy</Button>
          <Button variant="primary" onClick={() => setNewLink(null)}>
            Done
          </Button>
        </div>
      </Dialog>
    </div>
  );
}
