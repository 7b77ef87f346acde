import "server-only";
import { z } from "zod";
import { CommandError, unwrap } from "@/lib/errors";
import { callPolicy } from "@/lib/entra/http";
import { removeStandbyCertificate, stageCertificate, switchCertificate } from "@/lib/provider/certificates";
import { refreshRegistrationExpiry } from "@/lib/provider/expiry";
import { getRotation, rotationHistory, startRotation } from "@/lib/provider/rotation";
import { defineCommand, defineQuery } from "./command";
import { readCertificate } from "./settings";

/**
 * Credential rollover of an MSP app registration: client-secret rotation (lib/provider/rotation.ts: start
 * one, read its timeline and the history) and certificate overlap (lib/provider/certificates.ts).
 */

const registrationId = z.string().trim().min(1, "Name the app registration.").max(64);

export const rotationStartSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("graph") }),
  z.object({ mode: z.literal("certificate") }),
  z.object({
    mode: z.literal("pasted"),
    secret: z.string().trim().min(1, "Paste the new client secret (its Value, not its ID).").max(1024, "A client secret is far shorter than this."),
  }),
]);

export const startSecretRotationCommand = defineCommand({
  name: "app_registration.rotate_secret",
  role: "ADMINISTRATOR",
  audit: "app_registration.rotation_started",
  denied: "Only administrators can rotate an app registration's secret.",
  input: z.intersection(z.object({ id: registrationId }), rotationStartSchema),
  // startRotation audits the start (or the refusal) itself, with the rotation's id.
  run: async (ctx, input) =>
    unwrap(
      await startRotation(input.id, input.mode === "pasted" ? { mode: "pasted", secret: input.secret } : { mode: input.mode }, {
        actor: ctx.actor,
        requestId: ctx.requestId,
        // The administrator waits for Graph: the short interactive policy.
        policy: callPolicy("consent"),
      }),
    ),
});

export const getSecretRotationQuery = defineQuery({
  name: "app_registration.rotation",
  role: "VIEWER",
  input: z.object({ id: registrationId, rotationId: z.string().trim().min(1).max(64) }),
  run: async (_ctx, { id, rotationId }) => {
    const rotation = await getRotation(id, rotationId);
    if (!rotation) throw new CommandError("not-found", "No such rotation of this app registration.");
    return rotation;
  },
});

export const listSecretRotationsQuery = defineQuery({
  name: "app_registration.rotations",
  role: "VIEWER",
  input: z.object({
    id: registrationId,
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  }),
  run: async (_ctx, { id, page, pageSize }) => {
    const history = await rotationHistory(id, page, pageSize);
    if (!history) throw new CommandError("not-found", "This app registration no longer exists.");
    return history;
  },
});

const certificateVersion = z.object({ id: z.string().trim().min(1, "Name the app registration.").max(64), version: z.number().int() });

/** Uploads a new certificate beside the one in use (lib/provider/certificates.ts); it is used only once switched to. */
export const stageCertificateCommand = defineCommand({
  name: "app_registration.stage_certificate",
  role: "ADMINISTRATOR",
  audit: "app_registration.certificate_staged",
  denied: "Only administrators can change an app registration's certificates.",
  input: certificateVersion.extend({
    certificateFile: z.instanceof(File, { message: "Choose the new certificate file." }).refine((f) => f.size > 0, "Choose the new certificate file."),
    certificatePassword: z.string().max(1024).optional(),
  }),
  run: async (ctx, { id, version, certificateFile, certificatePassword }) => {
    const certificate = await readCertificate(certificateFile, certificatePassword ?? "");
    return unwrap(await stageCertificate({ id, certificate, expectedVersion: version, actor: ctx.actor, requestId: ctx.requestId }));
  },
});

/** Switches to the standby certificate once Microsoft accepts it; the old one stays on standby until removed. */
export const switchCertificateCommand = defineCommand({
  name: "app_registration.switch_certificate",
  role: "ADMINISTRATOR",
  audit: "app_registration.certificate_switched",
  denied: "Only administrators can change an app registration's certificates.",
  input: certificateVersion,
  run: async (ctx, { id, version }) => {
    const switched = unwrap(
      await switchCertificate({ id, expectedVersion: version, actor: ctx.actor, requestId: ctx.requestId, policy: callPolicy("consent") }),
    );
    // The new certificate's end as Entra lists it, for "Access breaks on" and the expiry alerts.
    await refreshRegistrationExpiry(id, { policy: callPolicy("consent") });
    return switched;
  },
});

export const removeStandbyCertificateCommand = defineCommand({
  name: "app_registration.remove_standby_certificate",
  role: "ADMINISTRATOR",
  audit: "app_registration.certificate_removed",
  denied: "Only administrators can change an app registration's certificates.",
  input: certificateVersion,
  run: async (ctx, { id, version }) => unwrap(await removeStandbyCertificate({ id, expectedVersion: version, actor: ctx.actor, requestId: ctx.requestId })),
});
