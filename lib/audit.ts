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
  "tenant.app_registration_chosen",
  "consent_link.created",
  "consent_link.revoked",
  "consent.started",
  "consent.granted",
  "consent.failed",
  "keys.rotated",
  "entra_settings.updated",
  "admin.sessions_revoked",
  "auth.sign_in.refused",
  "api_token.created",
  "api_token.revoked",
  "api.rate_limited",
  "saved_view.created",
  "saved_view.deleted",
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
    | "saved_view";
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
