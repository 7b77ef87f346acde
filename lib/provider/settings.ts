import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import type { ParsedCertificate } from "@/lib/crypto/certificates";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { invalidField, refuse, type Result } from "@/lib/errors";
import { cloudEndpoints, type CloudEndpoints, type CloudId } from "@/lib/entra/clouds";
import { REDIRECT_PATH, type ProviderSettingsValues } from "@/lib/validations/provider";
import { CERT_BINDING, DEFAULT_REQUIRED_APP_PERMISSIONS, PROVIDER_ID, SECRET_BINDING } from "./row";

export { PROVIDER_ID } from "./row";

export function defaultRedirectUrl() {
  return new URL(REDIRECT_PATH, env.APP_URL).toString();
}

/** What the browser may see of the provider app: secrets only as "set", their hint and expiry. */
export type ProviderSettingsView = {
  configured: boolean;
  clientId: string;
  hasSecret: boolean;
  secretHint: string | null;
  secretExpiresAt: Date | null;
  hasCertificate: boolean;
  certificateThumbprint: string | null;
  redirectUrl: string;
  defaultRedirectUrl: string;
  cloud: CloudId;
  customAuthorityHost: string;
  customGraphHost: string;
  tokenVersion: "v1" | "v2";
  resource: string;
  scopes: string;
  requiredAppPermissions: string;
  requestOfflineAccess: boolean;
  homeTenantId: string;
  version: number;
  updatedAt: Date | null;
};

export async function getProviderSettingsView(): Promise<ProviderSettingsView> {
  const p = await db.providerSettings.findUnique({ where: { id: PROVIDER_ID } });
  return {
    configured: Boolean(p?.clientId),
    clientId: p?.clientId ?? "",
    hasSecret: Boolean(p?.clientSecret),
    secretHint: p?.clientSecretHint ?? null,
    secretExpiresAt: p?.clientSecretExpiresAt ?? null,
    hasCertificate: Boolean(p?.certificate),
    certificateThumbprint: p?.certificateThumbprint ?? null,
    redirectUrl: p?.redirectUrl ?? defaultRedirectUrl(),
    defaultRedirectUrl: defaultRedirectUrl(),
    cloud: (p?.cloud ?? "GLOBAL") as CloudId,
    customAuthorityHost: p?.customAuthorityHost ?? "",
    customGraphHost: p?.customGraphHost ?? "",
    tokenVersion: p?.tokenVersion === "v1" ? "v1" : "v2",
    resource: p?.resource ?? "https://graph.microsoft.com",
    scopes: p?.scopes ?? "User.Read Organization.Read.All",
    requiredAppPermissions: p?.requiredAppPermissions ?? DEFAULT_REQUIRED_APP_PERMISSIONS,
    requestOfflineAccess: p?.requestOfflineAccess ?? true,
    homeTenantId: p?.homeTenantId ?? "",
    version: p?.version ?? 0,
    updatedAt: p?.updatedAt ?? null,
  };
}

/** Provider app with its credentials, for server code that talks to Entra. Never leaves the server. */
export type ProviderApp = {
  clientId: string;
  redirectUrl: string;
  endpoints: CloudEndpoints;
  credential:
    | { kind: "secret"; secret: string }
    | { kind: "certificate"; privateKeyPem: string; certificatePem: string; thumbprintSha1: string; thumbprintSha256: string };
  scopes: string[];
  requestOfflineAccess: boolean;
  requiredAppPermissions: string[];
  tokenVersion: "v1" | "v2";
  resource: string | null;
  homeTenantId: string | null;
};

export class ProviderNotConfiguredError extends Error {
  constructor(detail: string) {
    super(`The provider app is not configured: ${detail}. An administrator sets it on Settings → Provider app.`);
    this.name = "ProviderNotConfiguredError";
  }
}

export async function loadProviderApp(): Promise<ProviderApp> {
  const p = await db.providerSettings.findUnique({ where: { id: PROVIDER_ID } });
  if (!p?.clientId) throw new ProviderNotConfiguredError("the Client ID is not set");
  let credential: ProviderApp["credential"];
  if (p.certificate) {
    const cert = JSON.parse(decryptSecret(p.certificate, CERT_BINDING)) as ParsedCertificate;
    credential = { kind: "certificate", ...cert };
  } else if (p.clientSecret) {
    credential = { kind: "secret", secret: decryptSecret(p.clientSecret, SECRET_BINDING) };
  } else {
    throw new ProviderNotConfiguredError("neither a client secret nor a certificate is set");
  }
  return {
    clientId: p.clientId,
    redirectUrl: p.redirectUrl ?? defaultRedirectUrl(),
    endpoints: cloudEndpoints(p.cloud as CloudId, { authorityHost: p.customAuthorityHost, graphHost: p.customGraphHost }),
    credential,
    scopes: (p.scopes ?? "User.Read Organization.Read.All").split(/\s+/).filter(Boolean),
    requestOfflineAccess: p.requestOfflineAccess,
    requiredAppPermissions: p.requiredAppPermissions.split(/\s+/).filter(Boolean),
    tokenVersion: p.tokenVersion === "v1" ? "v1" : "v2",
    resource: p.resource,
    homeTenantId: p.homeTenantId,
  };
}

/** The refusal of a settings form applied over a version another administrator has replaced. */
export const SETTINGS_CHANGED = () =>
  refuse("version-conflict", "Another administrator changed these settings meanwhile. Reset Changes to load their values, then apply again.");

const auditedFields = [
  "clientId",
  "redirectUrl",
  "cloud",
  "customAuthorityHost",
  "customGraphHost",
  "tokenVersion",
  "resource",
  "scopes",
  "requiredAppPermissions",
  "requestOfflineAccess",
  "homeTenantId",
] as const;

/**
 * Saves the provider app. `expectedVersion` is the version the form was loaded with: a concurrent
 * change by another admin is reported instead of silently overwritten. Audited with the names of the
 * changed fields only.
 */
export async function applyProviderSettings(input: {
  values: ProviderSettingsValues;
  certificate: ParsedCertificate | null;
  expectedVersion: number;
  actor: AuditActor;
  requestId: string;
}): Promise<Result<{ version: number; changedFields: string[] }>> {
  const { values, certificate } = input;
  const current = await db.providerSettings.findUnique({ where: { id: PROVIDER_ID } });
  if ((current?.version ?? 0) !== input.expectedVersion) return SETTINGS_CHANGED();
  if (certificate && values.certificateThumbprint && ![certificate.thumbprintSha1, certificate.thumbprintSha256].includes(values.certificateThumbprint)) {
    return invalidField("certificateThumbprint", "Does not match the uploaded certificate's SHA-1 or SHA-256 thumbprint");
  }
  if (!certificate && values.certificateThumbprint && current?.certificateThumbprint && values.certificateThumbprint !== current.certificateThumbprint) {
    const stored = current.certificate ? (JSON.parse(decryptSecret(current.certificate, CERT_BINDING)) as ParsedCertificate) : null;
    if (!stored || ![stored.thumbprintSha1, stored.thumbprintSha256].includes(values.certificateThumbprint)) {
      return invalidField("certificateThumbprint", "Does not match the stored certificate; upload the certificate with this thumbprint");
    }
  }
  const hasSecretAfter = Boolean(values.clientSecret) || Boolean(current?.clientSecret);
  const hasCertAfter = Boolean(certificate) || (Boolean(current?.certificate) && !values.removeCertificate);
  if (!hasSecretAfter && !hasCertAfter) {
    return invalidField("clientSecret", "Enter the client secret (its Value, not its ID) or upload a certificate");
  }

  const next = {
    clientId: values.clientId,
    redirectUrl: values.redirectUrl,
    cloud: values.cloud,
    customAuthorityHost: values.customAuthorityHost || null,
    customGraphHost: values.customGraphHost || null,
    tokenVersion: values.tokenVersion,
    resource: values.tokenVersion === "v1" ? values.resource : (current?.resource ?? null),
    scopes: values.scopes.join(" "),
    requiredAppPermissions: values.requiredAppPermissions.join(" "),
    requestOfflineAccess: values.requestOfflineAccess,
    homeTenantId: values.homeTenantId || null,
  };
  const changedFields: string[] = auditedFields.filter((f) => String(next[f] ?? "") !== String(current?.[f] ?? ""));
  const data: Record<string, unknown> = { ...next };
  if (values.clientSecret) {
    data.clientSecret = encryptSecret(values.clientSecret, SECRET_BINDING);
    // Entra shows the first three characters of a secret as its hint.
    data.clientSecretHint = values.clientSecret.slice(0, 3);
    data.clientSecretExpiresAt = null;
    changedFields.push("clientSecret");
  }
  if (certificate) {
    data.certificate = encryptSecret(JSON.stringify(certificate), CERT_BINDING);
    data.certificateThumbprint = certificate.thumbprintSha1;
    changedFields.push("certificate");
  } else if (values.removeCertificate && current?.certificate) {
    data.certificate = null;
    data.certificateThumbprint = null;
    changedFields.push("certificate");
  }

  let version: number;
  if (!current) {
    await db.providerSettings.create({ data: { id: PROVIDER_ID, ...(data as object), version: 1 } });
    version = 1;
  } else {
    const { count } = await db.providerSettings.updateMany({
      where: { id: PROVIDER_ID, version: input.expectedVersion },
      data: { ...(data as object), version: { increment: 1 } },
    });
    if (count === 0) return SETTINGS_CHANGED();
    version = input.expectedVersion + 1;
  }
  await recordAudit({
    action: "provider_settings.updated",
    actor: input.actor,
    target: { type: "provider_settings", id: PROVIDER_ID },
    requestId: input.requestId,
    details: { changedFields },
  });
  return { ok: true, data: { version, changedFields } };
}

export async function recordSecretExpiry(expiresAt: Date | null) {
  await db.providerSettings.updateMany({ where: { id: PROVIDER_ID }, data: { clientSecretExpiresAt: expiresAt } });
}
