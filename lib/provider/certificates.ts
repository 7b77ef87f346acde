import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import type { ParsedCertificate } from "@/lib/crypto/certificates";
import { db } from "@/lib/db";
import { classifyFailure } from "@/lib/entra/classify";
import { callPolicy, type RetryPolicy } from "@/lib/entra/http";
import { reasons } from "@/lib/entra/reasons";
import { tokenClient, V2 } from "@/lib/entra/token-client";
import { refuse, type Result } from "@/lib/errors";
import { certificateBinding, standbyCertificateBinding } from "./row";
import { appOfRegistration, SETTINGS_CHANGED } from "./settings";

/**
 * Certificate overlap (issue 19): a new certificate is uploaded beside the one in use and stays on standby,
 * unused, until an administrator switches to it; Entra must know it first (its public key uploaded to the
 * app registration, "Certificates & secrets"), so the switch first gets a token with it in the home tenant
 * and changes nothing when Microsoft refuses. After the switch the old certificate is kept on standby (so
 * the switch can be undone) until it is removed. Every step is audited with thumbprints only.
 *
 * One standby slot: `standbyCertificateRetiredAt` null means a new certificate waiting for the switch, set
 * means the certificate it replaced (and when).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials
 */

export type StandbyCertificateView = { thumbprint: string; expiresAt: Date | null; retiredAt: Date | null };

async function loadRow(id: string) {
  return db.appRegistration.findUnique({ where: { id } });
}

/** Stores `certificate` on standby beside the one in use (replacing an earlier standby). */
export async function stageCertificate(input: {
  id: string;
  certificate: ParsedCertificate;
  expectedVersion: number;
  actor: AuditActor;
  requestId?: string;
  now?: Date;
}): Promise<Result<{ version: number }>> {
  const now = input.now ?? new Date();
  const row = await loadRow(input.id);
  if (!row) return refuse("not-found", "This app registration no longer exists.");
  if (row.version !== input.expectedVersion) return SETTINGS_CHANGED();
  const cert = input.certificate;
  if (!row.certificate)
    return refuse("validation", "This app registration has no certificate in use yet: upload it with Apply Changes, where it is used at once.", {
      certificateFile: ["No certificate in use to overlap"],
    });
  if (cert.thumbprintSha1 === row.certificateThumbprint)
    return refuse("validation", "This is the certificate already in use; upload the new one.", { certificateFile: ["Same as the certificate in use"] });
  if (cert.notAfter && cert.notAfter.getTime() <= now.getTime())
    return refuse("validation", "This certificate has expired; upload a valid one.", { certificateFile: ["Expired"] });
  const { count } = await db.appRegistration.updateMany({
    where: { id: input.id, version: input.expectedVersion },
    data: {
      standbyCertificate: encryptSecret(JSON.stringify(cert), standbyCertificateBinding(input.id)),
      standbyCertificateThumbprint: cert.thumbprintSha1,
      standbyCertificateExpiresAt: cert.notAfter,
      standbyCertificateRetiredAt: null,
      version: { increment: 1 },
    },
  });
  if (count === 0) return SETTINGS_CHANGED();
  await recordAudit({
    action: "app_registration.certificate_staged",
    actor: input.actor,
    target: { type: "app_registration", id: input.id },
    requestId: input.requestId,
    details: { thumbprint: cert.thumbprintSha1, expiresAt: cert.notAfter?.toISOString() ?? null, replaced: row.standbyCertificateThumbprint },
  });
  return { ok: true, data: { version: input.expectedVersion + 1 } };
}

/**
 * Switches to the standby certificate: the one in use goes on standby, retired. Refused with nothing
 * changed when Microsoft does not accept the standby certificate in the home tenant.
 */
export async function switchCertificate(input: {
  id: string;
  expectedVersion: number;
  actor: AuditActor;
  requestId?: string;
  policy?: RetryPolicy;
  now?: Date;
}): Promise<Result<{ version: number; thumbprint: string }>> {
  const now = input.now ?? new Date();
  const row = await loadRow(input.id);
  if (!row) return refuse("not-found", "This app registration no longer exists.");
  if (row.version !== input.expectedVersion) return SETTINGS_CHANGED();
  const standby = row.certificate ? standbyOf(row) : null;
  if (!standby) return refuse("conflict", "There is no standby certificate to switch to.");
  const refused = async (message: string) => {
    await recordAudit({
      action: "app_registration.certificate_switched",
      actor: input.actor,
      target: { type: "app_registration", id: row.id },
      requestId: input.requestId,
      details: { outcome: "refused", thumbprint: standby.thumbprintSha1, message },
    });
    return refuse("conflict", message);
  };
  if (standby.notAfter && new Date(standby.notAfter).getTime() <= now.getTime())
    return refused("The standby certificate has expired; upload a new one. Nothing was changed.");
  if (row.homeTenantId) {
    const app = appOfRegistration(row);
    const token = await tokenClient(app.tokenVersion === "v1" ? { version: "v1", resource: app.endpoints.graphResource } : V2).acquireAppToken({
      endpoints: app.endpoints,
      clientId: app.clientId,
      credential: { kind: "certificate", ...standby },
      tenant: row.homeTenantId,
      policy: input.policy ?? callPolicy("consent"),
    });
    if (!token.ok) {
      const reason = classifyFailure(token.failure);
      return refused(
        `Microsoft does not accept the standby certificate (${reasons[reason].title}): upload its public key (.cer) to the app registration in the Entra admin center (Certificates & secrets), wait a minute, and switch again. Nothing was changed.`,
      );
    }
  }
  const swapped = await switchToStandby({ id: row.id, expectedVersion: input.expectedVersion, actor: input.actor, requestId: input.requestId, now });
  if (!swapped) return SETTINGS_CHANGED();
  return { ok: true, data: { version: input.expectedVersion + 1, thumbprint: standby.thumbprintSha1 } };
}

/** The standby certificate of a registration row, decrypted, or null when there is none waiting for the switch. */
export function standbyOf(row: { id: string; standbyCertificate: string | null; standbyCertificateRetiredAt: Date | null }): ParsedCertificate | null {
  if (!row.standbyCertificate || row.standbyCertificateRetiredAt) return null;
  return JSON.parse(decryptSecret(row.standbyCertificate, standbyCertificateBinding(row.id))) as ParsedCertificate;
}

/**
 * Swaps the certificate in use with the standby one (one compare-and-set on the version), audited; false
 * when the registration changed or has nothing to switch to. Callers check first that Entra accepts it:
 * switchCertificate with one token, a rotation (./rotation.ts) with a canary of tenants.
 */
export async function switchToStandby(input: { id: string; expectedVersion: number; actor: AuditActor; requestId?: string; now: Date }): Promise<boolean> {
  const row = await loadRow(input.id);
  if (!row || row.version !== input.expectedVersion || !row.certificate) return false;
  const standby = standbyOf(row);
  if (!standby) return false;
  const current = decryptSecret(row.certificate, certificateBinding(row.id));
  const { count } = await db.appRegistration.updateMany({
    where: { id: row.id, version: input.expectedVersion },
    data: {
      certificate: encryptSecret(JSON.stringify(standby), certificateBinding(row.id)),
      certificateThumbprint: standby.thumbprintSha1,
      certificateExpiresAt: standby.notAfter ? new Date(standby.notAfter) : null,
      standbyCertificate: encryptSecret(current, standbyCertificateBinding(row.id)),
      standbyCertificateThumbprint: row.certificateThumbprint,
      standbyCertificateExpiresAt: row.certificateExpiresAt,
      standbyCertificateRetiredAt: input.now,
      version: { increment: 1 },
    },
  });
  if (count === 0) return false;
  await recordAudit({
    action: "app_registration.certificate_switched",
    actor: input.actor,
    target: { type: "app_registration", id: row.id },
    requestId: input.requestId,
    details: { outcome: "switched", thumbprint: standby.thumbprintSha1, previous: row.certificateThumbprint },
  });
  return true;
}

/** Removes the standby certificate (a retired one, or a new one not wanted after all). */
export async function removeStandbyCertificate(input: {
  id: string;
  expectedVersion: number;
  actor: AuditActor;
  requestId?: string;
}): Promise<Result<{ version: number }>> {
  const row = await loadRow(input.id);
  if (!row) return refuse("not-found", "This app registration no longer exists.");
  if (row.version !== input.expectedVersion) return SETTINGS_CHANGED();
  if (!row.standbyCertificate) return refuse("conflict", "There is no standby certificate to remove.");
  const { count } = await db.appRegistration.updateMany({
    where: { id: row.id, version: input.expectedVersion },
    data: {
      standbyCertificate: null,
      standbyCertificateThumbprint: null,
      standbyCertificateExpiresAt: null,
      standbyCertificateRetiredAt: null,
      version: { increment: 1 },
    },
  });
  if (count === 0) return SETTINGS_CHANGED();
  await recordAudit({
    action: "app_registration.certificate_removed",
    actor: input.actor,
    target: { type: "app_registration", id: row.id },
    requestId: input.requestId,
    details: { thumbprint: row.standbyCertificateThumbprint, retired: row.standbyCertificateRetiredAt !== null },
  });
  return { ok: true, data: { version: input.expectedVersion + 1 } };
}
