import { isReasonCode, reasons, type RemediationAction } from "@/lib/entra/reasons";
import { preferredMethod, remediationFor, shortMethodLabels, type MethodId } from "@/lib/methods";
import type { CloudValue } from "@/lib/validations/tenant";

/**
 * Root-cause groups: failed tenants grouped by cause (reason × app registration × cloud, and method,
 * since the fix for a reason depends on it), each with the one bulk action that fixes the whole group.
 * Pure, so the page and the REST API say the same; lib/data/failure-groups.ts counts them.
 */

/** Which app registration a group's tenants sign in with: one named for them, their cloud's default, or the customer's own. */
export type GroupRegistration = { kind: "chosen"; id: string } | { kind: "default" } | { kind: "own" };

export const groupRegistrationValue = (r: GroupRegistration) => (r.kind === "chosen" ? r.id : r.kind);

export function parseGroupRegistration(value: string): GroupRegistration {
  return value === "default" || value === "own" ? { kind: value } : { kind: "chosen", id: value };
}

/**
 * The one bulk action per group:
 * - `apply_credential`: the app registration's own secret or certificate (Settings, its Apply form);
 * - `consent_links`: a consent link for every tenant of the group (downloaded as a CSV to send);
 * - `switch_method`: every tenant of the group to the method that cannot hit the reason;
 * - `verify`: a transient or propagating cause: verify the group again;
 * - `review`: a cause only the customer or the MSP can fix by hand (tenant id, Conditional Access,
 *   support): the group's tenants, filtered, with what to do.
 */
export type GroupFixKind = "apply_credential" | "consent_links" | "switch_method" | "verify" | "review";
export type GroupFix = { kind: GroupFixKind; label: string };

const fixByAction: Partial<Record<RemediationAction, GroupFixKind>> = {
  rotate_secret: "apply_credential",
  rotate_certificate: "apply_credential",
  configure_provider: "apply_credential",
  send_consent_link: "consent_links",
  reauthorize: "consent_links",
  switch_method: "switch_method",
  wait: "verify",
  retry: "verify",
};

/** The method a `switch_method` remediation moves a tenant to: the one it names, else the preferred method. */
export function switchTarget(method: MethodId, reasonCode: string, registration: GroupRegistration): MethodId {
  const code = isReasonCode(reasonCode) ? reasonCode : "UNKNOWN";
  return remediationFor(method, code, { ownApp: registration.kind === "own" }).switchTo ?? preferredMethod.id;
}

export function groupFix(method: MethodId, reasonCode: string, registration: GroupRegistration): GroupFix & { action: RemediationAction; text: string } {
  const code = isReasonCode(reasonCode) ? reasonCode : "UNKNOWN";
  const own = registration.kind === "own";
  const remediation = remediationFor(method, code, { ownApp: own });
  let kind = fixByAction[remediation.action] ?? "review";
  // The customer's own app registration is one app per tenant: its credential is entered tenant by tenant.
  if (kind === "apply_credential" && own) kind = "review";
  const target = remediation.switchTo ?? preferredMethod.id;
  if (kind === "switch_method" && method === target) kind = "review";
  const label = {
    apply_credential:
      remediation.action === "rotate_certificate"
        ? "Apply a new certificate"
        : remediation.action === "rotate_secret"
          ? "Apply a new secret"
          : "Apply a new credential",
    consent_links: method === "AUTH_TOKEN" ? "Send re-authorization links" : "Send consent links",
    switch_method: `Switch to ${shortMethodLabels[target].toLowerCase()}`,
    verify: "Verify again",
    review: "Show tenants",
  }[kind];
  return { kind, label, action: remediation.action, text: remediation.text };
}

export type FailureGroupKey = { reasonCode: string; method: MethodId; cloud: CloudValue; registration: GroupRegistration };

export function reasonTitle(code: string): string {
  return isReasonCode(code) ? reasons[code].title : code;
}
