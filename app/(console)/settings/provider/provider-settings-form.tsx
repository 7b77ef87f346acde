"use client";

import { useRouter } from "next/navigation";
import { Fragment, useEffect, useRef, useState, useSyncExternalStore, useTransition } from "react";
import { useDateFormatter } from "@/components/ui/local-time";
import { ApplyResetForm, type FieldKit } from "@/components/apply-reset-form";
import { cloudNames, knownClouds, type CloudId } from "@/lib/entra/clouds";
import { expiryPhrase } from "@/lib/provider/row";
import type { ProviderSettingsView } from "@/lib/provider/settings";
import type { ProviderTestResult } from "@/lib/provider/test-connection";
import { applyProviderSettingsAction, createAppRegistrationAction, testProviderAppAction } from "./actions";

const clouds = [
  ["GLOBAL", "Global (login.microsoftonline.com)"],
  ["USGOV", "US Government (GCC High)"],
  ["USGOV_DOD", "US Government DoD"],
  ["CHINA", "China (21Vianet)"],
  ["CUSTOM", "Custom hosts"],
] as const;

const tokenVersions = [
  ["v2", "v2.0 (Scopes)"],
  ["v1", "v1.0 (Resource)"],
] as const;

const subscribeNothing = () => () => {};

/**
 * One app registration's form. `isNew`: not saved yet (Apply creates it and opens its page); the default
 * registration (source 003's Client ID / Secret / Redirect URL form) is the one with id "provider".
 */
export function ProviderSettingsForm({
  settings,
  canEdit,
  canTest,
  isNew = false,
}: {
  settings: ProviderSettingsView;
  canEdit: boolean;
  canTest: boolean;
  isNew?: boolean;
}) {
  const router = useRouter();
  const [testPending, startTest] = useTransition();
  const [test, setTest] = useState<ProviderTestResult | { error: string } | null>(null);
  // Until React has attached onClick, the button would do nothing; keep it off.
  const hydrated = useSyncExternalStore(
    subscribeNothing,
    () => true,
    () => false,
  );

  const testResult = useRef<HTMLDivElement>(null);
  function runTest() {
    if (testPending) return;
    startTest(async () => {
      const result = await testProviderAppAction({ id: settings.id }).catch(() => ({
        ok: false as const,
        error: "The console could not be reached. Try again.",
      }));
      setTest(result.ok ? result.data : { error: result.error });
    });
  }
  // The result appears under the button: brought into view if the button sat at the bottom of the
  // window, and focus stays on the button (it is not disabled while testing, so focus is not lost).
  useEffect(() => {
    if (!test) return;
    testResult.current?.scrollIntoView?.({ block: "nearest" });
  }, [test]);

  function clearWriteOnly(form: HTMLFormElement, applied: { id?: string }) {
    // The stored secret is write-only: do not leave it in the field once saved.
    const secret = form.elements.namedItem("clientSecret");
    if (secret instanceof HTMLInputElement) secret.value = "";
    if (isNew && applied.id) router.push(`/settings/provider/${applied.id}`);
  }

  return (
    <div className="space-y-4">
      {!settings.configured && !isNew && (
        <div className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          This app registration is not configured yet. Its tenants cannot be verified or sent consent links until its Client ID and a client secret or
          certificate are applied.
        </div>
      )}
      <ApplyResetForm
        title={isNew ? "New app registration" : settings.id === "provider" ? "Default app registration" : `App registration: ${settings.name}`}
        description={
          isNew
            ? "Another multi-tenant app, for example the one registered in a national cloud. Register it in your tenant of that cloud, then enter its values here."
            : "The multi-tenant app registration your customers consent to. Register it in your own tenant, then enter its values here."
        }
        version={settings.version}
        canEdit={canEdit}
        apply={isNew ? createAppRegistrationAction : applyProviderSettingsAction}
        onApplied={clearWriteOnly}
        actions={
          canTest && (
            <button
              type="button"
              onClick={runTest}
              disabled={!settings.configured || !hydrated || isNew}
              aria-disabled={testPending || undefined}
              aria-busy={testPending || undefined}
              aria-describedby={test ? "provider-test-result" : undefined}
              title="Acquire a token for your home tenant with the stored Client ID and credential"
              className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50 aria-disabled:opacity-50"
            >
              {testPending ? "Testing…" : "Test"}
            </button>
          )
        }
        actionResult={
          canTest && (
            // Mounted before any result, so screen readers announce the one that arrives.
            <div ref={testResult} id="provider-test-result" aria-live="polite" aria-atomic="true" className="scroll-mb-4">
              {test && <TestResultPanel result={test} />}
            </div>
          )
        }
        fields={(kit) => <ProviderFields settings={settings} kit={kit} />}
      />
    </div>
  );
}

/** The fields; the cloud and the token version decide which others are shown. */
function ProviderFields({ settings, kit }: { settings: ProviderSettingsView; kit: FieldKit }) {
  const formatDate = useDateFormatter();
  const [cloud, setCloud] = useState(settings.cloud);
  const [tokenVersion, setTokenVersion] = useState(settings.tokenVersion);
  return (
    <>
      <input type="hidden" name="id" value={settings.id} />
      {kit.text("name", "Name", {
        hint: "How the console lists it, e.g. MSP console (US Government).",
        defaultValue: settings.name,
      })}
      {kit.checkbox("isDefault", "Use as the default registration", {
        defaultChecked: settings.isDefault,
        hint: "Tenants of this cloud use it unless they choose another registration. One default per cloud.",
      })}
      {kit.text("clientId", "Client ID", {
        hint: "Application (client) ID from the app registration's Overview.",
        defaultValue: settings.clientId,
        placeholder: "00000000-0000-0000-0000-000000000000",
      })}
      {kit.text("clientSecret", "Client Secret", {
        type: "password",
        defaultValue: "",
        autoComplete: "new-password",
        placeholder: settings.hasSecret ? "•••••••• (stored)" : "",
        hint: settings.hasSecret ? (
          <>
            A secret is stored
            {settings.secretHint ? (
              <>
                {" "}
                (starts with <code>{settings.secretHint}</code>)
              </>
            ) : null}
            , {expiryPhrase(settings.secretExpiresAt, settings.expiryCheck, formatDate)}. Leave empty to keep it.
          </>
        ) : (
          "The secret's Value (not its ID). It is stored encrypted and never shown again."
        ),
      })}
      {kit.text("redirectUrl", "Redirect URL", {
        hint: (
          <>
            Register exactly this URL on the app (platform Web). Default: <code>{settings.defaultRedirectUrl}</code>
          </>
        ),
        defaultValue: settings.redirectUrl,
      })}
      {kit.text("homeTenantId", "Home tenant", { hint: "Your own tenant ID or domain; Test acquires a token there.", defaultValue: settings.homeTenantId })}
      {kit.select("cloud", "Cloud", {
        hint: "Tokens from one cloud do not work in another; the app is registered in each cloud separately.",
        value: cloud,
        onChange: setCloud,
        choices: clouds,
      })}
      {kit.select("tokenVersion", "Token endpoint version", {
        hint: "v2.0 requests Scopes at /oauth2/v2.0/token; v1.0 requests a Resource at /oauth2/token (and consents through the v1.0 endpoints).",
        value: tokenVersion,
        onChange: setTokenVersion,
        choices: tokenVersions,
      })}
      {cloud === "CUSTOM" && (
        <>
          {kit.text("customAuthorityHost", "Authority host", {
            hint: "Host and port of the sign-in service, https only (e.g. login.example.com).",
            defaultValue: settings.customAuthorityHost,
          })}
          {kit.text("customGraphHost", "Graph host", { hint: "Host and port of Microsoft Graph for this cloud.", defaultValue: settings.customGraphHost })}
          {kit.text("customGraphResource", "Graph resource", {
            hint: "Optional: the Graph resource tokens are issued for, when it is not https://<Graph host>.",
            defaultValue: settings.customGraphResource,
          })}
        </>
      )}
      {tokenVersion === "v1" ? (
        kit.text("resource", "Resource", { hint: "The API the token is for, e.g. https://graph.microsoft.com.", defaultValue: settings.resource })
      ) : (
        <input type="hidden" name="resource" value={settings.resource} />
      )}
      {kit.text("scopes", "Scopes (auth token flow)", {
        hint: "Delegated permissions requested from the customer's administrator, separated by spaces.",
        defaultValue: settings.scopes,
      })}
      {kit.text("requiredAppPermissions", "Required application permissions", {
        hint: "Graph application permissions every tenant must grant; verification lists missing ones by name.",
        defaultValue: settings.requiredAppPermissions,
      })}
      {kit.textarea("loginParameters", "Extra login parameters", {
        rows: 2,
        defaultValue: settings.loginParameters,
        hint: "One name=value per line, added to the sign-in request, e.g. prompt=consent or domain_hint=contoso.com. response_type is always code.",
      })}
      <EndpointUrls settings={settings} cloud={cloud} tokenVersion={tokenVersion} />
      {kit.checkbox("requestOfflineAccess", "Request offline_access", {
        wide: true,
        defaultChecked: settings.requestOfflineAccess,
        hint: "Needed for a refresh token: without it an auth-token tenant stops working when its access token expires.",
      })}
      <div className="space-y-3 rounded-lg border border-slate-200 p-4 md:col-span-2">
        <h3 className="text-sm font-semibold">Certificate (optional, used instead of the secret)</h3>
        {settings.hasCertificate && (
          <p className="text-sm text-slate-700">
            Stored certificate, SHA-1 thumbprint <code className="break-all">{settings.certificateThumbprint}</code>,{" "}
            {expiryPhrase(settings.certificateExpiresAt, settings.expiryCheck, formatDate)}.
          </p>
        )}
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          {kit.file("certificateFile", "Certificate file", {
            hint: "A .pfx, or a PEM with the private key and the certificate. A .cer (public key only) cannot sign.",
            accept: ".pfx,.p12,.pem,.crt,.key",
          })}
          {kit.text("certificatePassword", "PFX password", { type: "password", defaultValue: "" })}
          {kit.text("certificateThumbprint", "Certificate thumbprint", {
            hint: "Optional check: SHA-1 or SHA-256 as shown by your certificate tool; spaces and invisible characters are removed.",
            defaultValue: "",
          })}
          {settings.hasCertificate && kit.checkbox("removeCertificate", "Remove the stored certificate", { defaultChecked: false })}
        </div>
      </div>
    </>
  );
}

/**
 * The endpoints the registration's requests go to: a known cloud's follow from its sign-in host; a Custom
 * cloud's from its Authority host, as stored.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/authentication-national-cloud
 */
function EndpointUrls({ settings, cloud, tokenVersion }: { settings: ProviderSettingsView; cloud: CloudId; tokenVersion: "v1" | "v2" }) {
  const v = tokenVersion === "v1" ? "" : "/v2.0";
  const known = cloud === "CUSTOM" ? null : `https://${knownClouds[cloud].loginHost}/{tenant}/oauth2${v}`;
  const loginUrl = known ? `${known}/authorize` : settings.cloud === "CUSTOM" ? settings.loginUrl : null;
  const tokenUrl = known ? `${known}/token` : settings.cloud === "CUSTOM" ? settings.tokenUrl : null;
  return (
    <div className="space-y-1 rounded-lg border border-slate-200 bg-slate-50 p-3 text-sm md:col-span-2">
      <p className="font-medium text-slate-800">Endpoints ({cloudNames[cloud]})</p>
      <p>
        <span className="text-slate-600">Login URL:</span> <code className="break-all">{loginUrl ?? "follows the Authority host once applied"}</code>{" "}
        <span className="text-slate-600">with response_type=code</span>
      </p>
      <p>
        <span className="text-slate-600">Access token URL:</span> <code className="break-all">{tokenUrl ?? "follows the Authority host once applied"}</code>
      </p>
      <p className="text-xs text-slate-500">{"{tenant}"} is the customer&apos;s tenant. For a Custom cloud they follow the Authority host.</p>
    </div>
  );
}

function TestResultPanel({ result }: { result: ProviderTestResult | { error: string } }) {
  const formatDate = useDateFormatter();
  if ("error" in result)
    return (
      <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        {result.error}
      </p>
    );
  if (!result.ok) {
    return (
      <section role="status" aria-label="Test result" className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-900">
        <h3 className="font-semibold">Test failed: {result.title}</h3>
        <p className="mt-1">{result.explanation}</p>
        <p className="mt-1">
          <span className="font-medium">What to do:</span> {result.remediation}
        </p>
        {Object.keys(result.diagnostics).length > 0 && (
          <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 font-mono text-xs">
            {Object.entries(result.diagnostics).map(([k, v]) => (
              <Fragment key={k}>
                <dt className="text-red-700">{k}</dt>
                <dd>{Array.isArray(v) ? v.join(", ") : String(v)}</dd>
              </Fragment>
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
      <p className="mt-1">
        {result.secretExpiryKnown
          ? `The client secret expires ${result.secretExpiresAt ? formatDate(result.secretExpiresAt) : "on an unknown date"}.`
          : `The client secret's ${expiryPhrase(null, result.expiryCheck, formatDate)}.`}
      </p>
    </section>
  );
}
