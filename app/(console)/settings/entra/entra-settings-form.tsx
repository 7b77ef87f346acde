"use client";

import { useState } from "react";
import { ApplyResetForm, type FieldKit } from "@/components/apply-reset-form";
import { entraAuthDefaults, expandTenant } from "@/lib/auth/entra/settings-core";
import type { EntraSettingsView } from "@/lib/auth/entra/settings";
import { applyEntraSettingsAction } from "./actions";

type Templates = { tenantId: string; issuer: string; authority: string; metadataAddress: string; requiredClaims: string; apiIssuer: string };

function templatesOf(s: EntraSettingsView): Templates {
  return {
    tenantId: s.tenantId,
    issuer: s.issuer,
    authority: s.authority,
    metadataAddress: s.metadataAddress,
    requiredClaims: s.requiredClaims,
    apiIssuer: s.apiIssuer,
  };
}

export function EntraSettingsForm({
  settings,
  canEdit,
  remediation,
  callbackUrl,
}: {
  settings: EntraSettingsView;
  canEdit: boolean;
  remediation: string[];
  callbackUrl: string;
}) {
  return (
    <div className="space-y-4">
      <ApplyResetForm
        title="Entra Authentication"
        description={
          <>
            Sign-in with Microsoft for MSP staff, and how incoming Entra ID tokens are validated. Register a web app in your own tenant with the redirect URI{" "}
            <code className="break-all">{callbackUrl}</code>.
          </>
        }
        version={settings.version}
        canEdit={canEdit}
        apply={applyEntraSettingsAction}
        fields={(kit) => <EntraFields settings={settings} remediation={remediation} kit={kit} />}
      />
    </div>
  );
}

/** The fields; values with {TenantId} show what they expand to as the admin types. */
function EntraFields({ settings, remediation, kit }: { settings: EntraSettingsView; remediation: string[]; kit: FieldKit }) {
  const [templates, setTemplates] = useState<Templates>(() => templatesOf(settings));

  function track(event: React.FormEvent<HTMLDivElement>) {
    const target = event.target as HTMLInputElement;
    if (target.name in templates) setTemplates((t) => ({ ...t, [target.name]: target.value }));
  }

  const expanded = (name: keyof Omit<Templates, "tenantId">) => {
    const value = templates[name];
    if (!value.includes("{TenantId}") || !templates.tenantId.trim()) return null;
    return (
      <>
        {" "}
        Expands to <code className="break-all">{expandTenant(value, templates.tenantId.trim())}</code>.
      </>
    );
  };

  const text = (id: Exclude<keyof typeof entraAuthDefaults, "enabled">, label: string, hint: React.ReactNode, wide = false) =>
    kit.text(id, label, { hint, defaultValue: settings[id], wide });

  return (
    <div className="contents" onChange={track}>
      {kit.checkbox("enabled", "Entra Authentication Enabled", {
        wide: true,
        defaultChecked: settings.enabled,
        hint: "When on, every field below is required. When off, they are kept but ignored. Default: off.",
      })}
      {text("tenantId", "Tenant ID", "Your own tenant (directory) ID; only its users may sign in. Example: 02990467-5131-4a63-9a88-b578f38d89ab")}
      {text("clientId", "Client ID", "Application (client) ID of the sign-in app registration. Example: 75ff0832-1cbe-4bf2-87b0-9b99cacbec68")}
      {text(
        "audience",
        "Audience",
        <>
          Sign-in: ID tokens whose <code>aud</code> differs are rejected. ID tokens of this console&apos;s sign-in carry the Client ID as <code>aud</code>;{" "}
          <code>{"{ClientId}"}</code> stands for it. Default: <code>{entraAuthDefaults.audience}</code>
        </>,
      )}
      {text(
        "issuer",
        "Issuer",
        <>
          Sign-in: exact <code>iss</code> expected. v1 tokens: <code>https://sts.windows.net/{"{TenantId}"}/</code>; v2 (this console&apos;s ID tokens):{" "}
          <code>https://login.microsoftonline.com/{"{TenantId}"}/v2.0</code>. Default: <code>{entraAuthDefaults.issuer}</code>.{expanded("issuer")}
        </>,
      )}
      {text(
        "apiAudience",
        "API Audience",
        <>
          REST API: the <code>aud</code> of Entra access tokens accepted on <code>/api/v1</code>, from the API&apos;s own app registration: its Application ID
          URI (<code>api://&lt;app id&gt;</code>) for v1.0 tokens, its app id for v2.0 tokens. Only access tokens are accepted there, never ID tokens. Empty:
          Entra tokens are refused on the REST API (API tokens still work).
        </>,
      )}
      {text(
        "apiIssuer",
        "API Issuer",
        <>
          REST API: exact <code>iss</code> of those access tokens, <code>https://sts.windows.net/{"{TenantId}"}/</code> (v1.0) or{" "}
          <code>https://login.microsoftonline.com/{"{TenantId}"}/v2.0</code> (v2.0). Empty: the Issuer above.{expanded("apiIssuer")}
        </>,
      )}
      {text(
        "authority",
        "Authority",
        <>
          Sign-in endpoint base; its host sets the cloud. Default: <code>{entraAuthDefaults.authority}</code>.{expanded("authority")}
        </>,
      )}
      {text(
        "metadataAddress",
        "Metadata Address",
        <>
          OpenID Connect discovery document; its <code>jwks_uri</code> supplies the signing keys. Default:{" "}
          <code className="break-all">{entraAuthDefaults.metadataAddress}</code>.{expanded("metadataAddress")}
        </>,
      )}
      {text(
        "requiredClaims",
        "Required Claims",
        <>
          Semicolon-separated: <code>claim</code> (present, non-empty) or <code>claim=value</code> (the claim must be exactly this string, case-sensitive; an
          array, number or boolean claim never matches, so use the presence-only form for <code>roles</code> and <code>groups</code>). Example:{" "}
          <code>roles;tid={"{TenantId}"}</code>. Default: <code>{entraAuthDefaults.requiredClaims}</code>.{expanded("requiredClaims")}
        </>,
      )}
      {text(
        "clockSkew",
        "Clock Skew",
        <>
          Tolerance for <code>exp</code>/<code>nbf</code> (and an <code>iat</code> ahead of this server&apos;s clock), hh:mm:ss; 00:00:00 disables tolerance.
          Default: {entraAuthDefaults.clockSkew}
        </>,
      )}
      {text(
        "jwksCacheDuration",
        "JWKS Keys Cache Duration",
        <>hh:mm:ss; 00:00:00 disables the cache. A signature failure forces one refresh. Default: {entraAuthDefaults.jwksCacheDuration}</>,
      )}
      {text(
        "groupCacheDuration",
        "Entra Group Cache Duration",
        <>
          How long group memberships read from Graph are trusted, hh:mm:ss; 00:00:00 disables the cache. Role changes apply within this time. Default:{" "}
          {entraAuthDefaults.groupCacheDuration}
        </>,
      )}
      {text(
        "certificateThumbprint",
        "Certificate Thumbprint",
        "SHA-1 or SHA-256 thumbprint of the certificate (with private key) uploaded on the default app registration (Settings → App registrations); it authenticates the sign-in app instead of a secret. Whitespace and invisible characters are removed. Example: A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5F6A1B2",
        true,
      )}
      {settings.certificateProblem && (
        <section
          role="status"
          aria-label="Certificate problem"
          className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 md:col-span-2"
        >
          <h3 className="font-semibold">The certificate cannot be used: {settings.certificateProblem}</h3>
          <ol className="mt-2 list-decimal space-y-1 pl-5">
            {remediation.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </section>
      )}
      {kit.textarea("groupRoles", "Group role mappings", {
        wide: true,
        rows: 4,
        defaultValue: settings.groupRoles,
        hint: "One a line: <group object id> = Administrator, Operator or Viewer. A user gets the highest role of their groups; users in no mapped group cannot sign in.",
      })}
      {kit.checkbox("localSignInEnabled", "Local sign-in (break-glass)", {
        wide: true,
        defaultChecked: settings.localSignInEnabled,
        hint: "Email and password sign-in for local admins. Switch off once sign-in with Microsoft works.",
      })}
    </div>
  );
}
