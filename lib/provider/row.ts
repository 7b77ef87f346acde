/**
 * The provider app's settings row: its id, the encryption bindings of its secret columns and the
 * default required permissions, shared by the settings page and the verification engine.
 */
export const PROVIDER_ID = "provider";
export const SECRET_BINDING = { table: "ProviderSettings", rowId: PROVIDER_ID, field: "clientSecret" } as const;
export const CERT_BINDING = { table: "ProviderSettings", rowId: PROVIDER_ID, field: "certificate" } as const;
export const DEFAULT_REQUIRED_APP_PERMISSIONS = "Organization.Read.All User.Read.All";
