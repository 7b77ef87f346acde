import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import type { ParsedCertificate } from "@/lib/crypto/certificates";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";
import { env } from "@/lib/env";
import { invalidField, refuse, type Result } from "@/lib/errors";
import { cloudEndpoints, cloudNames, CloudConfigurationError, type CloudEndpoints, type CloudId } from "@/lib/entra/clouds";
import type { AppRegistration } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { REDIRECT_PATH, type ProviderSettingsValues } from "@/lib/validations/provider";
import { certificateBinding, DEFAULT_REQUIRED_APP_PERMISSIONS, DEFAULT_SCOPES, PROVIDER_ID, secretBinding } from "./row";

/**
 * The MSP's app registrations (Settings → App registrations): several multi-tenant apps, at least one per
 * cloud the MSP's customers are in, each a row of its own. `PROVIDER_ID` is source 003's registration
 * (the former single settings row). Which registration a tenant uses is decided in ./registrations.ts.
 */

export { PROVIDER_ID } from "./row";

export function defaultRedirectUrl() {
  return new URL(REDIRECT_PATH, env.APP_URL).toString();
}

/** What the browser may see of a registration: secrets only as "set", their hint, thumbprint and expiry. */
export type ProviderSettingsView = {
  id: string;
  exists: boolean;
  name: string;
  isDefault: boolean;
  configured: boolean;
  clientId: string;
  hasSecret: boolean;
  secretHint: string | null;
  secretExpiresAt: Date | null;
  hasCertificate: boolean;
  certificateThumbprint: string | null;
  certificateExpiresAt: Date | null;
  /** Certificate overlap (./certificates.ts): the certificate kept beside the one in use; `retiredAt` null: new, waiting for the switch. */
  standbyCertificate: { thumbprint: string; expiresAt: Date | null; retiredAt: Date | null } | null;
  redirectUrl: string;
  defaultRedirectUrl: string;
  cloud: CloudId;
  customAuthorityHost: string;
  customGraphHost: string;
  customGraphResource: string;
  tokenVersion: "v1" | "v2";
  resource: string;
  scopes: string;
  requiredAppPermissions: string;
  requestOfflineAccess: boolean;
  /** `name=value` lines, as the form shows them. */
  loginParameters: string;
  /** Where the customer's administrator signs in (authorization endpoint, `{tenant}` for the tenant), or null while the Custom hosts are missing. */
  loginUrl: string | null;
  /** Where the console redeems tokens. */
  tokenUrl: string | null;
  homeTenantId: string;
  /** How the credentials' expiry was last read from Graph (./expiry.ts), and when; null: never. */
  expiryCheck: string | null;
  expiryCheckedAt: Date | null;
  version: number;
  updatedAt: Date | null;
};

export type RegistrationSummary = Pick<
  ProviderSettingsView,
  | "id"
  | "name"
  | "cloud"
  | "isDefault"
  | "clientId"
  | "configured"
  | "hasSecret"
  | "secretExpiresAt"
  | "hasCertificate"
  | "certificateExpiresAt"
  | "expiryCheck"
  | "updatedAt"
> & { tenantCount: number };

export function parseLoginParameters(json: string | null | undefined): Record<string, string> {
  try {
    const value = JSON.parse(json ?? "{}") as unknown;
    if (!value || typeof value !== "object" || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"));
  } catch {
    return {};
  }
}

/** The registration's cloud endpoints, or null when its Custom hosts are incomplete. */
export function endpointsOf(p: Pick<AppRegistration, "cloud" | "customAuthorityHost" | "customGraphHost" | "customGraphResource">): CloudEndpoints | null {
  try {
    return cloudEndpoints(p.cloud as CloudId, { authorityHost: p.customAuthorityHost, graphHost: p.customGraphHost, graphResource: p.customGraphResource });
  } catch (e) {
    if (e instanceof CloudConfigurationError) return null;
    throw e;
  }
}

/**
 * The authorization and token endpoints a registration's requests go to, as Entra documents them. For a
 * Custom cloud they follow its authority host.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols#endpoints
 */
export function endpointUrls(endpoints: CloudEndpoints | null, tokenVersion: "v1" | "v2") {
  if (!endpoints) return { loginUrl: null, tokenUrl: null };
  const v = tokenVersion === "v1" ? "" : "/v2.0";
  return { loginUrl: `${endpoints.loginBase}/{tenant}/oauth2${v}/authorize`, tokenUrl: `${endpoints.loginBase}/{tenant}/oauth2${v}/token` };
}

function viewOf(id: string, p: AppRegistration | null): ProviderSettingsView {
  const tokenVersion = p?.tokenVersion === "v1" ? "v1" : "v2";
  const urls = endpointUrls(
    p ? endpointsOf(p) : endpointsOf({ cloud: "GLOBAL", customAuthorityHost: null, customGraphHost: null, customGraphResource: null }),
    tokenVersion,
  );
  return {
    id,
    exists: Boolean(p),
    name: p?.name ?? (id === PROVIDER_ID ? "Default" : ""),
    isDefault: p ? p.defaultForCloud !== null : true,
    configured: Boolean(p?.clientId && (p.clientSecret || p.certificate)),
    clientId: p?.clientId ?? "",
    hasSecret: Boolean(p?.clientSecret),
    secretHint: p?.clientSecretHint ?? null,
    secretExpiresAt: p?.clientSecretExpiresAt ?? null,
    hasCertificate: Boolean(p?.certificate),
    certificateThumbprint: p?.certificateThumbprint ?? null,
    certificateExpiresAt: p?.certificateExpiresAt ?? null,
    standbyCertificate:
      p?.standbyCertificate && p.standbyCertificateThumbprint
        ? { thumbprint: p.standbyCertificateThumbprint, expiresAt: p.standbyCertificateExpiresAt, retiredAt: p.standbyCertificateRetiredAt }
        : null,
    redirectUrl: p?.redirectUrl ?? defaultRedirectUrl(),
    defaultRedirectUrl: defaultRedirectUrl(),
    cloud: (p?.cloud ?? "GLOBAL") as CloudId,
    customAuthorityHost: p?.customAuthorityHost ?? "",
    customGraphHost: p?.customGraphHost ?? "",
    customGraphResource: p?.customGraphResource ?? "",
    tokenVersion,
    resource: p?.resource ?? "https://graph.microsoft.com",
    scopes: p?.scopes ?? DEFAULT_SCOPES,
    requiredAppPermissions: p?.requiredAppPermissions ?? DEFAULT_REQUIRED_APP_PERMISSIONS,
    requestOfflineAccess: p?.requestOfflineAccess ?? true,
    loginParameters: Object.entries(parseLoginParameters(p?.loginParameters))
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
    ...urls,
    homeTenantId: p?.homeTenantId ?? "",
    expiryCheck: p?.expiryCheck ?? null,
    expiryCheckedAt: p?.expiryCheckedAt ?? null,
    version: p?.version ?? 0,
    updatedAt: p?.updatedAt ?? null,
  };
}

/** One registration as its form shows it; the default registration's form works before it exists. */
export async function getProviderSettingsView(): Promise<ProviderSettingsView>;
export async function getProviderSettingsView(id: string): Promise<ProviderSettingsView | null>;
export async function getProviderSettingsView(id: string = PROVIDER_ID): Promise<ProviderSettingsView | null> {
  const p = await db.appRegistration.findUnique({ where: { id } });
  if (!p && id !== PROVIDER_ID) return null;
  return viewOf(id, p);
}

/** The form of a registration not saved yet. */
export function newRegistrationView(cloud: CloudId = "GLOBAL"): ProviderSettingsView {
  return { ...viewOf("", null), cloud, name: "", isDefault: true };
}

/** Every registration, default registrations first per cloud, with how many tenants chose each one explicitly. */
export async function listRegistrations(): Promise<RegistrationSummary[]> {
  const rows = await db.appRegistration.findMany({
    orderBy: [{ cloud: "asc" }, { name: "asc" }, { id: "asc" }],
    include: { _count: { select: { tenants: true } } },
  });
  return rows
    .map((p) => {
      const v = viewOf(p.id, p);
      return {
        id: v.id,
        name: v.name,
        cloud: v.cloud,
        isDefault: v.isDefault,
        clientId: v.clientId,
        configured: v.configured,
        hasSecret: v.hasSecret,
        secretExpiresAt: v.secretExpiresAt,
        hasCertificate: v.hasCertificate,
        certificateExpiresAt: v.certificateExpiresAt,
        expiryCheck: v.expiryCheck,
        updatedAt: v.updatedAt,
        tenantCount: p._count.tenants,
      };
    })
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.cloud.localeCompare(b.cloud) || a.name.localeCompare(b.name));
}

/** Registration with its credentials, for server code that talks to Entra. Never leaves the server. */
export type ProviderApp = {
  registrationId: string;
  name: string;
  clientId: string;
  redirectUrl: string;
  endpoints: CloudEndpoints;
  credential:
    | { kind: "secret"; secret: string }
    | { kind: "certificate"; privateKeyPem: string; certificatePem: string; thumbprintSha1: string; thumbprintSha256: string };
  scopes: string[];
  requestOfflineAccess: boolean;
  requiredAppPermissions: string[];
  loginParameters: Record<string, string>;
  tokenVersion: "v1" | "v2";
  resource: string | null;
  homeTenantId: string | null;
};

export class ProviderNotConfiguredError extends Error {
  constructor(detail: string, name = "The app registration") {
    super(`${name} is not configured: ${detail}. An administrator sets it on Settings → App registrations.`);
    this.name = "ProviderNotConfiguredError";
  }
}

/** Decrypts a registration row into what a call to Entra needs. */
export function appOfRegistration(p: AppRegistration): ProviderApp {
  const label = `App registration "${p.name}"`;
  if (!p.clientId) throw new ProviderNotConfiguredError("the Client ID is not set", label);
  let credential: ProviderApp["credential"];
  if (p.certificate) {
    const cert = JSON.parse(decryptSecret(p.certificate, certificateBinding(p.id))) as ParsedCertificate;
    credential = { kind: "certificate", ...cert };
  } else if (p.clientSecret) {
    credential = { kind: "secret", secret: decryptSecret(p.clientSecret, secretBinding(p.id)) };
  } else {
    throw new ProviderNotConfiguredError("neither a client secret nor a certificate is set", label);
  }
  const endpoints = endpointsOf(p);
  if (!endpoints) throw new ProviderNotConfiguredError("the Custom cloud's authority and Graph hosts are not set", label);
  return {
    registrationId: p.id,
    name: p.name,
    clientId: p.clientId,
    redirectUrl: p.redirectUrl ?? defaultRedirectUrl(),
    endpoints,
    credential,
    scopes: (p.scopes ?? DEFAULT_SCOPES).split(/\s+/).filter(Boolean),
    requestOfflineAccess: p.requestOfflineAccess,
    requiredAppPermissions: p.requiredAppPermissions.split(/\s+/).filter(Boolean),
    loginParameters: parseLoginParameters(p.loginParameters),
    tokenVersion: p.tokenVersion === "v1" ? "v1" : "v2",
    resource: p.resource,
    homeTenantId: p.homeTenantId,
  };
}

/** A registration by id (the default registration when none is named), decrypted. */
export async function loadProviderApp(id: string = PROVIDER_ID): Promise<ProviderApp> {
  const p = await db.appRegistration.findUnique({ where: { id } });
  if (!p) throw new ProviderNotConfiguredError("it has not been saved yet", id === PROVIDER_ID ? "The default app registration" : "The app registration");
  return appOfRegistration(p);
}

/** The refusal of a settings form applied over a version another administrator has replaced. */
export const SETTINGS_CHANGED = () =>
  refuse("version-conflict", "Another administrator changed these settings meanwhile. Reset Changes to load their values, then apply again.");

const auditedFields = [
  "name",
  "defaultForCloud",
  "clientId",
  "redirectUrl",
  "cloud",
  "customAuthorityHost",
  "customGraphHost",
  "customGraphResource",
  "tokenVersion",
  "resource",
  "scopes",
  "requiredAppPermissions",
  "requestOfflineAccess",
  "loginParameters",
  "homeTenantId",
] as const;

function defaultTaken(cloud: CloudId, holder: string) {
  return invalidField(
    "isDefault",
    `"${holder}" is already the default registration for ${cloudNames[cloud]}. Untick this, or make "${holder}" a non-default registration first.`,
  );
}

/**
 * Creates (`id` null) or saves a registration. `expectedVersion` is the version the form was loaded with
 * (0 for a new one): a concurrent change by another admin is reported instead of silently overwritten.
 * Audited with the names of the changed fields only.
 */
export async function applyProviderSettings(input: {
  id?: string | null;
  values: ProviderSettingsValues;
  certificate: ParsedCertificate | null;
  expectedVersion: number;
  actor: AuditActor;
  requestId: string;
}): Promise<Result<{ id: string; version: number; changedFields: string[] }>> {
  const { values, certificate } = input;
  const requestedId = input.id === undefined ? PROVIDER_ID : input.id;
  const current = requestedId ? await db.appRegistration.findUnique({ where: { id: requestedId } }) : null;
  if (requestedId && !current && requestedId !== PROVIDER_ID)
    return refuse("not-found", "This app registration no longer exists; another administrator may have deleted it.");
  if ((current?.version ?? 0) !== input.expectedVersion) return SETTINGS_CHANGED();
  const id = requestedId ?? newId();

  const name = values.name || current?.name || (id === PROVIDER_ID ? "Default" : "");
  if (!name) return invalidField("name", "Name the registration, e.g. MSP console (US Government)");
  // Absent from the input: a stored registration keeps its role; a new one becomes its cloud's default when the cloud has none.
  const wantsDefault = values.isDefault ?? (current ? current.defaultForCloud !== null : true);
  let defaultForCloud: CloudId | null = null;
  if (wantsDefault) {
    const holder = await db.appRegistration.findFirst({ where: { defaultForCloud: values.cloud, NOT: { id } }, select: { name: true } });
    if (!holder) defaultForCloud = values.cloud;
    else if (values.isDefault === true || current) return defaultTaken(values.cloud, holder.name);
  }

  if (certificate && values.certificateThumbprint && ![certificate.thumbprintSha1, certificate.thumbprintSha256].includes(values.certificateThumbprint)) {
    return invalidField("certificateThumbprint", "Does not match the uploaded certificate's SHA-1 or SHA-256 thumbprint");
  }
  if (!certificate && values.certificateThumbprint && current?.certificateThumbprint && values.certificateThumbprint !== current.certificateThumbprint) {
    const stored = current.certificate ? (JSON.parse(decryptSecret(current.certificate, certificateBinding(id))) as ParsedCertificate) : null;
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
    name,
    defaultForCloud,
    clientId: values.clientId,
    redirectUrl: values.redirectUrl,
    cloud: values.cloud,
    customAuthorityHost: values.customAuthorityHost || null,
    customGraphHost: values.customGraphHost || null,
    customGraphResource: values.customGraphResource || null,
    tokenVersion: values.tokenVersion,
    resource: values.tokenVersion === "v1" ? values.resource : (current?.resource ?? null),
    scopes: values.scopes.join(" "),
    requiredAppPermissions: values.requiredAppPermissions.join(" "),
    requestOfflineAccess: values.requestOfflineAccess,
    loginParameters: JSON.stringify(values.loginParameters),
    homeTenantId: values.homeTenantId || null,
  };
  const changedFields: string[] = auditedFields.filter((f) => String(next[f] ?? "") !== String(current?.[f] ?? ""));
  const data: Record<string, unknown> = { ...next };
  if (values.clientSecret) {
    data.clientSecret = encryptSecret(values.clientSecret, secretBinding(id));
    // Entra shows the first three characters of a secret as its hint.
    data.clientSecretHint = values.clientSecret.slice(0, 3);
    data.clientSecretExpiresAt = null;
    changedFields.push("clientSecret");
  }
  if (certificate) {
    data.certificate = encryptSecret(JSON.stringify(certificate), certificateBinding(id));
    data.certificateThumbprint = certificate.thumbprintSha1;
    data.certificateExpiresAt = certificate.notAfter;
    changedFields.push("certificate");
  } else if (values.removeCertificate && current?.certificate) {
    data.certificate = null;
    data.certificateThumbprint = null;
    data.certificateExpiresAt = null;
    changedFields.push("certificate");
  }

  let version: number;
  try {
    if (!current) {
      await db.appRegistration.create({ data: { id, ...(data as { name: string }), version: 1 } });
      version = 1;
    } else {
      const { count } = await db.appRegistration.updateMany({
        where: { id, version: input.expectedVersion },
        data: { ...(data as object), version: { increment: 1 } },
      });
      if (count === 0) return SETTINGS_CHANGED();
      version = input.expectedVersion + 1;
    }
  } catch (e) {
    // Another administrator made another registration this cloud's default meanwhile (the unique defaultForCloud).
    if (isUniqueViolation(e)) return defaultTaken(values.cloud, "Another registration");
    throw e;
  }
  await recordAudit({
    action: requestedId ? "app_registration.updated" : "app_registration.created",
    actor: input.actor,
    target: { type: "app_registration", id },
    requestId: input.requestId,
    details: { name, cloud: values.cloud, changedFields },
  });
  return { ok: true, data: { id, version, changedFields } };
}

/**
 * Stores a rotated client secret on a registration (lib/provider/rotation.ts): the same encrypted column,
 * hint and version step as Apply, audited as an update of `clientSecret`. Refused (false) when the
 * registration changed since `expectedVersion`: an Apply made meanwhile is never overwritten.
 */
export async function storeRotatedSecret(input: {
  id: string;
  secret: string;
  expiresAt: Date | null;
  expectedVersion: number;
  actor: AuditActor;
  requestId?: string;
}): Promise<{ ok: true; version: number } | { ok: false }> {
  const { count } = await db.appRegistration.updateMany({
    where: { id: input.id, version: input.expectedVersion },
    data: {
      clientSecret: encryptSecret(input.secret, secretBinding(input.id)),
      clientSecretHint: input.secret.slice(0, 3),
      clientSecretExpiresAt: input.expiresAt,
      version: { increment: 1 },
    },
  });
  if (count === 0) return { ok: false };
  await recordAudit({
    action: "app_registration.updated",
    actor: input.actor,
    target: { type: "app_registration", id: input.id },
    requestId: input.requestId,
    details: { changedFields: ["clientSecret"], via: "rotation" },
  });
  return { ok: true, version: input.expectedVersion + 1 };
}
