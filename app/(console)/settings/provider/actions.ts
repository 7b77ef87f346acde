"use server";

import { applyProviderSettingsCommand, createAppRegistrationCommand, deleteAppRegistrationCommand, testProviderAppCommand } from "@/lib/commands/settings";
import { removeStandbyCertificateCommand, stageCertificateCommand, startSecretRotationCommand, switchCertificateCommand } from "@/lib/commands/rotation";
import { actionFor, checked, formActionFor, formVersion, textFields } from "@/lib/commands/server-action";

const textFieldNames = [
  "name",
  "clientId",
  "clientSecret",
  "certificateThumbprint",
  "redirectUrl",
  "cloud",
  "customAuthorityHost",
  "customGraphHost",
  "customGraphResource",
  "tokenVersion",
  "resource",
  "scopes",
  "requiredAppPermissions",
  "loginParameters",
  "homeTenantId",
  "certificatePassword",
] as const;

function readRegistration(form: FormData) {
  const file = form.get("certificateFile");
  return {
    ...textFields(form, textFieldNames),
    isDefault: checked(form, "isDefault"),
    removeCertificate: checked(form, "removeCertificate"),
    requestOfflineAccess: checked(form, "requestOfflineAccess"),
    certificateFile: file instanceof File ? file : null,
  };
}

export const applyProviderSettingsAction = formActionFor(applyProviderSettingsCommand, {
  read: (form) => ({ ...readRegistration(form), id: String(form.get("id") ?? "") || undefined, version: formVersion(form) }),
  revalidate: "/settings/provider",
});

export const createAppRegistrationAction = formActionFor(createAppRegistrationCommand, { read: readRegistration, revalidate: "/settings/provider" });

export const testProviderAppAction = actionFor(testProviderAppCommand, { revalidate: "/settings/provider" });

export const deleteAppRegistrationAction = actionFor(deleteAppRegistrationCommand, { revalidate: "/settings/provider" });

export const startSecretRotationAction = actionFor(startSecretRotationCommand, {
  revalidate: ({ id }) => (id === "provider" ? "/settings/provider" : `/settings/provider/${id}`),
});

const registrationPage = ({ id }: { id: string }) => (id === "provider" ? "/settings/provider" : `/settings/provider/${id}`);

export const stageCertificateAction = formActionFor(stageCertificateCommand, {
  read: (form) => {
    const file = form.get("certificateFile");
    return {
      id: String(form.get("id") ?? ""),
      version: formVersion(form),
      certificateFile: file instanceof File ? file : null,
      certificatePassword: String(form.get("certificatePassword") ?? ""),
    };
  },
  revalidate: "/settings/provider",
});

export const switchCertificateAction = actionFor(switchCertificateCommand, { revalidate: registrationPage });

export const removeStandbyCertificateAction = actionFor(removeStandbyCertificateCommand, { revalidate: registrationPage });
