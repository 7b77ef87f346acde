"use server";

import { actionFor, formActionFor, textFields } from "@/lib/commands/server-action";
import {
  chooseTenantRegistrationCommand,
  clearTenantOwnAppCommand,
  createConsentLinkCommand,
  refreshTokenCommand,
  revokeConsentLinksCommand,
  setLegacyPasswordCommand,
  setTenantOwnAppCommand,
} from "@/lib/commands/tenants";

/** The authorization panel of a tenant's page: adapters over the commands in lib/commands/tenants.ts. */

const tenantPage = (input: { id: string }) => `/tenants/${input.id}`;

/** Seed 000's "Obtain Authorization": a fresh consent link the signed-in admin opens or forwards. */
export const obtainAuthorizationAction = actionFor(createConsentLinkCommand, { present: ({ url }) => ({ url }) });

/** Seed 000's "Refresh Access Token": redeems the stored refresh token now. */
export const refreshAccessTokenAction = actionFor(refreshTokenCommand, {
  revalidate: tenantPage,
  present: ({ expiresAt }) => ({ expiresAt: expiresAt?.toISOString() ?? null }),
});

/** Enters or replaces the legacy username + password (flagged legacy; switching to a token is recommended). */
const legacyPasswordForm = formActionFor(setLegacyPasswordCommand, {
  read: (form) => textFields(form, ["id", "username", "password"]),
  revalidate: tenantPage,
  present: () => undefined,
});

export async function setLegacyPasswordAction(formData: FormData) {
  return legacyPasswordForm(null, formData);
}

/** Revokes every unused consent link of the tenant (for example one sent to the wrong person). */
export const revokeConsentLinksAction = actionFor(revokeConsentLinksCommand, { revalidate: tenantPage });

/** The customer-owned app registration (Credentials panel): saved, then the tenant is verified. */
export const setTenantOwnAppAction = formActionFor(setTenantOwnAppCommand, {
  read: (form) => {
    const file = form.get("certificateFile");
    return {
      ...textFields(form, ["id", "entraTenantId", "clientId", "clientSecret", "secretExpiresAt", "environment", "certificatePassword"]),
      certificateFile: file instanceof File ? file : null,
    };
  },
  revalidate: tenantPage,
  present: ({ verification }) => ({ status: verification.status, message: verification.message }),
});

export const clearTenantOwnAppAction = actionFor(clearTenantOwnAppCommand, { revalidate: tenantPage });

export const chooseTenantRegistrationAction = actionFor(chooseTenantRegistrationCommand, { revalidate: tenantPage });
