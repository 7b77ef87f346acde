"use server";

import { applyEntraSettingsCommand } from "@/lib/commands/settings";
import { checked, formActionFor, formVersion, textFields, type FormResult } from "@/lib/commands/server-action";

export type ApplyEntraState = FormResult<{ version: number; changedFields: string[] }>;

const textFieldNames = [
  "tenantId", "clientId", "audience", "issuer", "authority", "metadataAddress", "requiredClaims", "clockSkew",
  "jwksCacheDuration", "certificateThumbprint", "groupCacheDuration", "apiAudience", "apiIssuer", "groupRoles",
] as const;

export const applyEntraSettingsAction = formActionFor(applyEntraSettingsCommand, {
  read: (form) => ({
    ...textFields(form, textFieldNames),
    enabled: checked(form, "enabled"),
    localSignInEnabled: checked(form, "localSignInEnabled"),
    version: formVersion(form),
  }),
  revalidate: "/settings/entra",
});
