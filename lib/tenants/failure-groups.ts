import { isReasonCode, reasons, type RemediationAction } from "@/lib/entra/reasons";
import { preferredMethod, remediationFor, shortMethodLabels, type MethodId } from "@/lib/methods";
import { fixFor } from "@/lib/methods/fixes";
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

/** The method a `switch_method` remediation moves a tenant to: the one it names, else the preferred method. */
export function switchTarget(method: MethodId, reasonCode: string, registration: GroupRegistration): MethodId {
  const code = isReasonCode(reasonCode) ? reasonCode : "UNKNOWN";
  return remediationFor(method, code, { ownApp: registration.kind === "own" }).switchTo ?? preferredMethod.id;
}

/**
 * The group's action is its tenants' Fix (lib/methods/fixes.ts) done for all of them at once, where one
 * action can do it for many: a consent link each, one switch, the registration's one credential, one
 * verify. Fixes that are entered tenant by tenant (a password, a customer's own app credential, an
 * edit) or not in the console at all (diagnostics) become `review`: the group's tenants, filtered.
 */
export function groupFix(method: MethodId, reasonCode: string, registration: GroupRegistration): GroupFix & { action: RemediationAction; text: string } {
  const code = isReasonCode(reasonCode) ? reasonCode : "UNKNOWN";
  const ownApp = registration.kind === "own";
  const remediation = remediationFor(method, code, { ownApp });
  // A group of the cloud's default registration names no id; the kind of fix does not depend on it.
  const registrationId = registration.kind === "chosen" ? registration.id : "default";
  const fix = fixFor(remediation, { tenantId: "", method, registrationId, cloud: "", ownApp });
  const { action, text } = remediation;
  const group = (kind: GroupFixKind, label: string) => ({ kind, label, action, text });
  switch (fix?.kind) {
    case "consent_link":
      return group("consent_links", method === "AUTH_TOKEN" ? "Send re-authorization links" : "Send consent links");
    case "switch_method":
      return group("switch_method", `Switch to ${shortMethodLabels[fix.to].toLowerCase()}`);
    case "app_registration":
      return group(
        "apply_credential",
        action === "rotate_certificate" ? "Apply a new certificate" : action === "rotate_secret" ? "Apply a new secret" : "Apply a new credential",
      );
    case "verify":
      return group("verify", "Verify again");
    default:
      return group("review", "Show tenants");
  }
}

export type FailureGroupKey = { reasonCode: string; method: MethodId; cloud: CloudValue; registration: GroupRegistration };

export function reasonTitle(code: string): string {
  return isReasonCode(code) ? reasons[code].title : code;
}
