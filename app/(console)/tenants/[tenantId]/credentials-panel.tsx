"use client";

import { useOpenFromParam } from "@/components/use-open-from-param";
import { useDateFormatter } from "@/components/ui/local-time";
import { expiryPhrase } from "@/lib/provider/row";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { FormField, inputClass } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import type { FormOutcome } from "@/lib/action-result";
import type { TenantRegistrationInfo } from "@/lib/data/app-registrations";
import { ownAppEnvironments } from "@/lib/validations/own-app";
import { chooseTenantRegistrationAction, clearTenantOwnAppAction, setTenantOwnAppAction } from "./authorization-actions";

const UNREACHABLE = "The console could not be reached, so nothing was saved. Try again.";

function day(value: Date | string | null) {
  return value ? new Date(value).toISOString().slice(0, 10) : null;
}

/**
 * The tenant's app registration: the MSP registration it uses (its cloud's default or one chosen here), or
 * the customer's own app registration (source 004: Tenant ID, Client ID, Client Secret, Environment Type),
 * entered here. Secrets are write-only: only their hint and expiry come back.
 */
export function CredentialsPanel({
  tenantId,
  info,
  cloudName,
  canManage,
  startOpen,
}: {
  tenantId: string;
  info: TenantRegistrationInfo;
  cloudName: string;
  canManage: boolean;
  startOpen: boolean;
}) {
  const formatDate = useDateFormatter();
  const router = useRouter();
  const own = info.ownApp;
  const [open, setOpen] = useOpenFromParam("credentials", startOpen);
  const [result, setResult] = useState<FormOutcome<{ status: string; message: string }> | null>(null);
  const [choiceError, setChoiceError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const errors = result && !result.ok ? (result.fieldErrors ?? {}) : {};
  const err = (name: string) => errors[name]?.join(" ");
  const environments = ownAppEnvironments.some(([v]) => v === own.environment)
    ? ownAppEnvironments
    : ([...ownAppEnvironments, [own.environment, `${cloudName} (the tenant's cloud)`]] as const);

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    start(async () => {
      const outcome = await setTenantOwnAppAction(null, data).catch((): FormOutcome<{ status: string; message: string }> => ({
        ok: false,
        error: UNREACHABLE,
      }));
      setResult(outcome);
      if (outcome.ok) {
        const secret = form.elements.namedItem("clientSecret");
        if (secret instanceof HTMLInputElement) secret.value = "";
        setOpen(false);
        router.refresh();
      }
    });
  }

  function choose(appRegistrationId: string) {
    start(async () => {
      const r = await chooseTenantRegistrationAction({ id: tenantId, appRegistrationId }).catch(() => ({ ok: false as const, error: UNREACHABLE }));
      setChoiceError(r.ok ? null : r.error);
      if (r.ok) router.refresh();
    });
  }

  function stopUsingOwnApp() {
    start(async () => {
      await clearTenantOwnAppAction({ id: tenantId }).catch(() => null);
      router.refresh();
    });
  }

  return (
    <div className="space-y-4 text-sm">
      {own.clientId ? (
        <div className="rounded-md border border-slate-200 p-3">
          <p className="font-medium">Customer-owned app registration</p>
          <p className="mt-1 text-slate-700">
            Client ID <code className="font-mono text-xs">{own.clientId}</code> in tenant <code className="font-mono text-xs">{own.entraTenantId ?? "—"}</code>
          </p>
          <p className="mt-1 text-slate-700">
            {own.hasSecret
              ? `Client secret stored${own.secretHint ? ` (starts with ${own.secretHint})` : ""}, ${expiryPhrase(own.secretExpiresAt, own.expiryCheck, formatDate)}.`
              : own.hasCertificate
                ? `Certificate stored, thumbprint ${own.certificateThumbprint}, ${expiryPhrase(own.certificateExpiresAt, own.expiryCheck, formatDate)}.`
                : "No secret or certificate stored."}
          </p>
        </div>
      ) : (
        <div className="rounded-md border border-slate-200 p-3">
          <p className="font-medium">MSP app registration</p>
          <p className="mt-1 text-slate-700">
            {info.uses
              ? `Uses "${info.uses.name}"${info.uses.how === "cloud_default" ? ` (the default for ${cloudName})` : " (chosen for this tenant)"}.`
              : `No app registration for ${cloudName}.`}
          </p>
          {canManage && (
            <div className="mt-2">
              <FormField id="appRegistrationId" label="App registration" error={choiceError ?? undefined}>
                {(a) => (
                  <select {...a} className={inputClass} value={info.appRegistrationId ?? ""} disabled={pending} onChange={(e) => choose(e.target.value)}>
                    <option value="">The default for {cloudName}</option>
                    {info.options.map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name}
                        {o.isDefault ? " (default)" : ""}
                      </option>
                    ))}
                  </select>
                )}
              </FormField>
            </div>
          )}
        </div>
      )}

      {canManage && !open && (
        <div className="flex flex-wrap gap-2">
          <Button variant={own.clientId ? "secondary" : "primary"} onClick={() => setOpen(true)}>
            {own.clientId ? "Replace the customer's secret or certificate" : "Use the customer's own app registration"}
          </Button>
          {own.clientId && (
            <Button variant="ghost" onClick={stopUsingOwnApp} pending={pending}>
              Use the MSP&apos;s app registration instead
            </Button>
          )}
        </div>
      )}
      {result?.ok && (
        <p role="status" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2">
          Saved. Verification: {result.data.message}.
        </p>
      )}

      {canManage && open && (
        <form onSubmit={submit} noValidate aria-labelledby="own-app-heading" className="space-y-4 rounded-lg border border-blue-200 bg-blue-50/40 p-4">
          <h3 id="own-app-heading" className="font-semibold">
            Customer&apos;s app registration
          </h3>
          <p className="text-slate-600">
            The app the customer registered in their own tenant (Entra ID → App registrations) with admin consent to its application permissions. Saving
            switches the tenant to application registration and verifies it.
          </p>
          {result && !result.ok && (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800">
              {result.error}
            </p>
          )}
          <input type="hidden" name="id" value={tenantId} />
          <div className="grid gap-4 md:grid-cols-2">
            <FormField id="entraTenantId" label="Tenant ID" hint="Entra ID → Overview → Tenant ID of the customer." error={err("entraTenantId")}>
              {(a) => <input {...a} name="entraTenantId" defaultValue={own.entraTenantId ?? ""} className={inputClass} autoComplete="off" spellCheck={false} />}
            </FormField>
            <FormField id="clientId" label="Client ID" hint="The app's Application (client) ID." error={err("clientId")}>
              {(a) => <input {...a} name="clientId" defaultValue={own.clientId ?? ""} className={inputClass} autoComplete="off" spellCheck={false} />}
            </FormField>
            <FormField
              id="clientSecret"
              label="Client Secret"
              hint={
                own.hasSecret
                  ? `A secret is stored${own.secretHint ? ` (starts with ${own.secretHint})` : ""}. Leave empty to keep it.`
                  : "The secret's Value (not its Secret ID), shown once when it was created. Stored encrypted, never shown again."
              }
              error={err("clientSecret")}
            >
              {(a) => <input {...a} name="clientSecret" type="password" className={inputClass} autoComplete="new-password" />}
            </FormField>
            <FormField id="secretExpiresAt" label="Secret expires" hint="Optional: the Expires date Entra shows for the secret." error={err("secretExpiresAt")}>
              {(a) => <input {...a} name="secretExpiresAt" type="date" defaultValue={day(own.secretExpiresAt) ?? ""} className={inputClass} />}
            </FormField>
            <FormField id="environment" label="Environment Type" hint="Where the customer's tenant lives." error={err("environment")}>
              {(a) => (
                <select {...a} name="environment" defaultValue={own.environment} className={inputClass}>
                  {environments.map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </FormField>
            <FormField
              id="certificateFile"
              label="Certificate (instead of a secret)"
              hint="A .pfx, or a PEM with the private key. A .cer holds only the public key and cannot sign."
              error={err("certificateFile")}
            >
              {(a) => <input {...a} name="certificateFile" type="file" accept=".pfx,.p12,.pem,.crt,.key" className="block w-full text-sm" />}
            </FormField>
            <FormField id="certificatePassword" label="PFX password" error={err("certificatePassword")}>
              {(a) => <input {...a} name="certificatePassword" type="password" className={inputClass} autoComplete="off" />}
            </FormField>
          </div>
          <div className="flex gap-2">
            <Button type="submit" variant="primary" pending={pending}>
              Save and verify
            </Button>
            <Button variant="ghost" onClick={() => setOpen(false)}>
              Cancel
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
