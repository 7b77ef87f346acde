"use client";

import { useState, useSyncExternalStore, useTransition } from "react";
import { FormField, inputClass } from "@/components/form-field";
import { entraAuthDefaults, expandTenant } from "@/lib/auth/entra/settings-core";
import type { EntraSettingsView } from "@/lib/auth/entra/settings";
import { applyEntraSettingsAction, type ApplyEntraState } from "./actions";
import { settleAction } from "@/lib/settle-action";

const subscribeNothing = () => () => {};

type Templates = { tenantId: string; issuer: string; authority: string; metadataAddress: string; requiredClaims: string; apiIssuer: string };

function templatesOf(s: EntraSettingsView): Templates {
  return { tenantId: s.tenantId, issuer: s.issuer, authority: s.authority, metadataAddress: s.metadataAddress, requiredClaims: s.requiredClaims, apiIssuer: s.apiIssuer };
}

export function EntraSettingsForm({ settings, canEdit, remediation, callbackUrl }: {
  settings: EntraSettingsView; canEdit: boolean; remediation: string[]; callbackUrl: string;
}) {
  const [state, setState] = useState<ApplyEntraState>(null);
  const [pending, startTransition] = useTransition();
  const [templates, setTemplates] = useState<Templates>(() => templatesOf(settings));
  // Until React has attached onSubmit, a click would submit the form natively; keep the buttons off.
  const hydrated = useSyncExternalStore(subscribeNothing, () => true, () => false);
  const errors = state && !state.ok ? state.fieldErrors ?? {} : {};
  const err = (name: string) => errors[name]?.join(" ");
  const version = state?.ok ? state.data.version : settings.version;

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(async () => setState(await settleAction(applyEntraSettingsAction(null, data))));
  }

  function track(event: React.FormEvent<HTMLFormElement>) {
    const target = event.target as HTMLInputElement;
    if (target.name in templates) setTemplates((t) => ({ ...t, [target.name]: target.value }));
  }

  function reset() {
    setState(null);
    setTemplates(templatesOf(settings));
  }

  const expanded = (name: keyof Omit<Templates, "tenantId">) => {
    const value = templates[name];
    if (!value.includes("{TenantId}") || !templates.tenantId.trim()) return null;
    return <> Expands to <code className="break-all">{expandTenant(value, templates.tenantId.trim())}</code>.</>;
  };

  const text = (id: keyof typeof entraAuthDefaults & string, label: string, hint: React.ReactNode, value: string) => (
    <FormField id={id} label={label} hint={hint} error={err(id)}>
      {(a) => <input {...a} name={id} defaultValue={value} className={inputClass} spellCheck={false} autoComplete="off" />}
    </FormField>
  );

  return (
    <div className="space-y-4">
      <form method="post" onSubmit={submit} onReset={reset} onChange={track} noValidate aria-labelledby="entra-heading"
        className="space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <div>
          <h2 id="entra-heading" className="text-base font-semibold">Entra Authentication</h2>
          <p className="text-sm text-slate-600">
            Sign-in with Microsoft for MSP staff, and how incoming Entra ID tokens are validated. Register a web app in your own
            tenant with the redirect URI <code className="break-all">{callbackUrl}</code>.
          </p>
        </div>
        <input type="hidden" name="version" value={version} />
        <fieldset disabled={!canEdit} className="grid grid-cols-1 gap-5 md:grid-cols-2">
          <div className="flex items-start gap-2 md:col-span-2">
            <input id="enabled" name="enabled" type="checkbox" defaultChecked={settings.enabled} className="mt-0.5 h-4 w-4 rounded border-slate-300" aria-describedby="enabled-hint" />
            <div>
              <label htmlFor="enabled" className="text-sm font-medium text-slate-800">Entra Authentication Enabled</label>
              <p id="enabled-hint" className="text-xs text-slate-500">When on, every field below is required. When off, they are kept but ignored. Default: off.</p>
            </div>
          </div>
          {text("tenantId", "Tenant ID", "Your own tenant (directory) ID; only its users may sign in. Example: 02990467-5131-4a63-9a88-b578f38d89ab", settings.tenantId)}
          {text("clientId", "Client ID", "Application (client) ID of the sign-in app registration. Example: 75ff0832-1cbe-4bf2-87b0-9b99cacbec68", settings.clientId)}
          {text("audience", "Audience", <>Sign-in: ID tokens whose <code>aud</code> differs are rejected. For this console&apos;s sign-in, set the Client ID (ID tokens carry it as <code>aud</code>). Default: <code>{entraAuthDefaults.audience}</code></>, settings.audience)}
          {text("issuer", "Issuer", <>Sign-in: exact <code>iss</code> expected. v1 tokens: <code>https://sts.windows.net/{"{TenantId}"}/</code>; v2 (this console&apos;s ID tokens): <code>https://login.microsoftonline.com/{"{TenantId}"}/v2.0</code>. Default: <code>{entraAuthDefaults.issuer}</code>.{expanded("issuer")}</>, settings.issuer)}
          {text("apiAudience", "API Audience", <>REST API: the <code>aud</code> of Entra access tokens accepted on <code>/api/v1</code>, from the API&apos;s own app registration: its Application ID URI (<code>api://&lt;app id&gt;</code>) for v1.0 tokens, its app id for v2.0 tokens. Only access tokens are accepted there, never ID tokens. Empty: Entra tokens are refused on the REST API (API tokens still work).</>, settings.apiAudience)}
          {text("apiIssuer", "API Issuer", <>REST API: exact <code>iss</code> of those access tokens, <code>https://sts.windows.net/{"{TenantId}"}/</code> (v1.0) or <code>https://login.microsoftonline.com/{"{TenantId}"}/v2.0</code> (v2.0). Empty: the Issuer above.{expanded("apiIssuer")}</>, settings.apiIssuer)}
          {text("authority", "Authority", <>Sign-in endpoint base; its host sets the cloud. Default: <code>{entraAuthDefaults.authority}</code>.{expanded("authority")}</>, settings.authority)}
          {text("metadataAddress", "Metadata Address", <>OpenID Connect discovery document; its <code>jwks_uri</code> supplies the signing keys. Default: <code className="break-all">{entraAuthDefaults.metadataAddress}</code>.{expanded("metadataAddress")}</>, settings.metadataAddress)}
          {text("requiredClaims", "Required Claims", <>Semicolon-separated: <code>claim</code> (present, non-empty) or <code>claim=value</code> (the claim must be exactly this string, case-sensitive; an array, number or boolean claim never matches, so use the presence-only form for <code>roles</code> and <code>groups</code>). Example: <code>roles;tid={"{TenantId}"}</code>. Default: <code>{entraAuthDefaults.requiredClaims}</code>.{expanded("requiredClaims")}</>, settings.requiredClaims)}
          {text("clockSkew", "Clock Skew", <>Tolerance for <code>exp</code>/<code>nbf</code> (and an <code>iat</code> ahead of this server&apos;s clock), hh:mm:ss; 00:00:00 disables tolerance. Default: {entraAuthDefaults.clockSkew}</>, settings.clockSkew)}
          {text("jwksCacheDuration", "JWKS Keys Cache Duration", <>hh:mm:ss; 00:00:00 disables the cache. A signature failure forces one refresh. Default: {entraAuthDefaults.jwksCacheDuration}</>, settings.jwksCacheDuration)}
          {text("groupCacheDuration", "Entra Group Cache Duration", <>How long group memberships read from Graph are trusted, hh:mm:ss; 00:00:00 disables the cache. Role changes apply within this time. Default: {entraAuthDefaults.groupCacheDuration}</>, settings.groupCacheDuration)}
          <div className="md:col-span-2">
            {text("certificateThumbprint", "Certificate Thumbprint", "SHA-1 or SHA-256 thumbprint of the certificate (with private key) uploaded on Settings → Provider app; it authenticates the sign-in app instead of a secret. Whitespace and invisible characters are removed. Example: A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5F6A1B2", settings.certificateThumbprint)}
          </div>
          {settings.certificateProblem && (
            <section role="status" aria-label="Certificate problem" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 md:col-span-2">
              <h3 className="font-semibold">The certificate cannot be used: {settings.certificateProblem}</h3>
              <ol className="mt-2 list-decimal space-y-1 pl-5">{remediation.map((step) => <li key={step}>{step}</li>)}</ol>
            </section>
          )}
          <div className="md:col-span-2">
            <FormField id="groupRoles" label="Group role mappings" error={err("groupRoles")}
              hint="One a line: <group object id> = Administrator, Operator or Viewer. A user gets the highest role of their groups; users in no mapped group cannot sign in.">
              {(a) => <textarea {...a} name="groupRoles" rows={4} defaultValue={settings.groupRoles} className={`${inputClass} font-mono`} spellCheck={false} />}
            </FormField>
          </div>
          <div className="flex items-start gap-2 md:col-span-2">
            <input id="localSignInEnabled" name="localSignInEnabled" type="checkbox" defaultChecked={settings.localSignInEnabled} className="mt-0.5 h-4 w-4 rounded border-slate-300"
              aria-describedby={err("localSignInEnabled") ? "localSignInEnabled-hint localSignInEnabled-error" : "localSignInEnabled-hint"} aria-invalid={err("localSignInEnabled") ? true : undefined} />
            <div>
              <label htmlFor="localSignInEnabled" className="text-sm font-medium text-slate-800">Local sign-in (break-glass)</label>
              <p id="localSignInEnabled-hint" className="text-xs text-slate-500">Email and password sign-in for local admins. Switch off once sign-in with Microsoft works.</p>
              {err("localSignInEnabled") && <p id="localSignInEnabled-error" className="mt-1 text-sm text-red-700">{err("localSignInEnabled")}</p>}
            </div>
          </div>
        </fieldset>
        <div aria-live="polite" className="min-h-6">
          {state && !state.ok && <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{state.error}</p>}
          {state?.ok && (
            <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
              Changes applied{state.data.changedFields.length ? `: ${state.data.changedFields.join(", ")}` : " (nothing changed)"}.
            </p>
          )}
        </div>
        {canEdit && (
          <div className="flex flex-wrap gap-3">
            <button type="submit" disabled={pending || !hydrated} className="rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-blue-800 disabled:opacity-60">
              {pending ? "Applying…" : "Apply Changes"}
            </button>
            <button type="reset" disabled={pending || !hydrated} className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50">
              Reset Changes
            </button>
          </div>
        )}
      </form>
    </div>
  );
}
