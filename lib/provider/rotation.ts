import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { refuse, type Result } from "@/lib/errors";
import { classifyFailure } from "@/lib/entra/classify";
import { reasons, type Reason, type ReasonCode } from "@/lib/entra/reasons";
import type { CloudEndpoints } from "@/lib/entra/clouds";
import { graphGet, graphPost } from "@/lib/entra/graph";
import { callPolicy, type RetryPolicy } from "@/lib/entra/http";
import { tokenClient, V2, type TokenProtocol } from "@/lib/entra/token-client";
import type { AppRegistration, SecretRotation } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import type { Page } from "@/lib/pagination";
import { jobEngine } from "@/lib/jobs";
import { recordEvent } from "@/lib/notify/incidents";
import { registrationFor } from "@/lib/provider/resolve";
import { checkTenant, usesOwnApp, type ProviderInput } from "@/lib/verification/check";
import { loadRegistrations, tenantSelect, toLoaded, type LoadedTenant } from "@/lib/verification/store";
import type { AppCredential } from "@/lib/entra/msal-clients";
import { standbyOf, switchToStandby } from "./certificates";
import { appOfRegistration, storeRotatedSecret, type ProviderApp } from "./settings";

/**
 * Staged client-secret rotation of an MSP app registration, so that its secret never expires by surprise
 * and no check fails because of the change (issue 19). One SecretRotation row per rotation holds the
 * state and a timeline; a tick on the job engine (engine.every, once per interval across the cluster)
 * advances each due rotation by one step, so a restart loses nothing:
 *
 *   start      a new secret: Graph addPassword on the application in its home tenant (permission
 *              Application.ReadWrite.OwnedBy), or one pasted by an administrator. Nothing is stored on
 *              the registration yet; the old secret stays in use everywhere.
 *   accepting  a client-credentials token with the new secret in the home tenant; while Entra replicates
 *              a new secret it answers AADSTS7000215, retried with backoff until ROTATION_ACCEPT_TIMEOUT_MINUTES.
 *   canary     up to ROTATION_CANARY_SIZE verified tenants of the registration, spread across clouds and
 *              methods, are checked with the new secret (the real check, outcomes not stored).
 *   switch     the new secret is stored on the registration (settings' storeRotatedSecret, audited).
 *   grace      the old secret stays in Entra for ROTATION_GRACE_MINUTES, so a Verify All that started with
 *              it finishes; then it is removed (removePassword by its keyId).
 *
 * A registration that signs in with a certificate rotates to its standby certificate (./certificates.ts,
 * uploaded beside the one in use and to the app in Entra by an administrator) the same way, mode
 * "certificate": accepting and the canary use the standby certificate, the switch swaps the two, and after
 * the grace period the old certificate stays on standby for the administrator to remove (Graph's removeKey
 * needs a proof signed by the app itself; the Entra admin center does it).
 *
 * A failure before the switch rolls back: the new secret is removed from Entra, the registration keeps
 * the old one, and a `rotation.failed` alert event is raised. Secrets never reach the timeline, the audit
 * details or an error message: only their hints (first three characters, as Entra shows them).
 * @see https://learn.microsoft.com/en-us/graph/api/application-addpassword
 * @see https://learn.microsoft.com/en-us/graph/api/application-removepassword
 */

export const rotationStates = ["accepting", "canary", "grace", "completed", "rolled_back", "failed"] as const;
export type RotationState = (typeof rotationStates)[number];
const ACTIVE: RotationState[] = ["accepting", "canary", "grace"];

export type RotationMode = "graph" | "pasted" | "certificate";

export type TimelineEntry = { at: string; step: string; outcome: "ok" | "waiting" | "failed" | "info"; message: string };

export type RotationView = {
  id: string;
  appRegistrationId: string;
  mode: RotationMode;
  state: RotationState;
  trigger: string;
  requestedBy: string;
  newHint: string | null;
  oldHint: string | null;
  newExpiresAt: Date | null;
  startedAt: Date;
  finishedAt: Date | null;
  nextStepAt: Date | null;
  graceUntil: Date | null;
  error: string | null;
  timeline: TimelineEntry[];
};

export type RotationOptions = {
  actor: AuditActor;
  requestId?: string;
  trigger?: "manual" | "schedule";
  now?: Date;
  policy?: RetryPolicy;
};

const newSecretBinding = (id: string) => ({ table: "SecretRotation", rowId: id, field: "newSecret" }) as const;
const SYSTEM: AuditActor = { type: "system", label: "secret rotation" };
/** Backoff of the acceptance check: 5 s, doubling, at most a minute apart. */
const ACCEPT_BACKOFF_MS = 5_000;
const ACCEPT_BACKOFF_MAX_MS = 60_000;
/** After the grace period, how often to look again while a Verify All that began before the switch is still running. */
const OLDER_RUN_RECHECK_MS = 30_000;
/** Canary rounds spoiled only by transient trouble (throttling, Microsoft's 5xx) before it counts as failed. */
const CANARY_TRANSIENT_RETRIES = 8;
/** Throttling, Microsoft's 5xx, a timeout: a later attempt may succeed without anyone changing anything. */
const isTransient = (code: ReasonCode) => (reasons[code] as Reason).transient === true;

export const PERMISSION_MISSING =
  "Microsoft refused to manage this app's secrets: grant the app registration the Microsoft Graph application permission Application.ReadWrite.OwnedBy (or Application.ReadWrite.All) with admin consent in its home tenant, or paste a new secret instead. Nothing was changed.";

function toView(r: SecretRotation): RotationView {
  return {
    id: r.id,
    appRegistrationId: r.appRegistrationId,
    mode: r.mode === "pasted" || r.mode === "certificate" ? r.mode : "graph",
    state: r.state as RotationState,
    trigger: r.trigger,
    requestedBy: r.requestedBy,
    newHint: r.newHint,
    oldHint: r.oldHint,
    newExpiresAt: r.newExpiresAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    nextStepAt: ACTIVE.includes(r.state as RotationState) ? r.nextStepAt : null,
    graceUntil: r.graceUntil,
    error: r.error,
    timeline: JSON.parse(r.timeline) as TimelineEntry[],
  };
}

function entry(now: Date, step: string, outcome: TimelineEntry["outcome"], message: string): TimelineEntry {
  return { at: now.toISOString(), step, outcome, message };
}

/** The Graph token protocol of a registration: v1.0 registrations ask for Graph's resource, as expiry.ts does. */
function graphProtocol(app: ProviderApp): TokenProtocol {
  return app.tokenVersion === "v1" ? { version: "v1", resource: app.endpoints.graphResource } : V2;
}

type Home = { app: ProviderApp; endpoints: CloudEndpoints; homeTenantId: string; policy: RetryPolicy };

async function homeToken(home: Home, secret: string | AppCredential) {
  return tokenClient(graphProtocol(home.app)).acquireAppToken({
    endpoints: home.endpoints,
    clientId: home.app.clientId,
    credential: typeof secret === "string" ? { kind: "secret", secret } : secret,
    tenant: home.homeTenantId,
    policy: home.policy,
  });
}

const applicationUrl = (home: Home) => `${home.endpoints.graphBase}/v1.0/applications(appId='${encodeURIComponent(home.app.clientId)}')`;

type PasswordCredential = { keyId?: string; hint?: string | null; endDateTime?: string | null };

/** The application's password credentials, or null when Graph would not list them (permission, outage). */
async function listPasswords(home: Home, accessToken: string): Promise<PasswordCredential[] | null> {
  const res = await graphGet(home.endpoints, accessToken, `${applicationUrl(home)}?$select=id,passwordCredentials`, { policy: home.policy });
  if (!res.ok) return null;
  return ((res.body as { passwordCredentials?: PasswordCredential[] }).passwordCredentials ?? []).filter((c) => typeof c.keyId === "string");
}

/** The keyId of the only credential with this hint (apart from `except`), or null when none or several match. */
function keyIdByHint(list: PasswordCredential[] | null, hint: string | null, except?: string | null): string | null {
  if (!list || !hint) return null;
  const matches = list.filter((c) => c.hint === hint && c.keyId !== except);
  return matches.length === 1 ? matches[0]!.keyId! : null;
}

async function removePassword(home: Home, secret: string, keyId: string): Promise<{ ok: true } | { ok: false; status?: number; message: string }> {
  const token = await homeToken(home, secret);
  if (!token.ok) return { ok: false, message: `no token for the home tenant (${classifyFailure(token.failure)})` };
  const res = await graphPost(home.endpoints, token.accessToken, `${applicationUrl(home)}/removePassword`, { keyId }, { policy: home.policy });
  if (res.ok || res.status === 404) return { ok: true };
  return {
    ok: false,
    status: res.status,
    message: res.status === 403 ? "Graph refused (Application.ReadWrite.OwnedBy is missing)" : `Graph answered ${res.status ?? "nothing"}`,
  };
}

function homeOf(row: Parameters<typeof appOfRegistration>[0], policy: RetryPolicy): Home {
  const app = appOfRegistration(row);
  return { app, endpoints: app.endpoints, homeTenantId: row.homeTenantId!, policy };
}

/**
 * Starts a rotation: creates the new secret (mode "graph") or takes the pasted one, and records the
 * rotation; the tick does the rest. Refused, with nothing changed, when the registration has no client
 * ID, home tenant or secret, uses a certificate, already rotates, or Graph refuses to add a secret.
 */
export async function startRotation(registrationId: string, input: { mode: RotationMode; secret?: string }, o: RotationOptions): Promise<Result<RotationView>> {
  const now = o.now ?? new Date();
  const policy = o.policy ?? callPolicy("verification");
  const row = await db.appRegistration.findUnique({ where: { id: registrationId } });
  if (!row) return refuse("not-found", "This app registration no longer exists.");
  if (!row.clientId) return refuse("validation", "Set the Client ID of this app registration before rotating its secret.");
  if (!row.homeTenantId) return refuse("validation", "Set the Home tenant of this app registration: its secrets are managed there.");
  if (input.mode === "certificate") return startCertificateRotation(row, o, now);
  if (row.certificate) return refuse("validation", "This app registration signs in with a certificate; upload a new certificate instead of rotating a secret.");
  if (!row.clientSecret) return refuse("validation", "This app registration has no client secret to rotate.");
  const pasted = input.mode === "pasted" ? (input.secret ?? "").trim() : null;
  if (input.mode === "pasted" && !pasted)
    return refuse("validation", "Paste the new client secret (its Value, not its ID).", { secret: ["Paste the new secret's Value"] });
  const active = await db.secretRotation.findFirst({ where: { appRegistrationId: registrationId, state: { in: ACTIVE } }, select: { id: true } });
  if (active) return refuse("conflict", "A rotation of this app registration's secret is already in progress.");

  const home = homeOf(row, policy);
  const oldSecret = home.app.credential.kind === "secret" ? home.app.credential.secret : "";
  if (pasted && pasted === oldSecret)
    return refuse("validation", "This is the secret already in use; paste the new one.", { secret: ["Same as the current secret"] });
  const refused = async (message: string, code: "forbidden" | "conflict" = "conflict") => {
    await recordAudit({
      action: "app_registration.rotation_finished",
      actor: o.actor,
      target: { type: "app_registration", id: registrationId },
      requestId: o.requestId,
      details: { outcome: "refused", mode: input.mode, message },
    });
    return refuse(code, message);
  };

  const token = await homeToken(home, oldSecret);
  if (!token.ok)
    return refused(
      `The current secret did not get a token for the home tenant (${classifyFailure(token.failure)}); fix the registration first. Nothing was changed.`,
    );
  const list = await listPasswords(home, token.accessToken);
  const oldKeyId = keyIdByHint(list, row.clientSecretHint);

  let secret: string;
  let newKeyId: string | null;
  let newExpiresAt: Date | null;
  const timeline: TimelineEntry[] = [];
  if (pasted) {
    secret = pasted;
    newKeyId = keyIdByHint(list, pasted.slice(0, 3), oldKeyId);
    const listed = list?.find((c) => c.keyId === newKeyId);
    newExpiresAt = listed?.endDateTime ? new Date(listed.endDateTime) : null;
    timeline.push(entry(now, "created", "ok", `New secret ${pasted.slice(0, 3)}… pasted by ${o.actor.label}.`));
  } else {
    const res = await graphPost(
      home.endpoints,
      token.accessToken,
      `${applicationUrl(home)}/addPassword`,
      { passwordCredential: { displayName: `Tenant Access Console rotation ${now.toISOString().slice(0, 10)}` } },
      { policy },
    );
    if (!res.ok) {
      if (res.status === 403) return refused(PERMISSION_MISSING, "forbidden");
      return refused(`Graph could not create a new secret (${res.status ?? classifyFailure(res.failure)}). Nothing was changed.`);
    }
    const created = res.body as { secretText?: string; keyId?: string; endDateTime?: string };
    if (!created.secretText || !created.keyId) return refused("Graph's answer held no new secret. Nothing was changed.");
    secret = created.secretText;
    newKeyId = created.keyId;
    newExpiresAt = created.endDateTime ? new Date(created.endDateTime) : null;
    timeline.push(entry(now, "created", "ok", `New secret ${secret.slice(0, 3)}… created through Microsoft Graph (addPassword).`));
  }
  if (!oldKeyId) timeline.push(entry(now, "created", "info", "The old secret could not be identified in Graph; it will not be removed automatically."));

  const id = newId();
  await db.secretRotation.create({
    data: {
      id,
      appRegistrationId: registrationId,
      mode: input.mode,
      state: "accepting",
      trigger: o.trigger ?? "manual",
      requestedBy: o.actor.label,
      newSecret: encryptSecret(secret, newSecretBinding(id)),
      newKeyId,
      newHint: secret.slice(0, 3),
      newExpiresAt,
      oldKeyId,
      oldHint: row.clientSecretHint,
      registrationVersion: row.version,
      nextStepAt: now,
      acceptDeadline: new Date(now.getTime() + env.ROTATION_ACCEPT_TIMEOUT_MINUTES * 60_000),
      timeline: JSON.stringify(timeline),
      startedAt: now,
    },
  });
  await recordAudit({
    action: "app_registration.rotation_started",
    actor: o.actor,
    target: { type: "app_registration", id: registrationId },
    requestId: o.requestId,
    details: { rotationId: id, mode: input.mode, trigger: o.trigger ?? "manual", hint: secret.slice(0, 3) },
  });
  return { ok: true, data: toView((await db.secretRotation.findUniqueOrThrow({ where: { id } }))!) };
}

const short = (thumbprint: string | null) => (thumbprint ? thumbprint.slice(0, 8) : null);

/** A rotation to the standby certificate: nothing to create, the tick checks it, switches, and keeps the old one on standby. */
async function startCertificateRotation(row: AppRegistration, o: RotationOptions, now: Date): Promise<Result<RotationView>> {
  if (!row.certificate) return refuse("validation", "This app registration does not sign in with a certificate.");
  const standby = standbyOf(row);
  if (!standby)
    return refuse("validation", "Upload the new certificate as standby first (Certificate rollover), and its public key to the app registration in Entra.");
  const active = await db.secretRotation.findFirst({ where: { appRegistrationId: row.id, state: { in: ACTIVE } }, select: { id: true } });
  if (active) return refuse("conflict", "A rotation of this app registration's credential is already in progress.");
  const id = newId();
  await db.secretRotation.create({
    data: {
      id,
      appRegistrationId: row.id,
      mode: "certificate",
      state: "accepting",
      trigger: o.trigger ?? "manual",
      requestedBy: o.actor.label,
      newHint: short(standby.thumbprintSha1),
      newExpiresAt: standby.notAfter,
      oldHint: short(row.certificateThumbprint),
      registrationVersion: row.version,
      nextStepAt: now,
      acceptDeadline: new Date(now.getTime() + env.ROTATION_ACCEPT_TIMEOUT_MINUTES * 60_000),
      timeline: JSON.stringify([
        entry(now, "created", "ok", `Switch to the standby certificate ${short(standby.thumbprintSha1)}… requested by ${o.actor.label}.`),
      ]),
      startedAt: now,
    },
  });
  await recordAudit({
    action: "app_registration.rotation_started",
    actor: o.actor,
    target: { type: "app_registration", id: row.id },
    requestId: o.requestId,
    details: { rotationId: id, mode: "certificate", trigger: o.trigger ?? "manual", thumbprint: standby.thumbprintSha1 },
  });
  return { ok: true, data: toView(await db.secretRotation.findUniqueOrThrow({ where: { id } })) };
}

/** Writes a step's result if nobody else advanced the rotation meanwhile (version compare-and-set). */
async function save(r: SecretRotation, data: Partial<Omit<SecretRotation, "timeline">>, add: TimelineEntry[], now: Date): Promise<boolean> {
  const timeline = [...(JSON.parse(r.timeline) as TimelineEntry[]), ...add];
  const { count } = await db.secretRotation.updateMany({
    where: { id: r.id, version: r.version },
    data: { ...data, timeline: JSON.stringify(timeline), version: { increment: 1 } },
  });
  if (count === 1)
    for (const e of add)
      await recordAudit({
        action: data.finishedAt ? "app_registration.rotation_finished" : "app_registration.rotation_step",
        actor: SYSTEM,
        target: { type: "app_registration", id: r.appRegistrationId },
        details: { rotationId: r.id, step: e.step, outcome: e.outcome, message: e.message, at: now.toISOString() },
      });
  return count === 1;
}

/** Rolls back before the switch: the new secret leaves Entra, the registration keeps the old one, an alert is raised. */
async function rollBack(r: SecretRotation, home: Home, oldSecret: string, step: string, reason: string, now: Date): Promise<void> {
  const add = [entry(now, step, "failed", reason)];
  if (r.mode === "certificate") {
    add.push(entry(now, "rolled_back", "ok", `The certificate ${r.oldHint}… stays in use; the new one ${r.newHint}… stays on standby.`));
  } else if (r.newKeyId) {
    const removed = await removePassword(home, oldSecret, r.newKeyId);
    add.push(
      removed.ok
        ? entry(now, "rolled_back", "ok", `The new secret ${r.newHint}… was removed from Entra; the old secret ${r.oldHint}… stays in use.`)
        : entry(
            now,
            "rolled_back",
            "failed",
            `The new secret ${r.newHint}… could not be removed (${removed.message}); remove it in the Entra admin center. The old secret stays in use.`,
          ),
    );
  } else {
    add.push(entry(now, "rolled_back", "info", `The old secret ${r.oldHint}… stays in use; remove the pasted secret ${r.newHint}… in the Entra admin center.`));
  }
  const saved = await save(r, { state: "rolled_back", error: reason, newSecret: null, finishedAt: now }, add, now);
  if (!saved) return;
  await recordEvent({
    type: "rotation.failed",
    dedupeKey: `rotation.failed:${r.id}`,
    title: `${r.mode === "certificate" ? "Certificate" : "Secret"} rotation of "${home.app.name}" rolled back`,
    occurredAt: now,
    data: {
      appRegistrationId: r.appRegistrationId,
      appRegistrationName: home.app.name,
      clientId: home.app.clientId,
      rotationId: r.id,
      mode: r.mode,
      step,
      error: reason,
    },
  });
}

/** Up to `size` tenants verified (or warned) lately that use this registration, picked round-robin across (cloud, method). */
async function canaryTenants(registration: ProviderInput, registrations: ProviderInput[], size: number): Promise<LoadedTenant[]> {
  if (size <= 0) return [];
  const rows = await db.tenant.findMany({
    where: {
      // Verified, or verified with a warning (the password method always warns): they work today.
      lastStatus: { in: ["VERIFIED", "WARNING"] },
      OR: [{ appRegistrationId: registration.id }, ...(registration.defaultForCloud ? [{ appRegistrationId: null, cloud: registration.defaultForCloud }] : [])],
    },
    orderBy: { lastVerifiedAt: "desc" },
    select: tenantSelect,
    take: 1000,
  });
  const groups = new Map<string, LoadedTenant[]>();
  for (const loaded of rows.map(toLoaded)) {
    if (usesOwnApp(loaded.tenant)) continue;
    const choice = registrationFor(loaded.tenant, registrations);
    if (!choice.ok || choice.registration.id !== registration.id) continue;
    const key = `${loaded.tenant.cloud}|${loaded.tenant.authMethod}`;
    groups.set(key, [...(groups.get(key) ?? []), loaded]);
  }
  const picked: LoadedTenant[] = [];
  const queues = [...groups.values()];
  for (let i = 0; picked.length < size && queues.some((q) => q.length > i); i++) for (const q of queues) if (q[i] && picked.length < size) picked.push(q[i]!);
  return picked;
}

/** One step of one due rotation. */
async function advance(r: SecretRotation, now: Date, policy: RetryPolicy): Promise<void> {
  const cert = r.mode === "certificate";
  const row = await db.appRegistration.findUnique({ where: { id: r.appRegistrationId } });
  if (!row || !row.clientId || !row.homeTenantId || !(cert ? row.certificate : row.clientSecret)) {
    await save(
      r,
      { state: "failed", error: "The app registration was deleted or lost its secret.", newSecret: null, finishedAt: now },
      [entry(now, r.state, "failed", "The app registration was deleted or lost its secret during the rotation.")],
      now,
    );
    return;
  }
  const home = homeOf(row, policy);
  const storedSecret = home.app.credential.kind === "secret" ? home.app.credential.secret : "";

  if (r.state === "grace") {
    // A Verify All that loaded the registration before the switch still signs in with the old secret.
    const olderRun = r.switchedAt
      ? await db.jobRun.findFirst({ where: { kind: "verify", status: "RUNNING", startedAt: { lte: r.switchedAt } }, select: { id: true } })
      : null;
    if (olderRun) {
      await save(r, { nextStepAt: new Date(now.getTime() + OLDER_RUN_RECHECK_MS) }, [], now);
      return;
    }
    if (cert) {
      await save(
        r,
        { state: "completed", finishedAt: now },
        [
          entry(
            now,
            "completed",
            "info",
            `Rotation complete; the old certificate ${r.oldHint}… stays on standby: remove it under Certificate rollover, and from the app registration in the Entra admin center.`,
          ),
        ],
        now,
      );
    } else if (r.oldKeyId) {
      const removed = await removePassword(home, storedSecret, r.oldKeyId);
      const done = removed.ok
        ? entry(now, "old_removed", "ok", `The old secret ${r.oldHint}… was removed from Entra.`)
        : entry(now, "old_removed", "failed", `The old secret ${r.oldHint}… could not be removed (${removed.message}); remove it in the Entra admin center.`);
      await save(r, { state: "completed", finishedAt: now }, [done, entry(now, "completed", "ok", "Rotation complete.")], now);
    } else {
      await save(
        r,
        { state: "completed", finishedAt: now },
        [entry(now, "completed", "info", `Rotation complete; remove the old secret ${r.oldHint}… in the Entra admin center.`)],
        now,
      );
    }
    return;
  }

  // An upload or removal of the standby certificate changes the registration's version: rolled back below.
  if (cert && row.version !== r.registrationVersion) {
    await rollBack(r, home, storedSecret, r.state, "The app registration was changed by an administrator during the rotation.", now);
    return;
  }
  const standby = cert ? standbyOf(row) : null;
  const newSecret = !cert && r.newSecret ? decryptSecret(r.newSecret, newSecretBinding(r.id)) : null;
  const newCredential: AppCredential | null = standby ? { kind: "certificate", ...standby } : newSecret ? { kind: "secret", secret: newSecret } : null;
  if (!newCredential) {
    const gone = cert ? "The standby certificate is no longer stored." : "The new secret is no longer stored.";
    await save(r, { state: "failed", error: gone, newSecret: null, finishedAt: now }, [entry(now, r.state, "failed", gone)], now);
    return;
  }
  if (row.version !== r.registrationVersion) {
    await rollBack(r, home, storedSecret, r.state, "The app registration was changed by an administrator during the rotation.", now);
    return;
  }

  if (r.state === "accepting") {
    const token = await homeToken(home, newCredential);
    if (token.ok) {
      await save(
        r,
        { state: "canary", attempts: 0, nextStepAt: now },
        [entry(now, "accepted", "ok", `Microsoft accepts the new ${cert ? "certificate" : "secret"} (attempt ${r.attempts + 1}).`)],
        now,
      );
      return;
    }
    const reason = classifyFailure(token.failure);
    // Replication (7000215) and transient trouble (throttling, Microsoft's 5xx, a timeout) are waited out.
    // A certificate just uploaded in Entra replicates too (refused as a bad certificate meanwhile).
    const retry = reason === (cert ? "BAD_CERTIFICATE" : "INVALID_SECRET") || isTransient(reason);
    if (retry && r.acceptDeadline && now < r.acceptDeadline) {
      const wait = Math.min(ACCEPT_BACKOFF_MS * 2 ** r.attempts, ACCEPT_BACKOFF_MAX_MS);
      const first = r.attempts === 0;
      await save(
        r,
        { attempts: r.attempts + 1, nextStepAt: new Date(now.getTime() + wait) },
        first
          ? [
              entry(
                now,
                "accepting",
                "waiting",
                reason === "BAD_CERTIFICATE"
                  ? "Microsoft does not accept the new certificate yet (upload its public key to the app registration in Entra); retrying."
                  : reason === "INVALID_SECRET"
                    ? "Microsoft does not accept the new secret yet (AADSTS7000215 while it replicates); retrying."
                    : `Microsoft could not be asked yet (${reasons[reason].title}); retrying.`,
              ),
            ]
          : [],
        now,
      );
      return;
    }
    await rollBack(
      r,
      home,
      storedSecret,
      "accepting",
      retry
        ? `Microsoft did not accept the new ${cert ? "certificate" : "secret"} in time.`
        : `Microsoft refused a token with the new ${cert ? "certificate" : "secret"} (${reasons[reason].title}).`,
      now,
    );
    return;
  }

  if (r.state === "canary") {
    const registrations = await loadRegistrations();
    const registration = registrations.find((p) => p.id === r.appRegistrationId)!;
    const canary: ProviderInput = standby
      ? { ...registration, certificate: () => standby, certificateExpiresAt: standby.notAfter }
      : { ...registration, clientSecret: () => newSecret, certificate: () => null };
    const tenants = await canaryTenants(registration, registrations, env.ROTATION_CANARY_SIZE);
    const outcomes = await Promise.all(
      tenants.map((t) => checkTenant(t.tenant, t.credentials, { ok: true, registration: canary, how: "explicit" }, { policy })),
    );
    const failed = outcomes.filter((x) => x.status === "FAILED");
    // Throttling or an outage says nothing about the secret: the canary is run again a little later.
    if (failed.length > 0 && failed.every((x) => isTransient(x.reasonCode)) && r.attempts < CANARY_TRANSIENT_RETRIES) {
      await save(
        r,
        { attempts: r.attempts + 1, nextStepAt: new Date(now.getTime() + ACCEPT_BACKOFF_MAX_MS) },
        [entry(now, "canary", "waiting", `Canary could not finish (${reasons[failed[0]!.reasonCode].title}); trying again.`)],
        now,
      );
      return;
    }
    if (failed.length > 0) {
      const names = failed.map((x) => `${tenants.find((t) => t.tenant.id === x.tenantId)?.tenant.displayName ?? x.tenantId}: ${x.message}`);
      await rollBack(r, home, storedSecret, "canary", `Canary failed on ${failed.length} of ${tenants.length} tenant(s) — ${names.join("; ")}`, now);
      return;
    }
    const graceUntil = new Date(now.getTime() + env.ROTATION_GRACE_MINUTES * 60_000);
    const stored = cert
      ? { ok: await switchToStandby({ id: row.id, expectedVersion: r.registrationVersion, actor: SYSTEM, now }) }
      : await storeRotatedSecret({ id: row.id, secret: newSecret!, expiresAt: r.newExpiresAt, expectedVersion: r.registrationVersion, actor: SYSTEM });
    if (!stored.ok) {
      await rollBack(r, home, storedSecret, "switch", "The app registration was changed by an administrator during the rotation.", now);
      return;
    }
    const spread = [...new Set(tenants.map((t) => `${t.tenant.cloud}/${t.tenant.authMethod}`))].join(", ");
    await save(
      r,
      { state: "grace", switchedAt: new Date(), graceUntil, nextStepAt: graceUntil, newSecret: null },
      [
        entry(
          now,
          "canary",
          "ok",
          tenants.length
            ? `Canary passed: ${tenants.length} tenant(s) verified with the new ${cert ? "certificate" : "secret"} (${spread}).`
            : "Canary: no verified tenant uses this registration; the home tenant's token passed.",
        ),
        entry(now, "switched", "ok", `The new ${cert ? "certificate" : "secret"} ${r.newHint}… is stored; every tenant uses it from now on.`),
        entry(now, "grace", "waiting", `The old ${cert ? "certificate" : "secret"} ${r.oldHint}… stays in Entra until ${graceUntil.toISOString()}.`),
      ],
      now,
    );
  }
}

/** Whether `now` falls inside a daily `HH:MM-HH:MM` UTC window (wrapping past midnight when the end is earlier). */
export function inMaintenanceWindow(now: Date, window: string): boolean {
  const [from, to] = window.split("-").map((t) => {
    const [h, m] = t.split(":").map(Number);
    return h! * 60 + m!;
  }) as [number, number];
  const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
  return from <= to ? minute >= from && minute < to : minute >= from || minute < to;
}

const DAY_MS = 86_400_000;

/**
 * Scheduled rotation: registrations whose secret expires within ROTATION_DAYS_BEFORE_EXPIRY days get a
 * Graph rotation, started inside the maintenance window only, at most one attempt a day per registration.
 * A refused start is kept as a failed rotation, so the page says why and the next day tries again.
 */
export async function startScheduledRotations(now = new Date(), o: { policy?: RetryPolicy } = {}): Promise<string[]> {
  const days = env.ROTATION_DAYS_BEFORE_EXPIRY;
  if (days <= 0 || !inMaintenanceWindow(now, env.ROTATION_WINDOW_UTC)) return [];
  const due = await db.appRegistration.findMany({
    where: {
      clientSecret: { not: null },
      certificate: null,
      clientSecretExpiresAt: { not: null, lte: new Date(now.getTime() + days * DAY_MS) },
      rotations: { none: { OR: [{ state: { in: ACTIVE } }, { startedAt: { gt: new Date(now.getTime() - DAY_MS) } }] } },
    },
    select: { id: true },
  });
  const started: string[] = [];
  for (const { id } of due) {
    const result = await startRotation(id, { mode: "graph" }, { actor: SYSTEM, trigger: "schedule", now, policy: o.policy });
    if (result.ok) {
      started.push(result.data.id);
      continue;
    }
    const row = await db.appRegistration.findUnique({ where: { id }, select: { version: true } });
    if (!row) continue;
    await db.secretRotation.create({
      data: {
        id: newId(),
        appRegistrationId: id,
        mode: "graph",
        state: "failed",
        trigger: "schedule",
        requestedBy: SYSTEM.label,
        registrationVersion: row.version,
        nextStepAt: now,
        error: result.error,
        timeline: JSON.stringify([entry(now, "created", "failed", result.error)]),
        startedAt: now,
        finishedAt: now,
      },
    });
  }
  return started;
}

/** Starts the scheduled rotations that are due, then advances every due rotation by one step; how many were advanced. */
export async function rotationTick(now = new Date(), o: { policy?: RetryPolicy } = {}): Promise<number> {
  await startScheduledRotations(now, o);
  const due = await db.secretRotation.findMany({ where: { state: { in: ACTIVE }, nextStepAt: { lte: now } }, orderBy: { nextStepAt: "asc" }, take: 20 });
  const policy = o.policy ?? callPolicy("verification");
  for (const r of due) {
    try {
      await advance(r, now, policy);
    } catch (e) {
      console.error(`[rotation] ${r.id}: ${e instanceof Error ? e.name : "error"}`);
    }
  }
  return due.length;
}

let stopTicks: (() => void) | null = null;

/** Starts the rotation tick once in this process (ROTATION_TICK_SECONDS; 0: not at all); returns a function that stops it. */
export function startRotationTicks(): () => void {
  if (env.ROTATION_TICK_SECONDS > 0) stopTicks ??= jobEngine().every("secret-rotation", env.ROTATION_TICK_SECONDS * 1000, () => rotationTick());
  return () => {
    stopTicks?.();
    stopTicks = null;
  };
}

export async function getRotation(registrationId: string, rotationId: string): Promise<RotationView | null> {
  const r = await db.secretRotation.findFirst({ where: { id: rotationId, appRegistrationId: registrationId } });
  return r ? toView(r) : null;
}

/** The registration's rotations, newest first. */
export async function listRotations(registrationId: string, take = 5): Promise<RotationView[]> {
  const rows = await db.secretRotation.findMany({ where: { appRegistrationId: registrationId }, orderBy: [{ startedAt: "desc" }, { id: "desc" }], take });
  return rows.map(toView);
}

export type RotationPage = Page<RotationView>;

/** One page of the registration's rotation history, newest first, each with its timeline; null when the registration does not exist. */
export async function rotationHistory(registrationId: string, page = 1, pageSize = 10): Promise<RotationPage | null> {
  const exists = await db.appRegistration.findUnique({ where: { id: registrationId }, select: { id: true } });
  if (!exists) return null;
  const where = { appRegistrationId: registrationId };
  const [total, rows] = await Promise.all([
    db.secretRotation.count({ where }),
    db.secretRotation.findMany({ where, orderBy: [{ startedAt: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize }),
  ]);
  return { items: rows.map(toView), total, page, pageSize };
}
