import "server-only";
import { z } from "zod";
import { unwrap } from "@/lib/errors";
import { createChannel, deleteChannel, finishRotation, rotateSigningSecret, testChannel, updateChannel } from "@/lib/notify/channels/store";
import { channelCreateSchema, channelPatchSchema, secretFields } from "@/lib/validations/channel";
import { defineCommand } from "./command";

/**
 * Notification channels (Settings → Channels, /api/v1/channels): administrators only. Audit details name
 * the channel, its kind and the changed fields; a secret never appears, nor does a Teams workflow URL.
 * A webhook's signing secret leaves the server only in the output of create and rotate, once.
 */

const channelId = z.string().trim().min(1, "This channel does not exist.").max(64, "This channel does not exist.");

export const createChannelCommand = defineCommand({
  name: "channel.create",
  role: "ADMINISTRATOR",
  audit: "channel.created",
  denied: "Only administrators can add notification channels.",
  input: channelCreateSchema,
  run: async (ctx, { kind, name, enabled, ...fields }) => {
    const config: Record<string, unknown> = {};
    const secrets: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) (secretFields[kind].includes(k) ? secrets : config)[k] = v;
    const created = await createChannel({ kind, name, enabled, config, secrets });
    await ctx.audit({ target: { type: "channel", id: created.id }, details: { name: created.name, kind: created.kind } });
    return created;
  },
});

export const updateChannelCommand = defineCommand({
  name: "channel.update",
  role: "ADMINISTRATOR",
  audit: "channel.updated",
  denied: "Only administrators can change notification channels.",
  input: channelPatchSchema.extend({ id: channelId, version: z.coerce.number().int().nullable().optional() }),
  run: async (ctx, { id, version, ...patch }) => {
    const updated = unwrap(await updateChannel(id, patch, version));
    await ctx.audit({
      target: { type: "channel", id },
      details: { name: updated.view.name, kind: updated.view.kind, changedFields: updated.changedFields },
    });
    return updated;
  },
});

export const deleteChannelCommand = defineCommand({
  name: "channel.delete",
  role: "ADMINISTRATOR",
  audit: "channel.deleted",
  denied: "Only administrators can delete notification channels.",
  input: z.object({ id: channelId }),
  run: async (ctx, { id }) => {
    const deleted = unwrap(await deleteChannel(id));
    await ctx.audit({ target: { type: "channel", id }, details: { name: deleted.name, kind: deleted.kind } });
    return { id, ...deleted };
  },
});

/** Sends a test message now; the attempt is in the channel's delivery log and the audit log. */
export const testChannelCommand = defineCommand({
  name: "channel.test",
  role: "ADMINISTRATOR",
  audit: "channel.tested",
  denied: "Only administrators can test notification channels.",
  input: z.object({ id: channelId }),
  run: async (ctx, { id }) => {
    const result = unwrap(await testChannel(id, ctx.actor.label, ctx.signal));
    await ctx.audit({ target: { type: "channel", id }, details: { ok: result.ok, responseCode: result.responseCode, durationMs: result.durationMs } });
    return result;
  },
});

export const rotateChannelSecretCommand = defineCommand({
  name: "channel.rotate_secret",
  role: "ADMINISTRATOR",
  audit: "channel.secret_rotated",
  denied: "Only administrators can rotate signing secrets.",
  input: z.object({ id: channelId }),
  run: async (ctx, { id }) => {
    const rotated = unwrap(await rotateSigningSecret(id));
    await ctx.audit({ target: { type: "channel", id }, details: { name: rotated.view.name, signing: rotated.view.secretHint } });
    return rotated;
  },
});

export const finishChannelRotationCommand = defineCommand({
  name: "channel.finish_rotation",
  role: "ADMINISTRATOR",
  audit: "channel.rotation_finished",
  denied: "Only administrators can finish a signing secret rotation.",
  input: z.object({ id: channelId }),
  run: async (ctx, { id }) => {
    const view = unwrap(await finishRotation(id));
    await ctx.audit({ target: { type: "channel", id }, details: { name: view.name } });
    return view;
  },
});
