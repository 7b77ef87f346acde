import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { DecryptionError } from "@/lib/crypto";
import { normalizeThumbprint } from "@/lib/crypto/certificates";
import { db } from "@/lib/db";
import { reasons } from "@/lib/entra/reasons";
import { env } from "@/lib/env";
import { invalidField, type Result } from "@/lib/errors";
import type { AdminRole } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/ids";
import { loadProviderApp, SETTINGS_CHANGED } from "@/lib/provider/settings";
import { formatGroupRoles, parseGroupRoles, type EntraAuthSettingsValues } from "@/lib/validations/entra-auth";
import { entraAuthDefaults, resolveEntraSettings, type EntraAuthValues, type ResolvedEntraSettings } from "./settings-core";

export const ENTRA_SETTINGS_ID = "entra";

/** Seed 001's remediation steps, shown whenever the Certificate Thumbprint cannot be used. */
export const CERTIFICATE_REMEDIATION = [
  "Verify the certificate exists where this console keeps certificates: Settings → App registrations → the default registration's Certificate (the console's equivalent of the Local Machine store, certlm.msc).",
  "If missing, import the .pfx file provided by your administrator there.",
  "Make sure the private key is included (a .cer holds only the public key; re-import a .pfx that contains the private key).",
  "Ensure the thumbprint is copied without leading/trailing whitespace or invisible Unicode characters (common when copying from the Windows Certificate Manager UI).",
] as const;

export type EntraSettingsView = EntraAuthValues & {
  localSignInEnabled: boolean;
  groupRoles: string;
  version: number;
  /** Null when the thumbprint matches a certificate whose private key the console holds. */
  certificateProblem: string | null;
};

async function readRow() {
  return db.entraAuthSettings.findUnique({ where: { id: ENTRA_SETTINGS_ID } });
}

function valuesOf(row: Awaited<ReturnType<typeof readRow>>): EntraAuthValues {
  if (!row) return { ...entraAuthDefaults };
  return {
    enabled: row.enabled,
    tenantId: row.tenantId,
    clientId: row.clientId,
    audience: row.audience,
    issuer: row.issuer,
    authority: row.authority,
    metadataAddress: row.metadataAddress,
    requiredClaims: row.requiredClaims,
    clockSkew: row.clockSkew,
    jwksCacheDuration: row.jwksCacheDuration,
    certificateThumbprint: row.certificateThumbprint,
    groupCacheDuration: row.groupCacheDuration,
    apiAudience: row.apiAudience,
    apiIssuer: row.apiIssuer,
  };
}

export type SigningCertificate = { privateKeyPem: string; certificatePem: string; thumbprintSha1: string; thumbprintSha256: string };

/**
 * The certificate the thumbprint names, with its private key: only the provider app's stored certificate
 * qualifies (the console holds no other private key).
 */
export async function findCertificate(thumbprint: string): Promise<{ ok: true; certificate: SigningCertificate } | { ok: false; problem: string }> {
  const wanted = normalizeThumbprint(thumbprint);
  if (!wanted) return { ok: false, problem: "The thumbprint is not a SHA-1 or SHA-256 hex string." };
  let app;
  try {
    app = await loadProviderApp();
  } catch (e) {
    if (e instanceof DecryptionError) return { ok: false, problem: `The provider app's certificate: ${reasons.SECRET_UNREADABLE.title}.` };
    return { ok: false, problem: "No certificate with a private key is stored (the provider app is not configured)." };
  }
  if (app.credential.kind !== "certificate")
    return { ok: false, problem: "No certificate with a private key is stored: the provider app uses a client secret." };
  const { credential } = app;
  if (![credential.thumbprintSha1, credential.thumbprintSha256].includes(wanted)) {
    return { ok: false, problem: `No stored certificate has this thumbprint (the stored one is ${credential.thumbprintSha1}).` };
  }
  return { ok: true, certificate: credential };
}

export async function getEntraSettingsView(): Promise<EntraSettingsView> {
  const [row, groups] = await Promise.all([readRow(), db.entraGroupRole.findMany({ orderBy: { createdAt: "asc" } })]);
  const values = valuesOf(row);
  const cert = values.certificateThumbprint ? await findCertificate(values.certificateThumbprint) : null;
  return {
    ...values,
    localSignInEnabled: row?.localSignInEnabled ?? true,
    groupRoles: formatGroupRoles(groups.map((g) => ({ groupId: g.groupId, role: g.role }))),
    version: row?.version ?? 0,
    certificateProblem: cert && !cert.ok ? cert.problem : null,
  };
}

/** Whether email + password sign-in is allowed: the environment can switch it off for good. */
export async function isLocalSignInEnabled(): Promise<boolean> {
  if (!env.LOCAL_SIGN_IN_ENABLED) return false;
  const row = await db.entraAuthSettings.findUnique({ where: { id: ENTRA_SETTINGS_ID }, select: { localSignInEnabled: true } });
  return row?.localSignInEnabled ?? true;
}

export type EntraRuntime = {
  settings: ResolvedEntraSettings;
  groupRoles: Map<string, AdminRole>;
};

/** The enabled, resolved settings for sign-in and token validation; null when Entra sign-in is off or unusable. */
export async function loadEntraRuntime(): Promise<EntraRuntime | null> {
  const row = await readRow();
  if (!row?.enabled) return null;
  let settings: ResolvedEntraSettings;
  try {
    settings = resolveEntraSettings(valuesOf(row));
  } catch {
    return null;
  }
  const groups = await db.entraGroupRole.findMany({ select: { groupId: true, role: true } });
  return { settings, groupRoles: new Map(groups.map((g) => [g.groupId, g.role])) };
}

const auditedFields = [
  "enabled",
  "tenantId",
  "clientId",
  "audience",
  "issuer",
  "authority",
  "metadataAddress",
  "requiredClaims",
  "clockSkew",
  "jwksCacheDuration",
  "certificateThumbprint",
  "groupCacheDuration",
  "apiAudience",
  "apiIssuer",
  "localSignInEnabled",
] as const;

export async function applyEntraSettings(input: {
  values: EntraAuthSettingsValues;
  expectedVersion: number;
  actor: AuditActor;
  requestId: string;
}): Promise<Result<{ version: number; changedFields: string[] }>> {
  const { values } = input;
  const current = await readRow();
  if ((current?.version ?? 0) !== input.expectedVersion) return SETTINGS_CHANGED();
  if (values.enabled) {
    const cert = await findCertificate(values.certificateThumbprint);
    if (!cert.ok) {
      return invalidField("certificateThumbprint", `${cert.problem} ${CERTIFICATE_REMEDIATION.map((s, i) => `${i + 1}. ${s}`).join(" ")}`);
    }
  }
  const groups = parseGroupRoles(values.groupRoles);
  if (!groups.ok) return invalidField("groupRoles", groups.error);

  const next = {
    enabled: values.enabled,
    tenantId: values.tenantId,
    clientId: values.clientId,
    audience: values.audience,
    issuer: values.issuer,
    authority: values.authority,
    metadataAddress: values.metadataAddress,
    requiredClaims: values.requiredClaims,
    clockSkew: values.clockSkew,
    jwksCacheDuration: values.jwksCacheDuration,
    certificateThumbprint: values.certificateThumbprint,
    groupCacheDuration: values.groupCacheDuration,
    apiAudience: values.apiAudience,
    apiIssuer: values.apiIssuer,
    localSignInEnabled: values.localSignInEnabled,
  };
  const previous: Record<string, unknown> = current ?? { ...entraAuthDefaults, localSignInEnabled: true };
  const changedFields: string[] = auditedFields.filter((f) => String(next[f]) !== String(previous[f]));
  const before = await db.entraGroupRole.findMany({ select: { groupId: true, role: true } });
  if (formatGroupRoles(before) !== formatGroupRoles(groups.mappings)) changedFields.push("groupRoles");

  const version = input.expectedVersion + 1;
  const saved = await db.$transaction(async (tx) => {
    if (!current) {
      await tx.entraAuthSettings.create({ data: { id: ENTRA_SETTINGS_ID, ...next, version } });
    } else {
      const { count } = await tx.entraAuthSettings.updateMany({ where: { id: ENTRA_SETTINGS_ID, version: input.expectedVersion }, data: { ...next, version } });
      if (count === 0) return false;
    }
    if (changedFields.includes("groupRoles")) {
      await tx.entraGroupRole.deleteMany({});
      await tx.entraGroupRole.createMany({ data: groups.mappings.map((m) => ({ id: newId(), groupId: m.groupId, role: m.role })) });
      // New mappings apply at each user's next group check, not after the old cache runs out.
      await tx.adminUser.updateMany({ where: { entraObjectId: { not: null } }, data: { entraGroupsAt: null } });
    }
    return true;
  });
  if (!saved) return SETTINGS_CHANGED();
  await recordAudit({
    action: "entra_settings.updated",
    actor: input.actor,
    target: { type: "entra_settings", id: ENTRA_SETTINGS_ID },
    requestId: input.requestId,
    details: { changedFields },
  });
  return { ok: true, data: { version, changedFields } };
}
