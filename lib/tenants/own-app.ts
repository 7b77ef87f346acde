import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { encryptSecret } from "@/lib/crypto";
import type { ParsedCertificate } from "@/lib/crypto/certificates";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";
import { invalidField, refuse, type Result } from "@/lib/errors";
import type { CredentialKind } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/ids";
import type { OwnAppValues } from "@/lib/validations/own-app";
import { entraTenantOwner, heldBy } from "./manage";

/**
 * The customer-owned app registration of a tenant: its client id on the tenant (Tenant.appClientId), its
 * tenant id and environment as the tenant's entraTenantId and cloud, its secret or certificate as an
 * encrypted TenantCredential (one or the other: entering one removes the other). Switches the tenant to
 * application registration. Audited without any secret.
 */

type Common = { tenantId: string; actor: AuditActor; requestId?: string };

const binding = (id: string) => ({ table: "TenantCredential", rowId: id, field: "secret" }) as const;

export type OwnAppView = {
  clientId: string | null;
  entraTenantId: string | null;
  environment: string;
  hasSecret: boolean;
  secretHint: string | null;
  secretExpiresAt: Date | null;
  hasCertificate: boolean;
  certificateThumbprint: string | null;
  certificateExpiresAt: Date | null;
  /** How the stored credential's expiry was last read from Graph (lib/provider/expiry.ts); null: never tried. */
  expiryCheck: string | null;
};

/** What may leave the server of a tenant's own app registration: never the secret, only its hint and expiry. */
export async function ownAppView(tenantId: string): Promise<OwnAppView | null> {
  const t = await db.tenant.findUnique({
    where: { id: tenantId },
    select: {
      appClientId: true,
      entraTenantId: true,
      cloud: true,
      credentials: {
        where: { kind: { in: ["CLIENT_SECRET", "CERTIFICATE"] } },
        select: { kind: true, label: true, hint: true, expiresAt: true, expiryCheck: true },
      },
    },
  });
  if (!t) return null;
  const secret = t.credentials.find((c) => c.kind === "CLIENT_SECRET");
  const cert = t.credentials.find((c) => c.kind === "CERTIFICATE");
  return {
    clientId: t.appClientId,
    entraTenantId: t.entraTenantId,
    environment: t.cloud,
    hasSecret: Boolean(secret),
    secretHint: secret?.hint ?? null,
    secretExpiresAt: secret?.expiresAt ?? null,
    hasCertificate: Boolean(cert),
    certificateThumbprint: cert?.label ?? null,
    certificateExpiresAt: cert?.expiresAt ?? null,
    expiryCheck: (cert ?? secret)?.expiryCheck ?? null,
  };
}

export async function setOwnApp(input: Common & { values: OwnAppValues; certificate: ParsedCertificate | null }): Promise<Result<{ changedFields: string[] }>> {
  const { values, certificate } = input;
  const tenant = await db.tenant.findUnique({
    where: { id: input.tenantId },
    select: { customerId: true, authMethod: true, appClientId: true, entraTenantId: true, cloud: true, credentials: { select: { id: true, kind: true } } },
  });
  if (!tenant) return refuse("not-found", "This tenant no longer exists; another admin may have deleted it.");
  if (values.entraTenantId !== tenant.entraTenantId) {
    const owner = await entraTenantOwner(values.entraTenantId, input.tenantId);
    if (owner) return invalidField("entraTenantId", `Entra tenant ${values.entraTenantId} is already managed as ${heldBy(owner)}.`);
  }
  const stored = new Map(tenant.credentials.map((c) => [c.kind, c.id]));
  const hasStoredAppCredential = stored.has("CLIENT_SECRET") || stored.has("CERTIFICATE");
  const sameApp = tenant.appClientId === values.clientId;
  if (values.clientSecret && certificate) return invalidField("clientSecret", "Enter a client secret or upload a certificate, not both");
  if (!values.clientSecret && !certificate) {
    if (!hasStoredAppCredential) return invalidField("clientSecret", "Enter the client secret's Value (not its ID), or upload a certificate");
    // A stored secret belongs to the app it was entered for.
    if (!sameApp) return invalidField("clientSecret", "Enter the secret of this app registration: the stored one belongs to another Client ID");
  }

  const changedFields: string[] = [];
  if (!sameApp) changedFields.push("clientId");
  if (tenant.entraTenantId !== values.entraTenantId) changedFields.push("entraTenantId");
  if (tenant.cloud !== values.environment) changedFields.push("environment");
  const writes = [];
  const put = (kind: CredentialKind, secret: string, meta: { label: string; hint: string | null; expiresAt: Date | null }) => {
    const id = stored.get(kind) ?? newId();
    const data = { label: meta.label, hint: meta.hint, expiresAt: meta.expiresAt, secret: encryptSecret(secret, binding(id)) };
    changedFields.push(kind === "CLIENT_SECRET" ? "clientSecret" : "certificate");
    return db.tenantCredential.upsert({
      where: { tenantId_kind: { tenantId: input.tenantId, kind } },
      create: { id, tenantId: input.tenantId, kind, ...data },
      update: { ...data, version: { increment: 1 } },
    });
  };
  const drop = (kind: CredentialKind) => db.tenantCredential.deleteMany({ where: { tenantId: input.tenantId, kind } });
  if (values.clientSecret) {
    // Entra shows the first three characters of a secret as its hint.
    writes.push(
      put("CLIENT_SECRET", values.clientSecret, { label: values.clientId, hint: values.clientSecret.slice(0, 3), expiresAt: values.secretExpiresAt }),
    );
    if (stored.has("CERTIFICATE")) writes.push(drop("CERTIFICATE"));
  } else if (certificate) {
    const pem = JSON.stringify(certificate);
    writes.push(put("CERTIFICATE", pem, { label: certificate.thumbprintSha1, hint: null, expiresAt: certificate.notAfter }));
    if (stored.has("CLIENT_SECRET")) writes.push(drop("CLIENT_SECRET"));
  } else if (values.secretExpiresAt && stored.has("CLIENT_SECRET")) {
    writes.push(db.tenantCredential.updateMany({ where: { tenantId: input.tenantId, kind: "CLIENT_SECRET" }, data: { expiresAt: values.secretExpiresAt } }));
    changedFields.push("secretExpiresAt");
  }
  try {
    await db.$transaction([
      ...writes,
      db.tenant.update({
        where: { id: input.tenantId },
        data: {
          authMethod: "APP_REGISTRATION",
          appClientId: values.clientId,
          entraTenantId: values.entraTenantId,
          cloud: values.environment,
          version: { increment: 1 },
        },
      }),
    ]);
  } catch (e) {
    // Another tenant took this Entra tenant since the check above (the unique index decides).
    if (!isUniqueViolation(e)) throw e;
    const owner = await entraTenantOwner(values.entraTenantId, input.tenantId);
    return invalidField("entraTenantId", `Entra tenant ${values.entraTenantId} is already managed as ${heldBy(owner)}.`);
  }
  await recordAudit({
    action: "tenant.credentials_updated",
    actor: input.actor,
    target: { type: "tenant", id: input.tenantId },
    requestId: input.requestId,
    details: { customerId: tenant.customerId, kind: "OWN_APP_REGISTRATION", clientId: values.clientId, environment: values.environment, changedFields },
  });
  if (tenant.authMethod !== "APP_REGISTRATION") {
    await recordAudit({
      action: "tenant.method_switched",
      actor: input.actor,
      target: { type: "tenant", id: input.tenantId },
      requestId: input.requestId,
      details: { from: tenant.authMethod, to: "APP_REGISTRATION" },
    });
  }
  return { ok: true, data: { changedFields } };
}

/** Back to the MSP's app registration: forgets the customer's client id and its secret or certificate. */
export async function clearOwnApp(input: Common): Promise<Result<undefined>> {
  const tenant = await db.tenant.findUnique({ where: { id: input.tenantId }, select: { customerId: true, appClientId: true } });
  if (!tenant) return refuse("not-found", "This tenant no longer exists; another admin may have deleted it.");
  if (!tenant.appClientId) return { ok: true, data: undefined };
  await db.$transaction([
    db.tenantCredential.deleteMany({ where: { tenantId: input.tenantId, kind: { in: ["CLIENT_SECRET", "CERTIFICATE"] } } }),
    db.tenant.update({ where: { id: input.tenantId }, data: { appClientId: null, version: { increment: 1 } } }),
  ]);
  await recordAudit({
    action: "tenant.credentials_updated",
    actor: input.actor,
    target: { type: "tenant", id: input.tenantId },
    requestId: input.requestId,
    details: { customerId: tenant.customerId, kind: "OWN_APP_REGISTRATION", removed: true },
  });
  return { ok: true, data: undefined };
}

/** Chooses the MSP registration a tenant uses (null: its cloud's default). Refuses one of another cloud. */
export async function chooseRegistration(input: Common & { appRegistrationId: string | null }): Promise<Result<undefined>> {
  const tenant = await db.tenant.findUnique({ where: { id: input.tenantId }, select: { customerId: true, cloud: true, appRegistrationId: true } });
  if (!tenant) return refuse("not-found", "This tenant no longer exists; another admin may have deleted it.");
  if (input.appRegistrationId) {
    const reg = await db.appRegistration.findUnique({ where: { id: input.appRegistrationId }, select: { cloud: true, name: true } });
    if (!reg) return invalidField("appRegistrationId", "This app registration no longer exists");
    if (reg.cloud !== tenant.cloud) {
      return invalidField("appRegistrationId", `"${reg.name}" is registered in another cloud than this tenant's: tokens of one cloud do not work in another`);
    }
  }
  if (tenant.appRegistrationId === input.appRegistrationId) return { ok: true, data: undefined };
  await db.tenant.update({ where: { id: input.tenantId }, data: { appRegistrationId: input.appRegistrationId, version: { increment: 1 } } });
  await recordAudit({
    action: "tenant.app_registration_chosen",
    actor: input.actor,
    target: { type: "tenant", id: input.tenantId },
    requestId: input.requestId,
    details: { customerId: tenant.customerId, appRegistrationId: input.appRegistrationId ?? "cloud default" },
  });
  return { ok: true, data: undefined };
}
