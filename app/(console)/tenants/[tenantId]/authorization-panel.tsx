"use client";

import { useOpenFromParam } from "@/components/use-open-from-param";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { FormField, inputClass } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useTimeZone } from "@/components/ui/local-time";
import { useToast } from "@/components/ui/toast";
import { formatDateTime } from "@/lib/dates";
import { authorizationLabels, methodById, type AuthorizationFacts, type AuthorizationState, type MethodId } from "@/lib/methods";
import { obtainAuthorizationAction, refreshAccessTokenAction, revokeConsentLinksAction, setLegacyPasswordAction } from "./authorization-actions";
import { settleAction } from "@/lib/settle-action";
import { useTenantPageActions } from "./tenant-actions";

type Props = {
  tenantId: string;
  method: MethodId;
  /** The tenant's authorization state (lib/data/tenants.ts withAuthorization), as the table and the REST API show it. */
  state: AuthorizationState;
  /** Why it is broken: the last verification's message. */
  reason: string | null;
  facts: AuthorizationFacts;
  legacyUsername: string | null;
  adminEmail: string;
  caps: { verify: boolean; manage: boolean };
  /** Opened by the Fix "Enter the username and password" (`?password=edit`). */
  startPasswordOpen?: boolean;
};

/**
 * The token lifecycle (seed 000: Obtain Authorization, Refresh Access Token, Remove Authorization; seed
 * 002: "Not authorized" → "Authorized") and the legacy username + password of seed 003.
 */
const stateBadge: Record<AuthorizationState, string> = {
  AUTHORIZED: "bg-emerald-50 text-emerald-800 ring-emerald-300",
  NOT_AUTHORIZED: "bg-slate-100 text-slate-700 ring-slate-300",
  BROKEN: "bg-red-50 text-red-800 ring-red-300",
};

export function AuthorizationPanel({ tenantId, method, state, reason, facts, legacyUsername, adminEmail, caps, startPasswordOpen = false }: Props) {
  const { authorization } = methodById(method);
  const authorized = state === "AUTHORIZED";
  const router = useRouter();
  const { toast } = useToast();
  const zone = useTimeZone();
  const [pending, start] = useTransition();
  const [legacyOpen, setLegacyOpen] = useOpenFromParam("password", startPasswordOpen && caps.manage);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[] | undefined>>({});
  const page = useTenantPageActions();

  function obtain() {
    // Opened synchronously so the browser does not treat it as an unrequested pop-up.
    const win = window.open("about:blank", "_blank");
    start(async () => {
      const result = await settleAction(obtainAuthorizationAction({ id: tenantId }));
      if (!result.ok) {
        win?.close();
        toast({ kind: "error", title: "No consent link", description: result.error });
        return;
      }
      if (win) {
        win.opener = null;
        win.location.href = result.data.url;
      }
      toast({ kind: "info", title: "Consent page opened", description: `Sign in as ${adminEmail} (or forward the link to them) and accept.` });
    });
  }

  function revokeLinks() {
    start(async () => {
      const result = await settleAction(revokeConsentLinksAction({ id: tenantId }));
      if (!result.ok) toast({ kind: "error", title: "Could not revoke", description: result.error });
      else toast({ kind: "success", title: result.data.revoked ? `${result.data.revoked} consent link(s) revoked` : "No open consent links to revoke" });
    });
  }

  function refresh() {
    start(async () => {
      const result = await settleAction(refreshAccessTokenAction({ id: tenantId }));
      if (!result.ok) toast({ kind: "error", title: "Refresh failed", description: result.error });
      else
        toast({
          kind: "success",
          title: "Access token refreshed",
          description: result.data.expiresAt
            ? `The refresh token now stays valid while used before ${formatDateTime(result.data.expiresAt, zone)}.`
            : undefined,
        });
      router.refresh();
    });
  }

  function saveLegacy(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    start(async () => {
      const result = await settleAction(setLegacyPasswordAction(data));
      if (!result.ok) {
        setFieldErrors(result.fieldErrors ?? {});
        if (!result.fieldErrors) toast({ kind: "error", title: "Not saved", description: result.error });
        return;
      }
      setFieldErrors({});
      setLegacyOpen(false);
      toast({ kind: "success", title: "Legacy credentials saved", description: "The tenant was verified again. Switching to a token method is recommended." });
      router.refresh();
    });
  }

  return (
    <div className="space-y-3">
      <p className="flex flex-wrap items-center gap-2 text-sm">
        <span
          data-testid="authorization-state"
          className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${stateBadge[state]}`}
        >
          {authorizationLabels[state]}
        </span>
        <span className="text-slate-700">
          {state === "BROKEN"
            ? `Microsoft rejected the stored authorization${reason ? `: ${reason}` : ""}.`
            : state === "NOT_AUTHORIZED" && !authorization.hasCredential(facts)
              ? authorization.withoutCredentials
              : authorization.summary({ ...facts, authorized }, (d) => formatDateTime(d, zone))}
        </span>
      </p>
      <div className="flex flex-wrap gap-2">
        {caps.verify && (
          <Button onClick={obtain} pending={pending} title="Obtain authorization: open the consent page in a new tab (or forward it to the customer's admin)">
            Grant consent
          </Button>
        )}
        {caps.verify && (
          <Button onClick={() => page.handlers.copyConsentLink(page.tenant)} title="Create a consent link and copy it, to send to the customer's admin">
            Copy consent link
          </Button>
        )}
        {caps.verify && authorization.refreshable && authorization.hasCredential(facts) && (
          <Button onClick={refresh} pending={pending} title="Redeem the stored refresh token now and store the rotated one">
            Refresh access token
          </Button>
        )}
        {caps.verify && (
          <Button onClick={revokeLinks} pending={pending} title="Invalidate every consent link of this tenant that has not been used yet">
            Revoke consent links
          </Button>
        )}
        {caps.manage && (
          <Button onClick={() => setLegacyOpen(true)} title="Store a username and password for the legacy method">
            {legacyUsername ? "Replace legacy password" : "Enter legacy username and password"}
          </Button>
        )}
        {caps.manage && (
          <Button variant="ghost" className="text-red-700" onClick={() => page.handlers.removeAuthorization(page.tenant)}>
            Remove authorization
          </Button>
        )}
      </div>
      <Dialog
        open={legacyOpen}
        onClose={() => setLegacyOpen(false)}
        title="Legacy username and password"
        description="Stored encrypted and never shown again. Microsoft blocks this method for accounts with MFA; prefer Obtain authorization."
      >
        <form onSubmit={saveLegacy} className="space-y-4" noValidate>
          <input type="hidden" name="id" value={tenantId} />
          <FormField id="legacy-username" label="Username" error={fieldErrors.username?.join(" ")}>
            {(a) => <input {...a} name="username" defaultValue={legacyUsername ?? adminEmail} autoComplete="off" className={inputClass} />}
          </FormField>
          <FormField id="legacy-password" label="Password" error={fieldErrors.password?.join(" ")}>
            {(a) => <input {...a} name="password" type="password" autoComplete="new-password" className={inputClass} />}
          </FormField>
          <div className="flex justify-end gap-2">
            <Button onClick={() => setLegacyOpen(false)}>Cancel</Button>
            <Button type="submit" variant="primary" pending={pending}>
              Save and verify
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
