"use server";

import { applyEntraSettingsCommand } from "@/lib/commands/settings";
import { checked, formActionFor, formVersion, textFields } from "@/lib/commands/server-action";

const textFieldNames = [
  "tenantId",
  "clientId",
  "audience",
  "issuer",
  "authority",
  "metadataAddress",
  "requiredClaims",
  "clockSkew",
  "jwksCacheDuration",
  "certificateThumbprint",
  "groupCacheDuration",
  "apiAudience",
  "apiIssuer",
  "groupRoles",
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
