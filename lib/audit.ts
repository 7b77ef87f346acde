import "server-only";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";

/** Every action the audit log knows. A closed list: a typo cannot invent a new kind of event. */
export const auditActions = [
  "auth.sign_in.succeeded",
  "auth.sign_in.failed",
  "auth.sign_in.throttled",
  "auth.sign_out",
  "admin.created",
  "admin.updated",
  "tenant.created",
  "tenant.updated",
  "tenant.deleted",
  "tenant.imported",
  "tenant.verified",
  "tenant.status_changed",
  "tenant.method_switched",
  "tenant.credentials_updated",
  "tenant.authorization_removed",
  "tenant.token_refreshed",
  "tenant.directory_reloaded",
  // Written by migration …_tenant_entra_id_unique only: a tenant that held another's Entra tenant id before the unique index.
  "tenant.entra_tenant_duplicate",
  "verification_run.started",
  "verification_run.cancelled",
  "verification_run.completed",
  "directory_reload.started",
  "directory_reload.cancelled",
  "directory_reload.completed",
  "user_sync.started",
  "user_sync.cancelled",
  "user_sync.completed",
  // The single provider settings row's events, before app registrations (kept for older audit rows).
  "provider_settings.updated",
  "provider_settings.tested",
  "app_registration.created",
  "app_registration.updated",
  "app_registration.tested",
  "app_registration.deleted",
  // Secret rotation (lib/provider/rotation.ts): one row per step, details never hold a secret.
  "app_registration.rotation_started",
  "app_registration.rotation_step",
  "app_registration.rotation_finished",
  // Certificate overlap (lib/provider/certificates.ts): thumbprints only.
  "app_registration.certificate_staged",
  "app_registration.certificate_switched",
  "app_registration.certificate_removed",
  "tenant.app_registration_chosen",
  "consent_link.created",
  "consent_link.revoked",
  "consent.started",
  "consent.granted",
  "consent.failed",
  "keys.rotated",
  "entra_settings.updated",
  "admin.sessions_revoked",
  "admin.password_reset",
  // Emailed invitations and the forced change of a one-time password (lib/admins/invitations.ts, lib/auth/change-password.ts).
  "admin.invited",
  "admin.invitation_revoked",
  "admin.invitation_accepted",
  "admin.password_changed",
  // An admin's own display preferences (density, Tenants columns, time zone); details name the changed fields.
  "admin.preferences_updated",
  "auth.sign_in.refused",
  "api_token.created",
  "api_token.revoked",
  "api.rate_limited",
  "saved_view.created",
  "saved_view.deleted",
  // Notification channels (Settings → Channels): details name the changed fields, never a secret.
  "channel.created",
  "channel.updated",
  "channel.deleted",
  "channel.tested",
  "channel.secret_rotated",
  "channel.rotation_finished",
  // Incidents and alert rules (lib/notify).
  "incident.acknowledged",
  "alert_rule.created",
  "alert_rule.updated",
  "alert_rule.deleted",
  // Tags (lib/tags/manage.ts)
  "tag.created",
  "tag.updated",
  "tag.deleted",
  "tenant.tag_assigned",
  "tenant.tag_removed",
  "tenant.tags_set",
  // Settings → Branding: details name the changed fields, never the logo.
  "branding.updated",
  // Consent campaigns (lib/campaigns)
  "campaign.created",
  "invitation.resent",
  "invitation.revoked",
  // The access-token broker (lib/access-tokens): issuances name the caller, resource, scopes and expiry, never the token.
  "tenant.access_token_issued",
  "tenant.access_token_refused",
  "tenant.access_tokens_blocked",
  "tenant.access_tokens_allowed",
  "access_grant.saved",
  "access_grant.removed",
] as const;

export type AuditAction = (typeof auditActions)[number];

export type AuditActor =
  | { type: "admin"; id: string; label: string }
  | { type: "anonymous"; label: string }
  | { type: "system"; label: string }
  | { type: "api_token"; id: string; label: string }
  | { type: "entra_client"; id: string; label: string };

export type AuditTarget = {
  type:
    | "tenant"
    | "admin"
    | "provider_settings"
    | "app_registration"
    | "verification_run"
    | "directory_reload"
    | "user_sync"
    | "consent_link"
    | "keys"
    | "entra_settings"
    | "api_token"
    | "saved_view"
    | "channel"
    | "incident"
    | "alert_rule"
    | "tag"
    | "branding"
    | "campaign"
    | "invitation"
    | "entra_client"
    | "admin_invitation";
  id: string;
};

/** Details must be non-secret values; keys that look like secrets are dropped as a last line of defence. */
export type AuditDetails = Record<string, string | number | boolean | null | string[]>;

const SECRET_KEY = /secret|password|token|assertion|key|credential|cookie|code_verifier/i;

export function scrubDetails(details: AuditDetails): AuditDetails {
  const out: AuditDetails = {};
  for (const [k, v] of Object.entries(details)) {
    if (SECRET_KEY.test(k) && !/^(changedFields|keyId|tokenName|fields)$/.test(k)) continue;
    out[k] = v;
  }
  return out;
}

export type AuditInput = {
  action: AuditAction;
  actor: AuditActor;
  target?: AuditTarget;
  requestId?: string;
  details?: AuditDetails;
};

export async function recordAudit(input: AuditInput) {
  await auditWrite(input);
}

/** The stored row of an audit event (details scrubbed), for every writer: Prisma below, the driver in lib/tenants/status.ts. */
export function auditRow(input: AuditInput, at = new Date()) {
  return {
    id: newId(),
    at,
    action: input.action,
    actorType: input.actor.type,
    actorId: "id" in input.actor ? input.actor.id : null,
    actorLabel: input.actor.label,
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    requestId: input.requestId ?? null,
    details: JSON.stringify(scrubDetails(input.details ?? {})),
  };
}

/** The audit row as a Prisma operation, for a caller that writes it in its own transaction. */
export function auditWrite(input: AuditInput) {
  return db.auditEvent.create({ data: auditRow(input), select: { id: true } });
}

export const systemActor: AuditActor = { type: "system", label: "system" };
