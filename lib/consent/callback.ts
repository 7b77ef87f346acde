import "server-only";
import type { AuditActor } from "@/lib/audit";
import { recordAudit } from "@/lib/audit";
import { DecryptionError, decryptSecret, encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { classifyFailure, type EntraFailure } from "@/lib/entra/classify";
import { callPolicy } from "@/lib/entra/http";
import { protocolOf, tokenClient } from "@/lib/entra/token-client";
import { reasons } from "@/lib/entra/reasons";
import { readAccessTokenClaims } from "@/lib/entra/token-claims";
import { newId } from "@/lib/ids";
import { recordInvitationOutcome } from "@/lib/campaigns/invitations";
import { methodForFlow, type MethodId } from "@/lib/methods";
import type { CloudId } from "@/lib/entra/clouds";
import { appForTenant } from "@/lib/provider/registrations";
import type { ProviderApp } from "@/lib/provider/settings";
import { isUniqueViolation } from "@/lib/db-client";
import { entraTenantOwner, heldBy } from "@/lib/tenants/manage";
import { recordConsentReceived, recordFailure } from "@/lib/tenants/status";
import { verifyTenant, type VerificationOutcome } from "@/lib/verification";
import { browserBindingHash } from "./browser-binding";
import { delegatedScopes, UNREADABLE_FOR_CUSTOMER } from "./flow";
import { hashToken } from "./links";

/**
 * The OAuth redirect URI (/authenticate/OAuth2Callback) is reachable by anyone on the internet. Nothing
 * in the query is trusted until the state checks out, and Microsoft's `tenant` parameter is never
 * trusted at all: consent is confirmed by acquiring a token and reading its tenant id.
 * The state checks out once, before it expires, while its consent link is not revoked, and only in the
 * browser that started it: its consent cookie's hash must equal the state's browserBinding
 * (browser-binding.ts). A response carried into another browser, such as a link to a half-finished
 * consent sent to someone else, completes nothing.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent#successful-response
 * @see https://datatracker.ietf.org/doc/html/rfc9700#section-4.7
 */

export const ALLOWED_PARAMS: Record<string, number> = {
  state: 128,
  code: 8192,
  error: 128,
  error_description: 4096,
  error_subcode: 128,
  error_uri: 2048,
  admin_consent: 16,
  tenant: 128,
  scope: 4096,
  session_state: 256,
  client_info: 2048,
};
export const MAX_URL_LENGTH = 16_384;
const STATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type CallbackOutcome =
  | { kind: "bad_request"; message: string }
  /** `reason`: cancelled at the consent screen, signed in without an admin role (AADSTS90094), or another error. */
  | { kind: "declined"; tenantName: string; message: string; codes: number[]; reason: "cancelled" | "not_admin" | "error" }
  /**
   * Signed in with an account of another directory. `expectedDomain`: the link's tenant as the customer
   * knows it; `account` (from Microsoft's AADSTS50020 description) and `otherTenant` (the token's or
   * the response's tenant id) when known. For the result page only: never trusted for anything else.
   */
  | { kind: "mismatch"; tenantName: string; message: string; expectedDomain: string | null; account: string | null; otherTenant: string | null }
  | { kind: "failed"; tenantName: string; title: string; message: string; codes: number[] }
  | { kind: "success"; tenantName: string; flow: "ADMIN_CONSENT" | "AUTH_CODE"; verification: VerificationOutcome }
  /** Consent was received; Microsoft does not confirm it yet (replication), and the console keeps checking. */
  | { kind: "confirming"; tenantName: string; flow: "ADMIN_CONSENT" | "AUTH_CODE" };

/** What Entra answers while a new consent replicates (see lib/tenants/failure-policy.ts). */
const PROPAGATION_REASONS: ReadonlySet<string> = new Set(["APP_NOT_IN_TENANT", "CONSENT_REQUIRED"]);

type Params = Record<string, string>;

/** Parses the query strictly: unknown keys are ignored, duplicated or oversized known keys are refused. */
export function parseCallbackQuery(url: URL): { ok: true; params: Params } | { ok: false; message: string } {
  if (url.href.length > MAX_URL_LENGTH) return { ok: false, message: "The request is too large." };
  const params: Params = {};
  for (const key of new Set(url.searchParams.keys())) {
    const limit = ALLOWED_PARAMS[key];
    if (limit === undefined) continue;
    const values = url.searchParams.getAll(key);
    if (values.length > 1) return { ok: false, message: `The parameter ${key} appears more than once.` };
    if (values[0]!.length > limit) return { ok: false, message: `The parameter ${key} is too long.` };
    params[key] = values[0]!;
  }
  if (!params.state) return { ok: false, message: "The response has no state. Start again from the consent link." };
  if (!STATE_PATTERN.test(params.state)) return { ok: false, message: "The response's state is not valid. Start again from the consent link." };
  return { ok: true, params };
}

function aadstsCodes(description: string | undefined): number[] {
  // Redirect errors carry the AADSTS number only inside error_description; the number is stable, the text is not.
  return [...(description ?? "").matchAll(/AADSTS(\d{5,7})/g)].map((m) => Number(m[1]));
}

const customerActor = (customerId: string): AuditActor => ({ type: "anonymous", label: `customer admin of ${customerId}` });

/** Why a state did not check out, told only once the state is known to exist (a state is not guessable). */
async function refusal(stateHash: string, browserBinding: string | null, now: Date): Promise<CallbackOutcome> {
  const state = await db.oAuthState.findUnique({
    where: { stateHash },
    select: { flow: true, usedAt: true, cancelledAt: true, expiresAt: true, tenant: { select: { id: true, customerId: true, displayName: true } } },
  });
  if (!state || state.usedAt || state.expiresAt <= now) {
    return { kind: "bad_request", message: "This sign-in response has expired or was already used. Start again from the consent link." };
  }
  const { tenant } = state;
  const reason = state.cancelledAt ? "link_revoked" : "browser_mismatch";
  await recordAudit({
    action: "consent.failed",
    actor: customerActor(tenant.customerId),
    target: { type: "tenant", id: tenant.id },
    details: {
      customerId: tenant.customerId,
      flow: state.flow,
      reason,
      ...(reason === "browser_mismatch" ? { binding: browserBinding ? "different" : "missing" } : {}),
    },
  });
  return state.cancelledAt
    ? {
        kind: "failed",
        tenantName: tenant.displayName,
        title: "This consent link was revoked",
        message:
          "Your service provider revoked this consent link, so this response was not accepted and the console recorded nothing. Ask them for a new link.",
        codes: [],
      }
    : {
        kind: "failed",
        tenantName: tenant.displayName,
        title: "Open the consent link again in this browser",
        message:
          "This response came back to a different browser than the one that opened the consent link (or its cookies were cleared), so it was not accepted. Open the consent link again in this browser and continue from there.",
        codes: [],
      };
}

/** `browserKey`: the value of the request's consent cookie (CONSENT_BROWSER_COOKIE), if any. */
export async function handleCallback(url: URL, browserKey: string | undefined): Promise<CallbackOutcome> {
  const outcome = await consumeCallback(url, browserKey);
  // A campaign's invitation follows the answer (a no-op for a link sent without a campaign).
  const state = url.searchParams.get("state");
  if (outcome.kind !== "bad_request" && state && STATE_PATTERN.test(state)) {
    const row = await db.oAuthState.findUnique({ where: { stateHash: hashToken(state) }, select: { consentLinkId: true } });
    await recordInvitationOutcome(row?.consentLinkId ?? null, outcome);
  }
  return outcome;
}

async function consumeCallback(url: URL, browserKey: string | undefined): Promise<CallbackOutcome> {
  const parsed = parseCallbackQuery(url);
  if (!parsed.ok) return { kind: "bad_request", message: parsed.message };
  const p = parsed.params;

  // Single use, in this browser, while the link stands: the first request to consume the state wins.
  const now = new Date();
  const stateHash = hashToken(p.state!);
  const browserBinding = browserBindingHash(browserKey);
  const { count } = browserBinding
    ? await db.oAuthState.updateMany({ where: { stateHash, usedAt: null, cancelledAt: null, expiresAt: { gt: now }, browserBinding }, data: { usedAt: now } })
    : { count: 0 };
  if (count !== 1) return refusal(stateHash, browserBinding, now);
  const state = await db.oAuthState.findUniqueOrThrow({
    where: { stateHash },
    include: {
      tenant: {
        select: {
          id: true,
          customerId: true,
          displayName: true,
          entraTenantId: true,
          primaryDomain: true,
          adminEmail: true,
          authMethod: true,
          cloud: true,
          appRegistrationId: true,
        },
      },
    },
  });
  const tenant = state.tenant;
  const actor = customerActor(tenant.customerId);

  if (p.error) {
    const codes = aadstsCodes(p.error_description);
    // AADSTS50020/50034/51004: the account that signed in does not belong to the link's tenant.
    if (codes.some((c) => [50020, 50034, 51004].includes(c))) {
      // The account is named only in the description's text; shown back to the customer, never trusted.
      const account = /User account '([^'\s]{1,256})'/.exec(p.error_description ?? "")?.[1] ?? null;
      return mismatch(tenant, actor, { error: p.error, codes: codes.join(",") }, { account });
    }
    const cancelled = codes.includes(65004) || p.error_subcode === "cancel" || (p.error === "access_denied" && codes.length === 0);
    // AADSTS90094: the account has no role that may grant admin consent.
    const notAdmin = !cancelled && codes.includes(90094);
    const message = cancelled
      ? "The administrator cancelled or declined the consent request. Nothing was granted."
      : notAdmin
        ? "The account that signed in is not an administrator who can grant this consent (AADSTS90094). Nothing was granted."
        : `Microsoft reported an error (${p.error}${codes.length ? `, AADSTS${codes.join(", AADSTS")}` : ""}). Nothing was granted.`;
    await recordFailure(tenant.id, { reasonCode: cancelled ? "CONSENT_DECLINED" : "CONSENT_REQUIRED", message });
    await recordAudit({
      action: "consent.failed",
      actor,
      target: { type: "tenant", id: tenant.id },
      details: { customerId: tenant.customerId, flow: state.flow, error: p.error, errorSubcode: p.error_subcode ?? null, codes: codes.map(String) },
    });
    return { kind: "declined", tenantName: tenant.displayName, message, codes, reason: cancelled ? "cancelled" : notAdmin ? "not_admin" : "error" };
  }

  let app: ProviderApp;
  try {
    app = await appForTenant({ cloud: tenant.cloud as CloudId, appRegistrationId: tenant.appRegistrationId });
  } catch (e) {
    if (e instanceof DecryptionError) return unreadable(tenant);
    return {
      kind: "failed",
      tenantName: tenant.displayName,
      title: reasons.NOT_CONFIGURED.title,
      message: "The service provider's app is not configured.",
      codes: [],
    };
  }
  if (p.tenant !== undefined && !GUID.test(p.tenant)) return { kind: "bad_request", message: "The response names an invalid tenant." };

  return state.flow === "ADMIN_CONSENT" ? completeAdminConsent(app, tenant, p, actor) : completeAuthCode(app, tenant, state, p, actor);
}

function unreadable(tenant: { displayName: string }): CallbackOutcome {
  return { kind: "failed", tenantName: tenant.displayName, title: reasons.SECRET_UNREADABLE.title, message: UNREADABLE_FOR_CUSTOMER, codes: [] };
}

type StateTenant = {
  id: string;
  customerId: string;
  displayName: string;
  entraTenantId: string | null;
  primaryDomain: string | null;
  adminEmail: string;
  authMethod: string;
};

async function mismatch(
  tenant: StateTenant,
  actor: AuditActor,
  details: Record<string, string | null>,
  seen: { account?: string | null } = {},
): Promise<CallbackOutcome> {
  const message =
    "Consent came from a different tenant than the one this link is for. Nothing was stored; the administrator must sign in with an account of the right tenant.";
  await recordAudit({
    action: "consent.failed",
    actor,
    target: { type: "tenant", id: tenant.id },
    details: { customerId: tenant.customerId, reason: "tenant_mismatch", ...details },
  });
  return {
    kind: "mismatch",
    tenantName: tenant.displayName,
    message,
    expectedDomain: tenant.primaryDomain ?? tenant.entraTenantId,
    account: seen.account ?? null,
    otherTenant: details.tokenTenant ?? details.returnedTenant ?? null,
  };
}

async function completeAdminConsent(app: ProviderApp, tenant: StateTenant, p: Params, actor: AuditActor): Promise<CallbackOutcome> {
  const expected = tenant.entraTenantId ?? tenant.primaryDomain!;
  const returned = p.tenant?.toLowerCase() ?? null;
  if (tenant.entraTenantId && returned && returned !== tenant.entraTenantId.toLowerCase()) {
    return mismatch(tenant, actor, { returnedTenant: returned });
  }
  // Proof of consent: a token for the tenant the link was for. Right after consent Entra may answer
  // AADSTS700016 (or 65001) for a few minutes while it replicates: then the consent counts as received
  // and is confirmed by checks on a backoff (lib/tenants/failure-policy.ts), not reported as a failure.
  const call = { endpoints: app.endpoints, clientId: app.clientId, credential: app.credential, policy: callPolicy("consent") };
  const { acquireAppToken } = tokenClient(protocolOf(app));
  const token = await acquireAppToken({ ...call, tenant: expected });
  if (!token.ok) {
    if (returned && tenant.entraTenantId === null) {
      // We asked by domain and could not get a token there, while Microsoft says some tenant consented.
      const probe = await acquireAppToken({ ...call, tenant: returned });
      if (probe.ok) return mismatch(tenant, actor, { returnedTenant: returned });
    }
    if (PROPAGATION_REASONS.has(classifyFailure(token.failure))) {
      // The tenant id stays unknown until a token names it: Microsoft's `tenant` parameter is not proof.
      await finishSuccess(tenant, { entraTenantId: tenant.entraTenantId, authMethod: methodForFlow("ADMIN_CONSENT").id }, actor, "ADMIN_CONSENT", {
        confirming: true,
        codes: (token.failure.errorCodes ?? []).map(String),
      });
      await recordConsentReceived(tenant.id);
      return { kind: "confirming", tenantName: tenant.displayName, flow: "ADMIN_CONSENT" };
    }
    const { code, outcome } = await entraFailure(tenant, actor, "ADMIN_CONSENT", token.failure);
    await recordFailure(tenant.id, { reasonCode: code, message: reasons[code].title });
    return outcome;
  }
  const tid = readAccessTokenClaims(token.accessToken).tid?.toLowerCase() ?? null;
  if (!tid || (tenant.entraTenantId && tid !== tenant.entraTenantId.toLowerCase()) || (returned && tid !== returned)) {
    return mismatch(tenant, actor, { returnedTenant: returned, tokenTenant: tid });
  }
  const taken = await managedAsAnother(tenant, actor, "ADMIN_CONSENT", tid);
  if (taken) return taken;
  const raced = await finishSuccess(tenant, { entraTenantId: tid, authMethod: methodForFlow("ADMIN_CONSENT").id }, actor, "ADMIN_CONSENT");
  if (raced) return raced;
  return verifyReceivedConsent(tenant, actor, "ADMIN_CONSENT");
}

/**
 * The consent is in: the tenant is "confirming" from now, and checked at once. A check that passes, or
 * fails for a reason other than replication, settles it; otherwise the checks go on in the background.
 */
async function verifyReceivedConsent(tenant: StateTenant, actor: AuditActor, flow: "ADMIN_CONSENT" | "AUTH_CODE"): Promise<CallbackOutcome> {
  await recordConsentReceived(tenant.id);
  const verification = await verifyTenant(tenant.id, { actor });
  if (verification.status === "FAILED" && PROPAGATION_REASONS.has(verification.reasonCode)) {
    const { consentConfirmingUntil } = await db.tenant.findUniqueOrThrow({ where: { id: tenant.id }, select: { consentConfirmingUntil: true } });
    if (consentConfirmingUntil) return { kind: "confirming", tenantName: tenant.displayName, flow };
  }
  return { kind: "success", tenantName: tenant.displayName, flow, verification };
}

/**
 * One Entra tenant, one customer: a tenant known by its domain whose consent names an Entra tenant another
 * customer already holds stores nothing. The customer's admin is not told which customer (the result page
 * is theirs); the MSP sees it on the tenant and in the audit. Null: the tenant is this customer's.
 */
async function managedAsAnother(tenant: StateTenant, actor: AuditActor, flow: "ADMIN_CONSENT" | "AUTH_CODE", tid: string): Promise<CallbackOutcome | null> {
  if (tenant.entraTenantId?.toLowerCase() === tid) return null;
  const owner = await entraTenantOwner(tid, tenant.id);
  return owner ? refuseManagedAsAnother(tenant, actor, flow, tid, owner) : null;
}

async function refuseManagedAsAnother(
  tenant: StateTenant,
  actor: AuditActor,
  flow: "ADMIN_CONSENT" | "AUTH_CODE",
  tid: string,
  owner: string | undefined,
): Promise<CallbackOutcome> {
  await recordAudit({
    action: "consent.failed",
    actor,
    target: { type: "tenant", id: tenant.id },
    details: { customerId: tenant.customerId, flow, reason: "tenant_already_managed", entraTenantId: tid, ...(owner ? { alsoManagedAs: owner } : {}) },
  });
  await recordFailure(tenant.id, {
    reasonCode: "TENANT_MISMATCH",
    message: `Consent came from Entra tenant ${tid}, which is already managed as ${heldBy(owner)}. Nothing was stored: one Entra tenant is managed as one customer. Delete one of the two tenants, or send this customer's link to the right tenant.`,
  });
  return {
    kind: "failed",
    tenantName: tenant.displayName,
    title: "This Microsoft tenant is already registered with your provider",
    message: "Your provider already manages the Microsoft tenant you signed in to under another customer record, so nothing was stored.",
    codes: [],
  };
}

/** Stores the consent; a refusal (null when stored) when another customer took the same Entra tenant meanwhile (the unique index). */
async function finishSuccess(
  tenant: StateTenant,
  data: { entraTenantId: string | null; authMethod: MethodId },
  actor: AuditActor,
  flow: "ADMIN_CONSENT" | "AUTH_CODE",
  confirming?: { confirming: true; codes: string[] },
): Promise<CallbackOutcome | null> {
  try {
    await db.tenant.update({ where: { id: tenant.id }, data: { ...data, version: { increment: 1 } } });
  } catch (e) {
    if (!isUniqueViolation(e) || !data.entraTenantId) throw e;
    return refuseManagedAsAnother(tenant, actor, flow, data.entraTenantId, await entraTenantOwner(data.entraTenantId, tenant.id));
  }
  await db.consentLink.updateMany({
    where: { tenantId: tenant.id, flow, completedAt: null },
    data: { completedAt: new Date() },
  });
  await recordAudit({
    action: "consent.granted",
    actor,
    target: { type: "tenant", id: tenant.id },
    details: { customerId: tenant.customerId, flow, entraTenantId: data.entraTenantId, ...(confirming ?? {}) },
  });
  if (tenant.authMethod !== data.authMethod) {
    await recordAudit({
      action: "tenant.method_switched",
      actor,
      target: { type: "tenant", id: tenant.id },
      details: { from: tenant.authMethod, to: data.authMethod, via: "consent" },
    });
  }
  return null;
}

/**
 * A call to Microsoft that failed, told the way verification tells it: the reason chosen from the error
 * codes (lib/entra/classify.ts), its title and explanation for the customer, the same reason name and
 * codes in the audit.
 */
async function entraFailure(tenant: StateTenant, actor: AuditActor, flow: "ADMIN_CONSENT" | "AUTH_CODE", failure: EntraFailure) {
  const code = classifyFailure(failure);
  const r = reasons[code];
  const codes = failure.errorCodes ?? [];
  await recordAudit({
    action: "consent.failed",
    actor,
    target: { type: "tenant", id: tenant.id },
    details: { customerId: tenant.customerId, flow, reason: code, ...(failure.error ? { error: failure.error } : {}), codes: codes.map(String) },
  });
  const outcome: CallbackOutcome = { kind: "failed", tenantName: tenant.displayName, title: r.title, message: `${r.explanation} ${r.remediation.text}`, codes };
  return { code, outcome };
}

async function completeAuthCode(
  app: ProviderApp,
  tenant: StateTenant,
  state: { id: string; codeVerifier: string | null; nonce: string | null; redirectUri: string },
  p: Params,
  actor: AuditActor,
): Promise<CallbackOutcome> {
  if (!p.code || !state.codeVerifier || !state.nonce) return { kind: "bad_request", message: "The response has no authorization code." };
  let codeVerifier: string;
  try {
    codeVerifier = decryptSecret(state.codeVerifier, { table: "OAuthState", rowId: state.id, field: "codeVerifier" });
  } catch (e) {
    if (e instanceof DecryptionError) return unreadable(tenant);
    throw e;
  }
  const redeemed = await tokenClient(protocolOf(app)).redeemAuthCode({
    endpoints: app.endpoints,
    clientId: app.clientId,
    credential: app.credential,
    tenant: tenant.entraTenantId ?? tenant.primaryDomain!,
    policy: callPolicy("consent"),
    code: p.code,
    codeVerifier,
    redirectUri: state.redirectUri,
    scopes: delegatedScopes(app),
    nonce: state.nonce,
  });
  if (!redeemed.ok && !(redeemed.failure.kind === "config" && redeemed.failure.libraryCode === "nonce_mismatch")) {
    return (await entraFailure(tenant, actor, "AUTH_CODE", redeemed.failure)).outcome;
  }
  const claims = (redeemed.ok ? redeemed.idTokenClaims : {}) as { nonce?: string; tid?: string };
  const account = redeemed.ok ? redeemed.account : null;
  if (!redeemed.ok || !account || claims.nonce !== state.nonce) {
    await recordAudit({
      action: "consent.failed",
      actor,
      target: { type: "tenant", id: tenant.id },
      details: { customerId: tenant.customerId, reason: "nonce_mismatch" },
    });
    return { kind: "bad_request", message: "The sign-in response could not be verified (nonce mismatch). Start again from the consent link." };
  }
  const tid = claims.tid?.toLowerCase() ?? null;
  if (!tid || (tenant.entraTenantId && tid !== tenant.entraTenantId.toLowerCase())) {
    return mismatch(tenant, actor, { tokenTenant: tid });
  }
  const taken = await managedAsAnother(tenant, actor, "AUTH_CODE", tid);
  if (taken) return taken;
  const { cacheJson } = redeemed;
  const existing = await db.tenantCredential.findUnique({ where: { tenantId_kind: { tenantId: tenant.id, kind: "MSAL_CACHE" } }, select: { id: true } });
  const credentialId = existing?.id ?? newId();
  const secret = encryptSecret(cacheJson, { table: "TenantCredential", rowId: credentialId, field: "secret" });
  const expiresAt = new Date(Date.now() + 90 * 86_400_000);
  await db.$transaction([
    db.tenantCredential.upsert({
      where: { tenantId_kind: { tenantId: tenant.id, kind: "MSAL_CACHE" } },
      create: { id: credentialId, tenantId: tenant.id, kind: "MSAL_CACHE", label: account.homeAccountId, secret, expiresAt },
      update: { label: account.homeAccountId, secret, expiresAt, version: { increment: 1 } },
    }),
    // The legacy password is no longer needed once a token replaces it.
    db.tenantCredential.deleteMany({ where: { tenantId: tenant.id, kind: "PASSWORD" } }),
  ]);
  const raced = await finishSuccess(tenant, { entraTenantId: tid, authMethod: methodForFlow("AUTH_CODE").id }, actor, "AUTH_CODE");
  if (raced) return raced;
  return verifyReceivedConsent(tenant, actor, "AUTH_CODE");
}
