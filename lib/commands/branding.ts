import "server-only";
import { z } from "zod";
import { BRANDING_ID, getBranding, saveBranding } from "@/lib/campaigns/branding";
import { DEFAULT_SUBJECT, DEFAULT_TEXT } from "@/lib/campaigns/template";
import { CHECK_FIELDS, CommandError, unwrap } from "@/lib/errors";
import { brandingSchema, checkLogo, LOGO_TOO_LARGE, MAX_LOGO_BYTES } from "@/lib/validations/branding";
import { defineCommand, defineQuery } from "./command";

/**
 * Settings → Branding: everyone reads it (it is what customers see); administrators change it, over the
 * version their form was loaded with. The audit entry names the changed fields, never a value or the logo.
 */

export const brandingQuery = defineQuery({
  name: "branding.get",
  role: "VIEWER",
  input: z.object({}).optional(),
  run: () => getBranding(),
});

export const updateBrandingCommand = defineCommand({
  name: "branding.update",
  role: "ADMINISTRATOR",
  audit: "branding.updated",
  denied: "Only administrators can change the branding.",
  input: brandingSchema.extend({
    version: z.number().int(),
    logoFile: z.instanceof(File).nullable().optional(),
    removeLogo: z.boolean().default(false),
  }),
  run: async (ctx, { version, logoFile, removeLogo, ...values }) => {
    let logo: { bytes: Uint8Array; type: string } | "remove" | null = removeLogo ? "remove" : null;
    if (!removeLogo && logoFile && logoFile.size > 0) {
      // The size is refused before the file is read; the format is read from the bytes, not the declared type.
      const bytes = logoFile.size > MAX_LOGO_BYTES ? null : new Uint8Array(await logoFile.arrayBuffer());
      const checked = bytes ? checkLogo(bytes) : { ok: false as const, message: LOGO_TOO_LARGE };
      if (!checked.ok) throw new CommandError("validation", CHECK_FIELDS, { fieldErrors: { logoFile: [checked.message] } });
      logo = { bytes: bytes!, type: checked.image.type };
    }
    // The form shows the default template when none is saved: submitted unchanged, it stays "the default".
    const template = {
      inviteSubject: values.inviteSubject === DEFAULT_SUBJECT ? null : values.inviteSubject,
      inviteText: values.inviteText === DEFAULT_TEXT ? null : values.inviteText,
    };
    const saved = unwrap(await saveBranding({ values: { ...values, ...template }, logo, expectedVersion: version }));
    if (saved.changedFields.length > 0) await ctx.audit({ target: { type: "branding", id: BRANDING_ID }, details: { changedFields: saved.changedFields } });
    return saved;
  },
});
