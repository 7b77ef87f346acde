/**
 * Every encrypted column, declared once: key rotation walks this list, and a new secret column that is
 * not listed here would be left under an old key, so add it here when you add it to the schema.
 */
export const encryptedFields = [
  { table: "ProviderSettings", field: "clientSecret" },
  { table: "ProviderSettings", field: "certificate" },
  { table: "TenantCredential", field: "secret" },
  { table: "OAuthState", field: "codeVerifier" },
] as const;

export type EncryptedField = (typeof encryptedFields)[number];
