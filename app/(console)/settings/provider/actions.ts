"use server";

import { applyProviderSettingsCommand, testProviderAppCommand } from "@/lib/commands/settings";
import { actionFor, checked, formActionFor, formVersion, textFields } from "@/lib/commands/server-action";

const textFieldNames = [
  "clientId",
  "clientSecret",
  "certificateThumbprint",
  "redirectUrl",
  "cloud",
  "customAuthorityHost",
  "customGraphHost",
  "tokenVersion",
  "resource",
  "scopes",
  "requiredAppPermissions",
  "homeTenantId",
  "certificatePassword",
] as const;

export const applyProviderSettingsAction = formActionFor(applyProviderSettingsCommand, {
  read: (form) => {
    const file = form.get("certificateFile");
    return {
      ...textFields(form, textFieldNames),
      removeCertificate: checked(form, "removeCertificate"),
      requestOfflineAccess: checked(form, "requestOfflineAccess"),
      certificateFile: file instanceof File ? file : null,
      version: formVersion(form),
    };
  },
  revalidate: "/settings/provider",
});

export const testProviderAppAction = actionFor(testProviderAppCommand, { revalidate: "/settings/provider" });
