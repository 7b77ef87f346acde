import { z } from "zod";
import type { ScenarioInput } from "./scenario.js";
import { EmulatorControlError, type EmulatorState } from "./state.js";

/**
 * The emulator's own control surface, under /_emulator on the login listener and loopback only.
 * Operation names are kebab-case; bodies are JSON; see emulator/README.md for the table.
 */

const latencySpec = z.object({ fixedMs: z.number().min(0), jitterMs: z.number().min(0).default(0) });
const scope = z.enum(["token", "graph"]);

const schemas = {
  "load-scenario": z.object({ scenario: z.unknown() }),
  reset: z.object({}).optional(),
  "advance-clock": z.object({ seconds: z.number() }),
  "set-clock": z.object({ now: z.string().optional(), offsetSeconds: z.number().optional() }),
  "set-app-role-assignment": z.object({ apiAppId: z.string(), clientAppId: z.string(), roles: z.array(z.string()) }),
  "set-service-principal-groups": z.object({ tenantId: z.string(), clientAppId: z.string(), groupIds: z.array(z.string()) }),
  "grant-consent": z.object({
    tenantId: z.string(),
    clientId: z.string(),
    applicationPermissions: z.array(z.string()).optional(),
    delegatedPermissions: z.array(z.string()).optional(),
  }),
  "revoke-consent": z.object({ tenantId: z.string(), clientId: z.string() }),
  "add-secret": z.object({ clientId: z.string(), displayName: z.string().optional(), endDateTime: z.string().optional(), secretText: z.string().optional() }),
  "add-certificate": z.object({ clientId: z.string(), certPem: z.string().min(1), displayName: z.string().optional() }),
  "expire-secret": z.object({ clientId: z.string(), keyId: z.string() }),
  "remove-secret": z.object({ clientId: z.string(), keyId: z.string() }),
  "set-redirect-uris": z.object({ clientId: z.string(), redirectUris: z.array(z.string()) }),
  "revoke-user-refresh-tokens": z.object({ upn: z.string() }),
  "change-password": z.object({ upn: z.string(), password: z.string(), revokeRefreshTokens: z.boolean().optional() }),
  "set-mfa": z.object({ upn: z.string(), required: z.boolean() }),
  "disable-user": z.object({ upn: z.string(), disabled: z.boolean().default(true) }),
  "set-conditional-access-block": z.object({ upn: z.string(), blocked: z.boolean() }),
  "add-user": z.object({
    tenantId: z.string(),
    user: z.object({
      id: z.string(),
      userPrincipalName: z.string(),
      displayName: z.string(),
      mail: z.string().nullable().optional(),
      accountEnabled: z.boolean().optional(),
      userType: z.enum(["Member", "Guest"]).optional(),
    }),
  }),
  "update-user": z.object({
    tenantId: z.string(),
    id: z.string(),
    changes: z.object({
      userPrincipalName: z.string().optional(),
      displayName: z.string().optional(),
      mail: z.string().nullable().optional(),
      accountEnabled: z.boolean().optional(),
      userType: z.enum(["Member", "Guest"]).optional(),
    }),
  }),
  "remove-user": z.object({ tenantId: z.string(), id: z.string() }),
  "invalidate-delta-tokens": z.object({ tenantId: z.string(), status: z.union([z.literal(400), z.literal(410)]).default(400) }),
  "set-consent-propagation-delay": z.object({ tenantId: z.string(), seconds: z.number().min(0) }),
  "set-secret-propagation-delay": z.object({ clientId: z.string(), seconds: z.number().min(0) }),
  "disable-tenant": z.object({ tenantId: z.string(), disabled: z.boolean().default(true) }),
  "rotate-signing-keys": z.object({ dropOld: z.boolean().optional() }).optional(),
  "set-latency": z.object({ token: latencySpec.optional(), graph: latencySpec.optional() }),
  throttle: z.object({
    scope,
    count: z.number().int().positive().optional(),
    tenantFraction: z.number().min(0).max(1).optional(),
    tenantIds: z.array(z.string()).optional(),
    endpoint: z.string().optional(),
    retryAfterSeconds: z.number().positive(),
  }),
  "fail-5xx": z.object({ scope, count: z.number().int().positive(), status: z.number().int().min(500).max(599).optional() }),
  hang: z.object({ scope, count: z.number().int().positive() }),
  "clear-faults": z.object({}).optional(),
  "arm-interaction": z.object({ user: z.string(), password: z.string().optional(), mfaCode: z.string().optional(), decision: z.enum(["accept", "cancel"]) }),
  "set-user-roles": z.object({ user: z.string(), roles: z.array(z.string().min(1)).max(20) }),
  "reset-counters": z.object({}).optional(),
  "clear-mailboxes": z.object({ address: z.string().optional() }).optional(),
} as const;

export type ControlOperation = keyof typeof schemas;

export function runControlOperation(state: EmulatorState, op: string, rawBody: unknown): unknown {
  if (!(op in schemas)) throw new EmulatorControlError(404, `unknown control operation '${op}'`);
  const parse = <K extends ControlOperation>(key: K): NonNullable<z.infer<(typeof schemas)[K]>> => {
    const parsed = schemas[key].safeParse(rawBody ?? {});
    if (!parsed.success) throw new EmulatorControlError(400, parsed.error.message);
    return (parsed.data ?? {}) as NonNullable<z.infer<(typeof schemas)[K]>>;
  };
  switch (op as ControlOperation) {
    case "load-scenario": {
      const b = parse("load-scenario");
      // loadScenario validates with the scenario schema before touching state.
      state.loadScenario(b.scenario as ScenarioInput);
      state.resetCounters();
      return { ok: true, tenants: state.scenario.tenants.length };
    }
    case "reset":
      state.reset();
      return { ok: true };
    case "advance-clock": {
      const b = parse("advance-clock");
      return state.advanceClock(b.seconds);
    }
    case "set-clock": {
      const b = parse("set-clock");
      return state.setClock(b);
    }
    case "set-app-role-assignment": {
      const b = parse("set-app-role-assignment");
      return state.setAppRoleAssignment(b.apiAppId, b.clientAppId, b.roles);
    }
    case "set-service-principal-groups": {
      const b = parse("set-service-principal-groups");
      return state.setServicePrincipalGroups(b.tenantId, b.clientAppId, b.groupIds);
    }
    case "grant-consent": {
      const b = parse("grant-consent");
      return state.grantConsent(b.tenantId, b.clientId, { applicationPermissions: b.applicationPermissions, delegatedPermissions: b.delegatedPermissions });
    }
    case "revoke-consent": {
      const b = parse("revoke-consent");
      return { revoked: state.revokeConsent(b.tenantId, b.clientId) };
    }
    case "add-secret": {
      const b = parse("add-secret");
      return state.addSecret(b.clientId, { displayName: b.displayName, endDateTime: b.endDateTime, secretText: b.secretText });
    }
    case "add-certificate": {
      const b = parse("add-certificate");
      return state.addCertificate(b.clientId, b.certPem, { displayName: b.displayName });
    }
    case "expire-secret": {
      const b = parse("expire-secret");
      state.expireSecret(b.clientId, b.keyId);
      return { ok: true };
    }
    case "remove-secret": {
      const b = parse("remove-secret");
      state.removeSecret(b.clientId, b.keyId);
      return { ok: true };
    }
    case "set-redirect-uris": {
      const b = parse("set-redirect-uris");
      state.setRedirectUris(b.clientId, b.redirectUris);
      return { ok: true };
    }
    case "revoke-user-refresh-tokens": {
      const b = parse("revoke-user-refresh-tokens");
      state.revokeUserRefreshTokens(b.upn);
      return { ok: true };
    }
    case "change-password": {
      const b = parse("change-password");
      state.changePassword(b.upn, b.password, { revokeRefreshTokens: b.revokeRefreshTokens });
      return { ok: true };
    }
    case "set-mfa": {
      const b = parse("set-mfa");
      state.setMfa(b.upn, b.required);
      return { ok: true };
    }
    case "disable-user": {
      const b = parse("disable-user");
      state.disableUser(b.upn, b.disabled);
      return { ok: true };
    }
    case "set-conditional-access-block": {
      const b = parse("set-conditional-access-block");
      state.setConditionalAccessBlock(b.upn, b.blocked);
      return { ok: true };
    }
    case "add-user": {
      const b = parse("add-user");
      return state.addUser(b.tenantId, b.user);
    }
    case "update-user": {
      const b = parse("update-user");
      return state.updateUser(b.tenantId, b.id, b.changes);
    }
    case "remove-user": {
      const b = parse("remove-user");
      state.removeUser(b.tenantId, b.id);
      return { ok: true };
    }
    case "invalidate-delta-tokens": {
      const b = parse("invalidate-delta-tokens");
      state.invalidateDeltaTokens(b.tenantId, b.status);
      return { ok: true };
    }
    case "set-consent-propagation-delay": {
      const b = parse("set-consent-propagation-delay");
      state.setConsentPropagationDelay(b.tenantId, b.seconds);
      return { ok: true };
    }
    case "set-secret-propagation-delay": {
      const b = parse("set-secret-propagation-delay");
      state.setSecretPropagationDelay(b.clientId, b.seconds);
      return { ok: true };
    }
    case "disable-tenant": {
      const b = parse("disable-tenant");
      state.disableTenant(b.tenantId, b.disabled);
      return { ok: true };
    }
    case "rotate-signing-keys": {
      const b = parse("rotate-signing-keys");
      return state.rotateSigningKeys({ dropOld: b.dropOld });
    }
    case "set-latency": {
      const b = parse("set-latency");
      state.setLatency(b);
      return { ok: true };
    }
    case "throttle": {
      const b = parse("throttle");
      state.throttle(b);
      return { ok: true };
    }
    case "fail-5xx": {
      const b = parse("fail-5xx");
      state.fail5xx(b);
      return { ok: true };
    }
    case "hang": {
      const b = parse("hang");
      state.hang(b);
      return { ok: true };
    }
    case "clear-faults":
      state.clearFaults();
      return { ok: true };
    case "arm-interaction": {
      const b = parse("arm-interaction");
      state.armInteraction(b);
      return { ok: true };
    }
    case "set-user-roles": {
      const b = parse("set-user-roles");
      return state.setUserRoles(b.user, b.roles);
    }
    case "reset-counters":
      state.resetCounters();
      return { ok: true };
    case "clear-mailboxes": {
      const b = parse("clear-mailboxes");
      return { removed: state.mail.clear(b.address) };
    }
  }
}

export function readControlResource(state: EmulatorState, resource: string): unknown {
  if (resource.startsWith("mailboxes/")) {
    let address: string;
    try {
      address = decodeURIComponent(resource.slice("mailboxes/".length));
    } catch {
      throw new EmulatorControlError(400, "the mailbox address is not URL-encoded correctly");
    }
    return { address: address.toLowerCase(), messages: state.mail.messages(address) };
  }
  switch (resource) {
    case "mailboxes":
      return state.mail.list();
    case "counters":
      return state.getCounters();
    case "request-log":
      return state.requestLog();
    case "clock":
      return { now: new Date(state.clock.now()).toISOString(), offsetSeconds: state.clock.offsetSeconds() };
    case "health":
      return { ok: true };
    case "scenario":
      return state.scenario;
    default:
      throw new EmulatorControlError(404, `unknown control resource '${resource}'`);
  }
}
