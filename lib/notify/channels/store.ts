import "server-only";
import { z } from "zod";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";
import { env } from "@/lib/env";
import { CHECK_FIELDS, invalidField, refuse, unwrap, type Refusal, type Result } from "@/lib/errors";
import type { NotificationChannel } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { configuredUrlRefusal } from "@/lib/net/outbound";
import { channelFieldSchemas, secretFields, type ChannelPatchInput } from "@/lib/validations/channel";
import { channelConfigSchemas, webhookSecretsSchema, type ChannelKindName, type ResolvedChannel } from "./config";
import { deliverTo } from "./index";
import type { OutgoingMessage } from "./types";
import { newSigningSecret } from "./webhook";

/**
 * Notification channels (Settings → Channels, /api/v1/channels): settings as JSON, secrets encrypted as
 * one JSON envelope bound to ("NotificationChannel", id, "secret") and write-only. A view never carries a
 * secret, only `secretHint`; `loadResolvedChannel` is the one place they are decrypted, for a driver.
 * A webhook's signing secret is generated here and shown once (on creation and rotation).
 */

const binding = (id: string) => ({ table: "NotificationChannel", rowId: id, field: "secret" }) as const;

/** What pages and the REST API may see of a channel. */
export type ChannelView = {
  id: string;
  name: string;
  kind: ChannelKindName;
  label: string;
  enabled: boolean;
  /** The kind's settings (never a secret). */
  config: Record<string, unknown>;
  /** E.g. "password set", "2 signing secrets (rotation in progress)", the Teams workflow URL's host. */
  secretHint: string | null;
  /** A webhook signs with two secrets until the rotation is finished. */
  rotating: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
};

type Secrets = Record<string, unknown>;

function parseJson(text: string | null): Record<string, unknown> {
  try {
    const v = JSON.parse(text ?? "{}") as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function hintOf(kind: ChannelKindName, secrets: Secrets): string | null {
  switch (kind) {
    case "SMTP":
      return secrets.password ? "password set" : null;
    case "TEAMS":
      try {
        return typeof secrets.url === "string" ? `workflow on ${new URL(secrets.url).host}` : null;
      } catch {
        return null;
      }
    case "WEBHOOK": {
      const n = Array.isArray(secrets.secrets) ? secrets.secrets.length : 0;
      return n === 0 ? null : n === 1 ? "1 signing secret" : `${n} signing secrets (rotation in progress)`;
    }
    case "GRAPH_MAIL":
      return null;
  }
}

export function channelView(row: NotificationChannel): ChannelView {
  const kind = row.kind as ChannelKindName;
  return {
    id: row.id,
    name: row.name,
    kind,
    label: channelConfigSchemas[kind].label,
    enabled: row.enabled,
    config: parseJson(row.config),
    secretHint: row.secretHint,
    // The hint is written with the secrets (sealSecrets), so it tells without decrypting them.
    rotating: kind === "WEBHOOK" && /^2 /.test(row.secretHint ?? ""),
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function getChannelView(id: string): Promise<ChannelView | null> {
  const row = await db.notificationChannel.findUnique({ where: { id } });
  return row ? channelView(row) : null;
}

function readSecrets(row: Pick<NotificationChannel, "id" | "secret">): Secrets {
  return row.secret ? parseJson(decryptSecret(row.secret, binding(row.id))) : {};
}

function sealSecrets(id: string, kind: ChannelKindName, secrets: Secrets) {
  const present = Object.values(secrets).some((v) => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0));
  return { secret: present ? encryptSecret(JSON.stringify(secrets), binding(id)) : null, secretHint: present ? hintOf(kind, secrets) : null };
}

/** The channel with its secrets decrypted, for a driver (the outbox, Test). Server only; never serialized. */
export async function loadResolvedChannel(id: string): Promise<ResolvedChannel | null> {
  const row = await db.notificationChannel.findUnique({ where: { id } });
  return row ? resolve(row) : null;
}

export function resolve(row: NotificationChannel): ResolvedChannel {
  const kind = row.kind as ChannelKindName;
  const schemas = channelConfigSchemas[kind];
  const config = schemas.config.parse(parseJson(row.config));
  const secrets = schemas.secrets.parse(readSecrets(row));
  return { id: row.id, name: row.name, kind, config, secrets } as ResolvedChannel;
}

function fieldRefusal(error: z.ZodError): Refusal {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) (fieldErrors[String(issue.path[0] ?? "config")] ??= []).push(issue.message);
  return refuse("validation", CHECK_FIELDS, fieldErrors);
}

/**
 * Splits a kind's flat fields into settings and secrets and checks what only the server can: a URL the
 * outbound policy would refuse, an app registration that does not exist.
 */
async function settle(kind: ChannelKindName, fields: Record<string, unknown>): Promise<Result<{ config: Record<string, unknown>; secrets: Secrets }>> {
  const parsed = channelFieldSchemas[kind].safeParse(fields);
  if (!parsed.success) return fieldRefusal(parsed.error);
  const values = parsed.data as Record<string, unknown>;
  const secrets: Secrets = {};
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (!secretFields[kind].includes(k)) config[k] = v;
    else if (v !== undefined && v !== "") secrets[k] = v;
  }
  if (kind === "SMTP" && !config.user) config.user = null;
  const checked = channelConfigSchemas[kind].config.safeParse(config);
  if (!checked.success) return fieldRefusal(checked.error);
  const url = kind === "WEBHOOK" ? (config.url as string) : kind === "TEAMS" ? (secrets.url as string | undefined) : undefined;
  if (url) {
    if (!url.startsWith("https://")) return invalidField("url", "Use an https:// URL: the console sends notifications over https only.");
    const refusal = configuredUrlRefusal(url);
    if (refusal) return invalidField("url", `The console may not call this URL: ${refusal}.`);
  }
  if (kind === "GRAPH_MAIL") {
    const app = await db.appRegistration.findUnique({ where: { id: String(config.appRegistrationId) }, select: { id: true } });
    if (!app) return invalidField("appRegistrationId", "This app registration no longer exists. Choose another one.");
  }
  return { ok: true, data: { config: checked.data as Record<string, unknown>, secrets } };
}

const nameTaken = () => invalidField("name", "Another channel has this name. Choose another one.");
const gone = () => refuse("not-found", "This channel no longer exists; another administrator may have deleted it.");
const changedMeanwhile = () =>
  refuse("version-conflict", "Another administrator changed this channel meanwhile. Reload the page to see their values, then save again.");

/** A channel as its creator sees it: a webhook's generated signing secret, once. */
export type CreatedChannel = ChannelView & { signingSecret: string | null };

/** A new channel: the kind's settings and its secrets (lib/notify/channels/config.ts). */
export type ChannelInput = { name: string; kind: ChannelKindName; enabled?: boolean; config: Record<string, unknown>; secrets?: Record<string, unknown> };

/**
 * Creates a channel; refusals are thrown as CommandErrors naming the field. A webhook signs with the
 * secrets given (a test's receiver knows them) or, as from the console and the REST API, which never take
 * one, with a new secret returned here once.
 */
export async function createChannel(input: ChannelInput): Promise<CreatedChannel> {
  return unwrap(await tryCreateChannel(input));
}

async function tryCreateChannel({ name, kind, enabled, config, secrets = {} }: ChannelInput): Promise<Result<CreatedChannel>> {
  const { secrets: signing, ...otherSecrets } = secrets;
  if (kind === "TEAMS" && !otherSecrets.url) return invalidField("url", "Paste the workflow's HTTP POST URL (https://…).");
  const settled = await settle(kind, { ...config, ...otherSecrets });
  if (!settled.ok) return settled;
  const id = newId();
  let stored: Secrets = settled.data.secrets;
  let signingSecret: string | null = null;
  if (kind === "WEBHOOK") {
    const given = webhookSecretsSchema.shape.secrets.safeParse(signing);
    const list = given.success && given.data?.length ? given.data : [(signingSecret = newSigningSecret())];
    stored = { secrets: list };
  }
  try {
    const row = await db.notificationChannel.create({
      data: { id, name, kind, enabled: enabled ?? true, config: JSON.stringify(settled.data.config), ...sealSecrets(id, kind, stored) },
    });
    return { ok: true, data: { ...channelView(row), signingSecret } };
  } catch (e) {
    if (isUniqueViolation(e)) return nameTaken();
    throw e;
  }
}

/**
 * Changes a channel. Fields not sent keep their values; a secret field sent empty keeps the stored secret.
 * `expectedVersion` (the form's, or If-Match) refuses a change made over another administrator's.
 */
export async function updateChannel(
  id: string,
  patch: ChannelPatchInput,
  expectedVersion?: number | null,
): Promise<Result<{ view: ChannelView; changedFields: string[] }>> {
  const row = await db.notificationChannel.findUnique({ where: { id } });
  if (!row) return gone();
  if (expectedVersion != null && expectedVersion !== row.version) return changedMeanwhile();
  const kind = row.kind as ChannelKindName;
  const { name, enabled, kind: sentKind, ...sent } = patch as Record<string, unknown>;
  if (sentKind !== undefined && sentKind !== kind) return invalidField("kind", "A channel's kind cannot change. Create a new channel instead.");
  const current = parseJson(row.config);
  const stored = readSecrets(row);
  const fields: Record<string, unknown> = { ...current };
  for (const key of Object.keys(channelFieldSchemas[kind].shape)) {
    if (!(key in sent)) continue;
    const value = sent[key];
    // Write-only: an empty secret field means "unchanged".
    if (secretFields[kind].includes(key) && (value === "" || value === null || value === undefined)) continue;
    fields[key] = value;
  }
  const settled = await settle(kind, fields);
  if (!settled.ok) return settled;
  const secrets: Secrets = kind === "WEBHOOK" ? stored : { ...stored, ...settled.data.secrets };
  const changedFields = [
    ...(typeof name === "string" && name.trim() !== row.name ? ["name"] : []),
    ...(typeof enabled === "boolean" && enabled !== row.enabled ? ["enabled"] : []),
    ...Object.keys({ ...current, ...settled.data.config }).filter((k) => JSON.stringify(current[k]) !== JSON.stringify(settled.data.config[k])),
    ...secretFields[kind].filter((k) => settled.data.secrets[k] !== undefined && settled.data.secrets[k] !== stored[k]),
  ];
  try {
    const { count } = await db.notificationChannel.updateMany({
      where: { id, version: row.version },
      data: {
        ...(typeof name === "string" ? { name: name.trim() } : {}),
        ...(typeof enabled === "boolean" ? { enabled } : {}),
        config: JSON.stringify(settled.data.config),
        ...sealSecrets(id, kind, secrets),
        version: { increment: 1 },
      },
    });
    if (count === 0) return changedMeanwhile();
  } catch (e) {
    if (isUniqueViolation(e)) return nameTaken();
    throw e;
  }
  return { ok: true, data: { view: (await getChannelView(id))!, changedFields } };
}

export async function deleteChannel(id: string): Promise<Result<{ name: string; kind: ChannelKindName }>> {
  const row = await db.notificationChannel.findUnique({ where: { id }, select: { name: true, kind: true } });
  if (!row) return gone();
  await db.notificationChannel.delete({ where: { id } });
  return { ok: true, data: { name: row.name, kind: row.kind as ChannelKindName } };
}

/** Writes a webhook's secrets over the version read; a concurrent change is refused. */
async function writeWebhookSecrets(row: NotificationChannel, list: string[]): Promise<Result<ChannelView>> {
  const { count } = await db.notificationChannel.updateMany({
    where: { id: row.id, version: row.version },
    data: { ...sealSecrets(row.id, "WEBHOOK", { secrets: list }), version: { increment: 1 } },
  });
  if (count === 0) return changedMeanwhile();
  return { ok: true, data: (await getChannelView(row.id))! };
}

async function webhookRow(id: string): Promise<Result<NotificationChannel>> {
  const row = await db.notificationChannel.findUnique({ where: { id } });
  if (!row) return gone();
  if (row.kind !== "WEBHOOK") return refuse("conflict", "Only webhook channels have signing secrets.");
  return { ok: true, data: row };
}

/**
 * Starts a rotation: a new secret, shown once, signs from now on beside the previous one until the
 * rotation is finished, so the receiver can switch at its own pace. Rotating again during a rotation
 * replaces the new secret (the one the receiver may not have yet) and keeps the previous one.
 */
export async function rotateSigningSecret(id: string): Promise<Result<{ view: ChannelView; signingSecret: string }>> {
  const found = await webhookRow(id);
  if (!found.ok) return found;
  const current = z.array(z.string()).catch([]).parse(readSecrets(found.data).secrets);
  const previous = current.length === 2 ? current[1]! : current[0];
  const signingSecret = newSigningSecret();
  const written = await writeWebhookSecrets(found.data, previous ? [signingSecret, previous] : [signingSecret]);
  return written.ok ? { ok: true, data: { view: written.data, signingSecret } } : written;
}

/** Ends a rotation: only the newest secret signs from now on. */
export async function finishRotation(id: string): Promise<Result<ChannelView>> {
  const found = await webhookRow(id);
  if (!found.ok) return found;
  const current = z.array(z.string()).catch([]).parse(readSecrets(found.data).secrets);
  if (current.length < 2) return refuse("conflict", "No rotation is in progress: the channel signs with one secret.");
  return writeWebhookSecrets(found.data, [current[0]!]);
}

/** A Test's wait for the receiver: an administrator is looking at the button. */
export const TEST_TIMEOUT_MS = 10_000;

export type ChannelTestResult = { ok: boolean; responseCode: number | null; durationMs: number; error: string | null; at: Date };

/** Sends a test message through the channel's driver and logs it as a DeliveryAttempt (test_ok / test_failed). */
export async function testChannel(id: string, requestedBy: string, signal?: AbortSignal): Promise<Result<ChannelTestResult>> {
  const row = await db.notificationChannel.findUnique({ where: { id } });
  if (!row) return gone();
  let channel: ResolvedChannel;
  try {
    channel = resolve(row);
  } catch {
    return refuse("conflict", "The channel's stored settings are incomplete. Edit and save the channel, then test again.");
  }
  const at = new Date();
  const message: OutgoingMessage = {
    id: newId(),
    type: "test",
    severity: "info",
    title: `Test message for "${row.name}"`,
    text: `This is a test from the Tenant Access Console, sent by ${requestedBy} from Settings → Channels. If you can read it, the channel works.`,
    occurredAt: at,
    data: { channelId: row.id, channelName: row.name, requestedBy },
    link: new URL("/settings/channels", env.APP_URL).toString(),
  };
  const started = performance.now();
  const result = await deliverTo(channel, message, { timeoutMs: TEST_TIMEOUT_MS, signal });
  const durationMs = Math.round(performance.now() - started);
  const error = result.ok ? null : result.error.slice(0, 500);
  await db.deliveryAttempt.create({
    data: {
      id: newId(),
      channelId: id,
      notificationId: null,
      at,
      attempt: 1,
      outcome: result.ok ? "test_ok" : "test_failed",
      responseCode: result.responseCode,
      durationMs,
      error,
    },
  });
  return { ok: true, data: { ok: result.ok, responseCode: result.responseCode, durationMs, error, at } };
}
