"use client";

import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import { useTimeZone } from "@/components/ui/local-time";
import { useToast } from "@/components/ui/toast";
import { formatDateTime } from "@/lib/dates";
import type { TenantListItem } from "@/lib/data/tenants";
import { methodById } from "@/lib/methods";
import { settleAction } from "@/lib/settle-action";
import { createConsentLinkAction, deleteTenantAction, removeAuthorizationAction, switchAuthMethodAction, verifyTenantAction } from "./actions";
import { ConfirmDialog, type Confirmation } from "./confirm-dialog";
import type { RowActionHandlers } from "./row-actions";
import { TenantFormDialog } from "./tenant-form-dialog";

type Result = { ok: true } | { ok: false; error: string };

/**
 * The per-tenant actions shared by the table rows and the tenant page: each calls its server action,
 * asks first when it is destructive, reports the result as a toast and refreshes the server data. A
 * control's busy state ends in a `finally`, and an action that never answered (settleAction) is reported
 * like one that failed, so no spinner outlives its action.
 */
export function useTenantActions({ onDeleted }: { onDeleted?: () => void } = {}) {
  const router = useRouter();
  const { toast } = useToast();
  const zone = useTimeZone();
  const [formTenant, setFormTenant] = useState<TenantListItem | "new" | null>(null);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [verifying, setVerifying] = useState<ReadonlySet<string>>(new Set());

  const refresh = useCallback(() => router.refresh(), [router]);

  const run = useCallback(
    async (titles: { done: string; failed: string }, action: () => Promise<Result>, after?: () => void) => {
      const result = await settleAction(action());
      if (result.ok) {
        toast({ kind: "success", title: titles.done });
        (after ?? refresh)();
      } else toast({ kind: "error", title: titles.failed, description: result.error });
    },
    [toast, refresh],
  );

  const copyConsentLink = useCallback(
    async (t: TenantListItem) => {
      const result = await settleAction(createConsentLinkAction({ id: t.id }));
      if (!result.ok) {
        toast({ kind: "error", title: "No consent link", description: result.error });
        return;
      }
      const copied = await (navigator.clipboard?.writeText(result.data.url).then(
        () => true,
        () => false,
      ) ?? Promise.resolve(false));
      toast({
        kind: "success",
        title: copied ? "Consent link copied" : "Consent link created",
        description: `${copied ? "" : `${result.data.url} — `}Send it to ${t.adminEmail}. It expires ${formatDateTime(result.data.expiresAt, zone)}.`,
      });
    },
    [toast, zone],
  );

  const handlers: RowActionHandlers = useMemo(
    () => ({
      isVerifying: (id) => verifying.has(id),
      verify: async (t) => {
        setVerifying((s) => new Set(s).add(t.id));
        try {
          const result = await settleAction(verifyTenantAction({ id: t.id }));
          if (!result.ok) toast({ kind: "error", title: `Could not verify ${t.customerId}`, description: result.error });
          else
            toast({
              kind: result.data.status === "FAILED" ? "error" : "success",
              title: `${t.customerId}: ${result.data.status === "VERIFIED" ? "verified" : result.data.message}`,
              description: result.data.status === "VERIFIED" ? undefined : result.data.remediation,
            });
        } finally {
          setVerifying((s) => {
            const next = new Set(s);
            next.delete(t.id);
            return next;
          });
          refresh();
        }
      },
      copyConsentLink: (t) => copyConsentLink(t),
      switchMethod: (t, method, options) =>
        setConfirmation({
          title: `${methodById(method).switchTo?.label}?`,
          body: `${t.customerId} ${methodById(method).switchTo?.consequence} The tenant is verified again right away.${options?.thenConsentLink ? " A consent link for its admin is then created and copied." : ""}`,
          confirmLabel: options?.thenConsentLink ? "Switch and copy consent link" : "Switch method",
          run: () =>
            run(
              { done: "Authentication method switched", failed: "Could not switch the method" },
              () => switchAuthMethodAction({ id: t.id, method, version: t.version }),
              options?.thenConsentLink
                ? () => {
                    refresh();
                    void copyConsentLink({ ...t, authMethod: method });
                  }
                : undefined,
            ),
        }),
      removeAuthorization: (t) =>
        setConfirmation({
          title: `Remove authorization of ${t.customerId}?`,
          body: "The stored tokens and credentials of this tenant are destroyed. The console cannot reach the tenant until its admin authorizes it again.",
          confirmLabel: "Remove authorization",
          danger: true,
          run: () => run({ done: "Authorization removed", failed: "Could not remove the authorization" }, () => removeAuthorizationAction({ id: t.id })),
        }),
      edit: (t) => setFormTenant(t),
      remove: (t) =>
        setConfirmation({
          title: `Delete ${t.customerId}?`,
          body: `${t.displayName} is removed from the console with its stored credentials, verification history and consent links. This cannot be undone; the audit log keeps a record.`,
          confirmLabel: "Delete tenant",
          danger: true,
          run: () =>
            run(
              { done: `${t.customerId} deleted`, failed: `Could not delete ${t.customerId}` },
              () => deleteTenantAction({ id: t.id, version: t.version }),
              onDeleted,
            ),
        }),
    }),
    [verifying, toast, refresh, run, onDeleted, copyConsentLink],
  );

  const dialogs = (
    <>
      <TenantFormDialog open={formTenant !== null} tenant={formTenant === "new" ? null : formTenant} onClose={() => setFormTenant(null)} onSaved={refresh} />
      <ConfirmDialog
        confirmation={confirmation}
        pending={confirming}
        onCancel={() => setConfirmation(null)}
        onConfirm={async () => {
          if (!confirmation) return;
          setConfirming(true);
          try {
            await confirmation.run();
          } finally {
            setConfirming(false);
            setConfirmation(null);
          }
        }}
      />
    </>
  );

  return { handlers, dialogs, addTenant: () => setFormTenant("new") };
}
