"use server";

import { removeAccessTokenGrantCommand, saveAccessTokenGrantCommand } from "@/lib/commands/access-tokens";
import { createApiTokenCommand, revokeApiTokenCommand } from "@/lib/commands/api-tokens";
import { actionFor, formActionFor, textFields, type FormResult } from "@/lib/commands/server-action";
import type { ApiTokenRole } from "@/lib/validations/api-token";

export type CreatedApiToken = { id: string; name: string; role: ApiTokenRole; expiresAt: string; prefix: string; token: string };

/** The form's own values come back on failure so the dialog keeps them; none of them is secret. */
export type CreateApiTokenState = FormResult<CreatedApiToken>;

const tokenFields = ["name", "role", "expiry", "expiresOn"] as const;

/** The only place the token leaves the server: in this action's result, once. The page lists prefixes only. */
export const createApiTokenAction = formActionFor(createApiTokenCommand, {
  read: (form) => textFields(form, tokenFields),
  echo: tokenFields,
  revalidate: "/settings/api-tokens",
  present: ({ id, name, role, expiresAt, prefix, token }): CreatedApiToken => ({ id, name, role, expiresAt, prefix, token }),
});

export const revokeApiTokenAction = actionFor(revokeApiTokenCommand, { revalidate: "/settings/api-tokens" });

const grantFields = ["apiTokenId", "entraAppId", "tenantScope", "customerIds", "resources", "scopes", "ratePerMinute"] as const;

/** Allows (or changes what it allows) access tokens for an API token or an Entra client. */
export const saveAccessTokenGrantAction = formActionFor(saveAccessTokenGrantCommand, {
  read: (form) => {
    const f = textFields(form, grantFields);
    return {
      ...(f.apiTokenId ? { apiTokenId: f.apiTokenId } : { entraAppId: f.entraAppId }),
      tenantScope: f.tenantScope,
      customerIds: f.customerIds,
      tagIds: form.getAll("tagIds").filter((v): v is string => typeof v === "string"),
      resources: f.resources,
      scopes: f.scopes,
      ratePerMinute: f.ratePerMinute,
    };
  },
  echo: grantFields,
  revalidate: "/settings/api-tokens",
  present: ({ id }) => ({ id }),
});

export const removeAccessTokenGrantAction = actionFor(removeAccessTokenGrantCommand, { revalidate: "/settings/api-tokens" });
