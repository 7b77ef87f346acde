import "server-only";
import { DecryptionError } from "@/lib/crypto";
import { classifyFailure, diagnosticsOf, type Diagnostics } from "@/lib/entra/classify";
import { callPolicy } from "@/lib/entra/http";
import { protocolOf, tokenClient } from "@/lib/entra/token-client";
import { reasons } from "@/lib/entra/reasons";
import { missingPermissions, readAccessTokenClaims } from "@/lib/entra/token-claims";
import { refreshRegistrationExpiry } from "./expiry";
import { loadProviderApp, PROVIDER_ID, ProviderNotConfiguredError } from "./settings";

export type ProviderTestResult =
  | {
      ok: true;
      tenantId: string;
      grantedPermissions: string[];
      missingPermissions: string[];
      secretExpiresAt: string | null;
      secretExpiryKnown: boolean;
      /** How the expiry was read from Graph (./expiry.ts); null when the registration changed meanwhile. */
      expiryCheck: string | null;
    }
  | { ok: false; reason: string; title: string; explanation: string; remediation: string; diagnostics: Diagnostics };

/**
 * Proves an app registration's Client ID and credential work before anyone sends consent links: a fresh
 * client-credentials token for the provider's own (home) tenant in the registration's cloud. When the app may read its own registration, its secret's and
 * certificate's expiry are read from Graph and stored (./expiry.ts).
 * @see https://learn.microsoft.com/en-us/graph/api/resources/passwordcredential
 */
export async function testProviderApp(id: string = PROVIDER_ID): Promise<ProviderTestResult> {
  let app;
  try {
    app = await loadProviderApp(id);
  } catch (e) {
    if (e instanceof DecryptionError) {
      const r = reasons.SECRET_UNREADABLE;
      return { ok: false, reason: "SECRET_UNREADABLE", title: r.title, explanation: r.explanation, remediation: r.remediation.text, diagnostics: {} };
    }
    const r = reasons.NOT_CONFIGURED;
    return {
      ok: false,
      reason: "NOT_CONFIGURED",
      title: r.title,
      explanation: e instanceof ProviderNotConfiguredError ? e.message : r.explanation,
      remediation: r.remediation.text,
      diagnostics: {},
    };
  }
  if (!app.homeTenantId) {
    const r = reasons.NOT_CONFIGURED;
    return {
      ok: false,
      reason: "NOT_CONFIGURED",
      title: r.title,
      explanation: "Set Home tenant to your own tenant's ID or domain; the test acquires a token there.",
      remediation: r.remediation.text,
      diagnostics: {},
    };
  }
  const policy = callPolicy("verification");
  const token = await tokenClient(protocolOf(app)).acquireAppToken({
    endpoints: app.endpoints,
    clientId: app.clientId,
    credential: app.credential,
    tenant: app.homeTenantId,
    policy,
  });
  if (!token.ok) {
    const code = classifyFailure(token.failure);
    const r = reasons[code];
    const explanation = token.failure.refusal ? `Refused: ${token.failure.refusal}. ${r.explanation}` : r.explanation;
    return { ok: false, reason: code, title: r.title, explanation, remediation: r.remediation.text, diagnostics: diagnosticsOf(token.failure) };
  }
  const claims = readAccessTokenClaims(token.accessToken);
  // The token is for the home tenant, where the application object lives: its credentials' expiry is read with it.
  const expiry = await refreshRegistrationExpiry(app.registrationId, { policy, withToken: token.accessToken });
  const secretExpiresAt = app.credential.kind === "secret" && expiry?.secretExpiresAt ? expiry.secretExpiresAt.toISOString() : null;
  const secretExpiryKnown = secretExpiresAt !== null;
  return {
    ok: true,
    tenantId: claims.tid ?? app.homeTenantId,
    grantedPermissions: claims.roles,
    missingPermissions: missingPermissions(app.requiredAppPermissions, claims.roles),
    secretExpiresAt,
    secretExpiryKnown,
    expiryCheck: expiry?.check ?? null,
  };
}
