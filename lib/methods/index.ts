import { isReasonCode, reasons, type Reason, type ReasonCode } from "@/lib/entra/reasons";
import type { AuthMethod, ConsentFlow, CredentialKind } from "@/lib/generated/prisma/enums";
import { appRegistration } from "./app-registration";
import { authToken } from "./auth-token";
import type { AuthorizationState } from "./authorization";
import type { AuthorizationFacts, MethodModule, Remediation, RemediationContext } from "./method";
import { password } from "./password";

/**
 * The authentication methods, declared once: forms, the table and its filter, the tenant page, the REST
 * API's schemas, CSV import and verification all read this list. The Prisma enum AuthMethod stores the
 * id; index.test.ts checks that both name the same methods.
 */

export const methods = [password, authToken, appRegistration] as const;

/** The stored type; index.test.ts checks that `methods` declares exactly the enum's values. */
export type MethodId = AuthMethod;

export const methodIds: readonly [MethodId, ...MethodId[]] = [methods[0].id, ...methods.slice(1).map((m) => m.id)];

const byId = new Map<string, MethodModule>(methods.map((m) => [m.id, m]));

export function methodById(id: MethodId): MethodModule {
  const m = byId.get(id);
  if (!m) throw new Error(`Unknown authentication method ${id}`);
  return m;
}

export const shortMethodLabels = Object.fromEntries(methods.map((m) => [m.id, m.shortLabel])) as Record<MethodId, string>;

/** Methods a tenant can be switched to in one click, in list order. */
export const switchTargets = methods.filter((m) => m.switchTo !== null);
export const switchTargetIds = switchTargets.map((m) => m.id) as unknown as readonly [MethodId, ...MethodId[]];

/** What the remediation "switch_method" switches to: application permissions involve no user, so no MFA, password or inactivity can break them. */
export const preferredMethod = appRegistration;

/** The remediation of a reason for a tenant on a method (`ownApp`: with the customer's own app registration). */
export function remediationFor(method: MethodId, reason: ReasonCode, context?: RemediationContext): Remediation {
  return methodById(method).remediation(reason, context);
}

/** A tenant's stored status code as the console explains it: the reason with its method's remediation; null for no or an unknown code. */
export function explainStatus(method: MethodId, code: string | null, context?: RemediationContext): (Reason & { code: ReasonCode }) | null {
  if (!code || !isReasonCode(code)) return null;
  return { ...reasons[code], code, remediation: remediationFor(method, code, context) };
}

/** Source 002's authorization status of a tenant (see ./authorization.ts): the same answer on every page and in the REST API. */
export function authorizationState(method: MethodId, facts: AuthorizationFacts): AuthorizationState {
  if (!methodById(method).authorization.hasCredential(facts)) return "NOT_AUTHORIZED";
  return facts.lastStatus === "FAILED" ? "BROKEN" : "AUTHORIZED";
}

/** The consent flow a tenant's consent link runs: its method's own, or that of the method the link moves it to. */
export function consentFlowFor(method: MethodId): ConsentFlow {
  const { consent } = methodById(method);
  return "flow" in consent ? consent.flow : consentFlowFor(consent.movesTo);
}

/** The method a completed consent flow leaves the tenant on. */
export function methodForFlow(flow: ConsentFlow): MethodModule {
  const m = methods.find((x) => "flow" in x.consent && x.consent.flow === flow);
  if (!m) throw new Error(`No authentication method is granted by ${flow}`);
  return m;
}

const credentialLabels = new Map<string, string>(methods.flatMap((m) => m.credentials.map((c) => [c.kind, c.label] as const)));

export function credentialLabel(kind: CredentialKind): string {
  return credentialLabels.get(kind) ?? kind;
}

/** Every credential kind some method stores; all are secret (only their metadata leaves the server). */
export const credentialKinds = [...credentialLabels.keys()] as unknown as readonly [CredentialKind, ...CredentialKind[]];

const csvValues = new Map<string, MethodId>(methods.flatMap((m) => m.csvAliases.map((alias) => [alias, m.id] as const)));

/** The method an imported file's auth_method value names, given lower case without spaces, dashes or underscores (see lib/tenants/csv.ts). */
export function methodFromCsv(normalized: string): MethodId | null {
  return csvValues.get(normalized) ?? null;
}

export type { AuthorizationFacts, MethodModule, Remediation, RemediationContext } from "./method";
export { authorizationLabels, authorizationStates, type AuthorizationState } from "./authorization";
