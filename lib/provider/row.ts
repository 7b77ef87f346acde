/**
 * App registration rows: the default registration's id, the encryption bindings of their secret columns
 * and the default required permissions, shared by the settings pages and the verification engine.
 */

/** Source 003's registration (the Client ID / Secret / Redirect URL form): the former single settings row. */
export const PROVIDER_ID = "provider";

/** Secrets of every registration are bound to the table name of the row they started in (lib/crypto/fields.ts). */
const BINDING_TABLE = "ProviderSettings";
export const secretBinding = (id: string) => ({ table: BINDING_TABLE, rowId: id, field: "clientSecret" }) as const;
export const certificateBinding = (id: string) => ({ table: BINDING_TABLE, rowId: id, field: "certificate" }) as const;

export const DEFAULT_REQUIRED_APP_PERMISSIONS = "Organization.Read.All User.Read.All";
export const DEFAULT_SCOPES = "User.Read Organization.Read.All";
