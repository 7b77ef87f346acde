"use client";

import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ToastProvider, useToast } from "@/components/ui/toast";
import { settleAction } from "@/lib/settle-action";
import { acknowledgeIncidentAction } from "./actions";

/** The page's toasts: the polite live region that announces what an Acknowledge did. */
export function IncidentsShell({ children }: { children: React.ReactNode }) {
  return <ToastProvider>{children}</ToastProvider>;
}

/**
 * Acknowledge one open incident. The button leaves its row once the page refreshes, so focus moves first
 * to the next row's Acknowledge (or the previous one's, or the table), where the admin carries on.
 */
export function AcknowledgeButton({ id, customerId }: { id: string; customerId: string }) {
  const { toast } = useToast();
  const [pending, startTransition] = useTransition();

  function nextFocus(from: HTMLElement): HTMLElement | null {
    const all = [...document.querySelectorAll<HTMLElement>("[data-acknowledge]")];
    const at = all.indexOf(from);
    return all[at + 1] ?? all[at - 1] ?? document.getElementById("incidents-table");
  }

  function acknowledge(event: React.MouseEvent<HTMLButtonElement>) {
    const target = nextFocus(event.currentTarget);
    startTransition(async () => {
      const result = await settleAction(acknowledgeIncidentAction({ id }));
      if (result.ok) {
        target?.focus();
        toast({
          kind: "success",
          title: `Incident acknowledged: ${customerId}`,
          description: `Recorded as acknowledged by ${result.data.acknowledgedBy ?? "you"}.`,
        });
      } else toast({ kind: "error", title: `Could not acknowledge the incident of ${customerId}`, description: result.error });
    });
  }

  return (
    <Button size="sm" data-acknowledge onClick={acknowledge} pending={pending}>
      Acknowledge<span className="sr-only"> the incident of {customerId}</span>
    </Button>
  );
}

/** A filter's select: the GET form it belongs to is submitted on change (its Apply button does the same without JavaScript). */
export function AutoSubmitSelect(props: React.SelectHTMLAttributes<HTMLSelectElement>) {
  return <select {...props} onChange={(e) => e.currentTarget.form?.requestSubmit()} />;
}
