"use server";

import { updateBrandingCommand } from "@/lib/commands/branding";
import { checked, formActionFor, formVersion, textFields } from "@/lib/commands/server-action";

/** Settings → Branding: an adapter over lib/commands/branding.ts (administrators change the branding). */

const names = ["mspName", "supportEmail", "supportUrl", "customText", "inviteSubject", "inviteText"] as const;

export const updateBrandingAction = formActionFor(updateBrandingCommand, {
  read: (form) => {
    const file = form.get("logoFile");
    return { ...textFields(form, names), version: formVersion(form), logoFile: file instanceof File ? file : null, removeLogo: checked(form, "removeLogo") };
  },
  revalidate: "/settings/branding",
});
