import type { UserChange, UserResource } from "./directory.js";
import type { MailboxSummary, MailMessage } from "./mail.js";
import type { ScenarioInput } from "./scenario.js";
import type {
  AddSecretOptions,
  ArmedInteraction,
  ConsentRuntime,
  CountersSnapshot,
  FailOptions,
  HangOptions,
  LatencyOptions,
  NewSecret,
  RequestLogEntry,
  SetClockOptions,
  ThrottleOptions,
} from "./state.js";

/**
 * Typed client for the control API (/_emulator/* on the login origin). It uses fetch, so the calling
 * process must trust the emulator's CA (NODE_EXTRA_CA_CERTS).
 */
export class EmulatorControlClient {
  constructor(readonly loginUrl: string) {}

  private async post<T>(op: string, body: unknown = {}): Promise<T> {
    const response = await fetch(`${this.loginUrl}/_emulator/${op}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as unknown;
    if (!response.ok) throw new Error(`emulator control ${op} failed (${response.status}): ${JSON.stringify(json)}`);
    return json as T;
  }

  private async get<T>(resource: string): Promise<T> {
    const response = await fetch(`${this.loginUrl}/_emulator/${resource}`);
    const json = (await response.json()) as unknown;
    if (!response.ok) throw new Error(`emulator control ${resource} failed (${response.status}): ${JSON.stringify(json)}`);
    return json as T;
  }

  loadScenario(scenario: ScenarioInput): Promise<{ ok: true; tenants: number }> {
    return this.post("load-scenario", { scenario });
  }
  reset(): Promise<unknown> {
    return this.post("reset");
  }
  /** Moves the emulator clock; negative seconds move it back (tokens minted then are expired in real time). */
  advanceClock(seconds: number): Promise<{ now: string; offsetSeconds: number }> {
    return this.post("advance-clock", { seconds });
  }
  /** Sets the clock to an instant (`now`, ISO) or an offset from real time (`offsetSeconds`, may be negative). */
  setClock(options: SetClockOptions): Promise<{ now: string; offsetSeconds: number }> {
    return this.post("set-clock", options);
  }
  /** Replaces the app roles of API `apiAppId` assigned to client `clientAppId`; `[]` removes the assignment. */
  setAppRoleAssignment(apiAppId: string, clientAppId: string, roles: string[]): Promise<{ apiAppId: string; clientAppId: string; roles: string[] }> {
    return this.post("set-app-role-assignment", { apiAppId, clientAppId, roles });
  }
  /** Makes client `clientAppId`'s service principal in the tenant a direct member of exactly these groups; `[]` removes it from all. */
  setServicePrincipalGroups(tenantId: string, clientAppId: string, groupIds: string[]): Promise<{ tenantId: string; clientAppId: string; groupIds: string[] }> {
    return this.post("set-service-principal-groups", { tenantId, clientAppId, groupIds });
  }
  clock(): Promise<{ now: string; offsetSeconds: number }> {
    return this.get("clock");
  }
  grantConsent(
    tenantId: string,
    clientId: string,
    permissions: { applicationPermissions?: string[]; delegatedPermissions?: string[] } = {},
  ): Promise<ConsentRuntime> {
    return this.post("grant-consent", { tenantId, clientId, ...permissions });
  }
  revokeConsent(tenantId: string, clientId: string): Promise<{ revoked: boolean }> {
    return this.post("revoke-consent", { tenantId, clientId });
  }
  /** The secret text is returned here only, like Entra's addPassword. */
  addSecret(clientId: string, options: AddSecretOptions = {}): Promise<NewSecret> {
    return this.post("add-secret", { clientId, ...options });
  }
  /** Uploads a certificate's public key (PEM) to the application, as the Entra admin center does. */
  addCertificate(
    clientId: string,
    certPem: string,
    options: { displayName?: string } = {},
  ): Promise<{ keyId: string; thumbprintSha1: string; endDateTime: string }> {
    return this.post("add-certificate", { clientId, certPem, ...options });
  }
  expireSecret(clientId: string, keyId: string): Promise<unknown> {
    return this.post("expire-secret", { clientId, keyId });
  }
  removeSecret(clientId: string, keyId: string): Promise<unknown> {
    return this.post("remove-secret", { clientId, keyId });
  }
  setRedirectUris(clientId: string, redirectUris: string[]): Promise<unknown> {
    return this.post("set-redirect-uris", { clientId, redirectUris });
  }
  revokeUserRefreshTokens(upn: string): Promise<unknown> {
    return this.post("revoke-user-refresh-tokens", { upn });
  }
  changePassword(upn: string, password: string, options: { revokeRefreshTokens?: boolean } = {}): Promise<unknown> {
    return this.post("change-password", { upn, password, ...options });
  }
  setMfa(upn: string, required: boolean): Promise<unknown> {
    return this.post("set-mfa", { upn, required });
  }
  disableUser(upn: string, disabled = true): Promise<unknown> {
    return this.post("disable-user", { upn, disabled });
  }
  setConditionalAccessBlock(upn: string, blocked: boolean): Promise<unknown> {
    return this.post("set-conditional-access-block", { upn, blocked });
  }
  addUser(tenantId: string, user: { id: string; userPrincipalName: string; displayName: string } & UserChange): Promise<UserResource> {
    return this.post("add-user", { tenantId, user });
  }
  updateUser(tenantId: string, id: string, changes: UserChange): Promise<UserResource> {
    return this.post("update-user", { tenantId, id, changes });
  }
  removeUser(tenantId: string, id: string): Promise<unknown> {
    return this.post("remove-user", { tenantId, id });
  }
  /** Refuses every delta link issued so far: 400 syncStateNotFound (expired) or 410 Gone (resync required). */
  invalidateDeltaTokens(tenantId: string, status: 400 | 410 = 400): Promise<unknown> {
    return this.post("invalidate-delta-tokens", { tenantId, status });
  }
  /** For `seconds` after a consent in the tenant, app tokens fail with 700016 (replication); 0 turns it off. */
  setConsentPropagationDelay(tenantId: string, seconds: number): Promise<unknown> {
    return this.post("set-consent-propagation-delay", { tenantId, seconds });
  }

  setSecretPropagationDelay(clientId: string, seconds: number): Promise<unknown> {
    return this.post("set-secret-propagation-delay", { clientId, seconds });
  }
  disableTenant(tenantId: string, disabled = true): Promise<unknown> {
    return this.post("disable-tenant", { tenantId, disabled });
  }
  rotateSigningKeys(options: { dropOld?: boolean } = {}): Promise<{ kid: string; published: string[] }> {
    return this.post("rotate-signing-keys", options);
  }
  setLatency(latency: LatencyOptions): Promise<unknown> {
    return this.post("set-latency", latency);
  }
  throttle(options: ThrottleOptions): Promise<unknown> {
    return this.post("throttle", options);
  }
  fail5xx(options: FailOptions): Promise<unknown> {
    return this.post("fail-5xx", options);
  }
  hang(options: HangOptions): Promise<unknown> {
    return this.post("hang", options);
  }
  clearFaults(): Promise<unknown> {
    return this.post("clear-faults");
  }
  /** The next authorize/adminconsent request completes without HTML, as this user, redirecting like Entra. */
  /** A sign-in user's directory roles ([] for a non-administrator). */
  setUserRoles(user: string, roles: string[]): Promise<unknown> {
    return this.post("set-user-roles", { user, roles });
  }

  armInteraction(interaction: ArmedInteraction): Promise<unknown> {
    return this.post("arm-interaction", interaction);
  }
  counters(): Promise<CountersSnapshot> {
    return this.get("counters");
  }
  resetCounters(): Promise<unknown> {
    return this.post("reset-counters");
  }
  requestLog(): Promise<RequestLogEntry[]> {
    return this.get("request-log");
  }
  /** Every mailbox that received mail (or kept a Sent Items copy) through Graph sendMail, by address. */
  mailboxes(): Promise<MailboxSummary[]> {
    return this.get("mailboxes");
  }
  /** A mailbox's messages, newest first (empty when it never received anything). */
  async mailbox(address: string): Promise<MailMessage[]> {
    const box = await this.get<{ messages: MailMessage[] }>(`mailboxes/${encodeURIComponent(address)}`);
    return box.messages;
  }
  /** Empties one mailbox, or every mailbox when no address is given. */
  clearMailboxes(address?: string): Promise<{ removed: number }> {
    return this.post("clear-mailboxes", address === undefined ? {} : { address });
  }
}
