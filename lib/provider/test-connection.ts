import "server-only";
import { DecryptionError } from "@/lib/crypto";
import { classifyFailure, diagnosticsOf, type Diagnostics } from "@/lib/entra/classify";
import { graphBatch } from "@/lib/entra/graph";
import { callPolicy } from "@/lib/entra/http";
import { protocolOf, tokenClient } from "@/lib/entra/token-client";
import { reasons } from "@/lib/entra/reasons";
import { missingPermissions, readAccessTokenClaims } from "@/lib/entra/token-claims";
import { loadProviderApp, PROVIDER_ID, ProviderNotConfiguredError, recordSecretExpiry } from "./settings";

export type ProviderTestResult =
  | { ok: true; tenantId: string; grantedPermissions: string[]; missingPermissions: string[]; secretExpiresAt: string | null; secretExpiryKnown: boolean }
  | { ok: false; reason: string; title: string; explanation: string; remediation: string; diagnostics: Diagnostics };

type PasswordCredential = { hint?: string | null; endDateTime?: string | null };

/**
 * Proves an app registration's Client ID and credential work before anyone sends consent links: a fresh
 * client-credentials token for the provider's own (home) tenant in the registration's cloud. When the app may read its own registration, the secret's
 * expiry is read from Graph and stored.
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
  let secretExpiresAt: string | null = null;
  let secretExpiryKnown = false;
  if (app.credential.kind === "secret") {
    const hint = app.credential.secret.slice(0, 3);
    const filter = encodeURIComponent(`appId eq '${app.clientId}'`);
    const batch = await graphBatch(
      app.endpoints,
      token.accessToken,
      [{ id: "app", url: `/applications?$filter=${filter}&$select=id,appId,passwordCredentials` }],
      { policy },
    );
    const sub = batch.ok ? batch.responses.get("app") : undefined;
    if (sub?.status === 200) {
      const creds = ((sub.body as { value?: { passwordCredentials?: PasswordCredential[] }[] }).value?.[0]?.passwordCredentials ?? []) as PasswordCredential[];
      const match = creds
        .filter((c) => c.hint === hint)
        .map((c) => c.endDateTime)
        .filter((d): d is string => Boolean(d))
        .sort();
      if (match.length) {
        secretExpiresAt = new Date(match[match.length - 1]!).toISOString();
        secretExpiryKnown = true;
      }
    }
    await recordSecretExpiry(app.registrationId, secretExpiresAt ? new Date(secretExpiresAt) : null);
  }
  return {
    ok: true,
    tenantId: claims.tid ?? app.homeTenantId,
    grantedPermissions: claims.roles,
    missingPermissions: missingPermissions(app.requiredAppPermissions, claims.roles),
    secretExpiresAt,
    secretExpiryKnown,
  };
}
