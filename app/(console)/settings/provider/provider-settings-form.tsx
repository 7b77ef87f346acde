"use client";

import { Fragment, useRef, useState, useSyncExternalStore, useTransition } from "react";
import { FormField, inputClass } from "@/components/form-field";
import type { ProviderSettingsView } from "@/lib/provider/settings";
import type { ProviderTestResult } from "@/lib/provider/test-connection";
import { applyProviderSettingsAction, testProviderAppAction, type ApplyState } from "./actions";
import { settleAction } from "@/lib/settle-action";

const clouds = [
  ["GLOBAL", "Global (login.microsoftonline.com)"],
  ["USGOV", "US Government (GCC High)"],
  ["USGOV_DOD", "US Government DoD"],
  ["CHINA", "China (21Vianet)"],
  ["CUSTOM", "Custom hosts"],
] as const;

const subscribeNothing = () => () => {};

function formatDate(value: Date | string | null) {
  return value ? new Date(value).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" }) : null;
}

export function ProviderSettingsForm({ settings, canEdit, canTest }: { settings: ProviderSettingsView; canEdit: boolean; canTest: boolean }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [state, setState] = useState<ApplyState>(null);
  const [cloud, setCloud] = useState(settings.cloud);
  const [tokenVersion, setTokenVersion] = useState(settings.tokenVersion);
  const [pending, startTransition] = useTransition();
  const [testPending, startTest] = useTransition();
  const [test, setTest] = useState<ProviderTestResult | { error: string } | null>(null);
  // Until React has attached onSubmit, a click would submit the form natively; keep the buttons off.
  const hydrated = useSyncExternalStore(subscribeNothing, () => true, () => false);
  const errors = state && !state.ok ? state.fieldErrors ?? {} : {};
  const err = (name: string) => errors[name]?.join(" ");
  const version = state?.ok ? state.data.version : settings.version;

  function submit(event: React.FormEvent<HTMLFormElement>) {
    // Submitting through a transition instead of `action=` keeps what the admin typed when validation fails
    // (React resets uncontrolled fields after a form action).
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const form = event.currentTarget;
    startTransition(async () => {
      const result = await settleAction(applyProviderSettingsAction(null, data));
      setState(result);
      if (result?.ok) {
        // The stored secret is write-only: do not leave it in the field once saved.
        const secret = form.elements.namedItem("clientSecret");
        if (secret instanceof HTMLInputElement) secret.value = "";
      }
    });
  }

  function reset() {
    setState(null);
    setCloud(settings.cloud);
    setTokenVersion(settings.tokenVersion);
  }

  function runTest() {
    startTest(async () => {
      const result = await settleAction(testProviderAppAction());
      setTest(result.ok ? result.data : { error: result.error });
    });
  }

  const disabled = !canEdit;
  return (
    <div className="space-y-4">
      {!settings.configured && (
        <div className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          The provider app is not configured yet. Consent links cannot be sent until its Client ID and a client secret or certificate are applied.
        </div>
      )}
      <form ref={formRef} method="post" onSubmit={submit} onReset={reset} className="space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="provider-heading" noValidate>
        <div>
          <h2 id="provider-heading" className="text-base font-semibold">Provider app registration</h2>
          <p className="text-sm text-slate-600">The multi-tenant app registration your customers consent to. Register it in your own tenant, then enter its values here.</p>
        </div>
        <input type="hidden" name="version" value={version} />
        <fieldset disabled={disabled} className="grid grid-cols-1 gap-5 md:grid-cols-2">
          <FormField id="clientId" label="Client ID" hint="Application (client) ID from the app registration's Overview." error={err("clientId")}>
            {(a) => <input {...a} name="clientId" defaultValue={settings.clientId} className={inputClass} placeholder="00000000-0000-0000-0000-000000000000" autoComplete="off" spellCheck={false} />}
          </FormField>
          <FormField
            id="clientSecret" label="Client Secret" error={err("clientSecret")}
            hint={settings.hasSecret
              ? <>A secret is stored{settings.secretHint ? <> (starts with <code>{settings.secretHint}</code>)</> : null}{settings.secretExpiresAt ? <>, expires {formatDate(settings.secretExpiresAt)}</> : null}. Leave empty to keep it.</>
              : "The secret's Value (not its ID). It is stored encrypted and never shown again."}
          >
            {(a) => <input {...a} name="clientSecret" type="password" defaultValue="" className={inputClass} placeholder={settings.hasSecret ? "•••••••• (stored)" : ""} autoComplete="new-password" />}
          </FormField>
          <FormField id="redirectUrl" label="Redirect URL" hint={<>Register exactly this URL on the app (platform Web). Default: <code>{settings.defaultRedirectUrl}</code></>} error={err("redirectUrl")}>
            {(a) => <input {...a} name="redirectUrl" defaultValue={settings.redirectUrl} className={inputClass} spellCheck={false} />}
          </FormField>
          <FormField id="homeTenantId" label="Home tenant" hint="Your own tenant ID or domain; Test acquires a token there." error={err("homeTenantId")}>
            {(a) => <input {...a} name="homeTenantId" defaultValue={settings.homeTenantId} className={inputClass} spellCheck={false} />}
          </FormField>
          <FormField id="cloud" label="Cloud" hint="Tokens from one cloud do not work in another; the app is registered in each cloud separately." error={err("cloud")}>
            {(a) => (
              <select {...a} name="cloud" value={cloud} onChange={(e) => setCloud(e.target.value as typeof cloud)} className={inputClass}>
                {clouds.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
              </select>
            )}
          </FormField>
          <FormField id="tokenVersion" label="Token endpoint version" hint="v2 requests Scopes; v1 requests a Resource." error={err("tokenVersion")}>
            {(a) => (
              <select {...a} name="tokenVersion" value={tokenVersion} onChange={(e) => setTokenVersion(e.target.value as "v1" | "v2")} className={inputClass}>
                <option value="v2">v2.0 (Scopes)</option>
                <option value="v1">v1.0 (Resource)</option>
              </select>
            )}
          </FormField>
          {cloud === "CUSTOM" && (
            <>
              <FormField id="customAuthorityHost" label="Authority host" hint="Host and port of the sign-in service, https only (e.g. login.example.com)." error={err("customAuthorityHost")}>
                {(a) => <input {...a} name="customAuthorityHost" defaultValue={settings.customAuthorityHost} className={inputClass} spellCheck={false} />}
              </FormField>
              <FormField id="customGraphHost" label="Graph host" hint="Host and port of Microsoft Graph for this cloud." error={err("customGraphHost")}>
                {(a) => <input {...a} name="customGraphHost" defaultValue={settings.customGraphHost} className={inputClass} spellCheck={false} />}
              </FormField>
            </>
          )}
          {tokenVersion === "v1" ? (
            <FormField id="resource" label="Resource" hint="The API the token is for, e.g. https://graph.microsoft.com." error={err("resource")}>
              {(a) => <input {...a} name="resource" defaultValue={settings.resource} className={inputClass} spellCheck={false} />}
            </FormField>
          ) : (
            <input type="hidden" name="resource" value={settings.resource} />
          )}
          <FormField id="scopes" label="Scopes (auth token flow)" hint="Delegated permissions requested from the customer's administrator, separated by spaces." error={err("scopes")}>
            {(a) => <input {...a} name="scopes" defaultValue={settings.scopes} className={inputClass} spellCheck={false} />}
          </FormField>
          <FormField id="requiredAppPermissions" label="Required application permissions" hint="Graph application permissions every tenant must grant; verification lists missing ones by name." error={err("requiredAppPermissions")}>
            {(a) => <input {...a} name="requiredAppPermissions" defaultValue={settings.requiredAppPermissions} className={inputClass} spellCheck={false} />}
          </FormField>
          <div className="flex items-start gap-2 md:col-span-2">
            <input id="requestOfflineAccess" name="requestOfflineAccess" type="checkbox" defaultChecked={settings.requestOfflineAccess} className="mt-0.5 h-4 w-4 rounded border-slate-300" />
            <div>
              <label htmlFor="requestOfflineAccess" className="text-sm font-medium text-slate-800">Request offline_access</label>
              <p className="text-xs text-slate-500">Needed for a refresh token: without it an auth-token tenant stops working when its access token expires.</p>
            </div>
          </div>
          <div className="space-y-3 rounded-lg border border-slate-200 p-4 md:col-span-2">
            <h3 className="text-sm font-semibold">Certificate (optional, used instead of the secret)</h3>
            {settings.hasCertificate && (
              <p className="text-sm text-slate-700">Stored certificate, SHA-1 thumbprint <code className="break-all">{settings.certificateThumbprint}</code>.</p>
            )}
            <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
              <FormField id="certificateFile" label="Certificate file" hint="A .pfx, or a PEM with the private key and the certificate. A .cer (public key only) cannot sign." error={err("certificateFile")}>
                {(a) => <input {...a} name="certificateFile" type="file" accept=".pfx,.p12,.pem,.crt,.key" className="block w-full text-sm" />}
              </FormField>
              <FormField id="certificatePassword" label="PFX password">
                {(a) => <input {...a} name="certificatePassword" type="password" autoComplete="off" className={inputClass} />}
              </FormField>
              <FormField id="certificateThumbprint" label="Certificate thumbprint" hint="Optional check: SHA-1 or SHA-256 as shown by your certificate tool; spaces and invisible characters are removed." error={err("certificateThumbprint")}>
                {(a) => <input {...a} name="certificateThumbprint" defaultValue="" className={inputClass} spellCheck={false} autoComplete="off" />}
              </FormField>
              {settings.hasCertificate && (
                <div className="flex items-center gap-2 self-end pb-2">
                  <input id="removeCertificate" name="removeCertificate" type="checkbox" className="h-4 w-4 rounded border-slate-300" />
                  <label htmlFor="removeCertificate" className="text-sm text-slate-800">Remove the stored certificate</label>
                </div>
              )}
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
        <div className="flex flex-wrap gap-3">
          {canEdit && (
            <>
              <button type="submit" disabled={pending || !hydrated} className="rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-blue-800 disabled:opacity-60">
                {pending ? "Applying…" : "Apply Changes"}
              </button>
              <button type="reset" disabled={pending || !hydrated} className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50">
                Reset Changes
              </button>
            </>
          )}
          {canTest && (
            <button type="button" onClick={runTest} disabled={testPending || !settings.configured || !hydrated} title="Acquire a token for your home tenant with the stored Client ID and credential"
              className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50">
              {testPending ? "Testing…" : "Test"}
            </button>
          )}
        </div>
      </form>
      {test && <TestResultPanel result={test} />}
    </div>
  );
}

function TestResultPanel({ result }: { result: ProviderTestResult | { error: string } }) {
  if ("error" in result) return <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{result.error}</p>;
  if (!result.ok) {
    return (
      <section role="status" aria-label="Test result" className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-900">
        <h3 className="font-semibold">Test failed: {result.title}</h3>
        <p className="mt-1">{result.explanation}</p>
        <p className="mt-1"><span className="font-medium">What to do:</span> {result.remediation}</p>
        {Object.keys(result.diagnostics).length > 0 && (
          <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 font-mono text-xs">
            {Object.entries(result.diagnostics).map(([k, v]) => (
              <Fragment key={k}><dt className="text-red-700">{k}</dt><dd>{Array.isArray(v) ? v.join(", ") : String(v)}</dd></Fragment>
            ))}
          </dl>
        )}
      </section>
    );
  }
  return (
    <section role="status" aria-label="Test result" className="rounded-xl border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-950">
      <h3 className="font-semibold">Test passed: a token was issued for tenant {result.tenantId}</h3>
      <p className="mt-1">Granted application permissions: {result.grantedPermissions.length ? result.grantedPermissions.join(", ") : "none"}.</p>
      {result.missingPermissions.length > 0 && (
        <p className="mt-1 text-amber-900">Missing in your home tenant: {result.missingPermissions.join(", ")} (grant admin consent in your own tenant too).</p>
      )}
      <p className="mt-1">{result.secretExpiryKnown ? `The client secret expires ${formatDate(result.secretExpiresAt)}.` : "The secret's expiry date could not be read (the app needs Application.Read.All to read its own registration)."}</p>
    </section>
  );
}
