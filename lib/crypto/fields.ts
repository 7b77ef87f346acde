/**
 * Every encrypted column, declared once: key rotation walks this list, and a new secret column that is
 * not listed here would be left under an old key, so add it here when you add it to the schema.
 * `binding` is the table name a column's ciphertexts are bound to when it is not the model's own: the app
 * registrations' secrets keep the name of the settings row they were migrated from ("ProviderSettings"),
 * so those ciphertexts were carried over unchanged and still decrypt (each stays bound to its row id).
 */
export const encryptedFields: readonly { table: string; field: string; binding?: string }[] = [
  { table: "AppRegistration", field: "clientSecret", binding: "ProviderSettings" },
  { table: "AppRegistration", field: "certificate", binding: "ProviderSettings" },
  { table: "AppRegistration", field: "standbyCertificate", binding: "ProviderSettings" },
  { table: "TenantCredential", field: "secret" },
  { table: "OAuthState", field: "codeVerifier" },
  { table: "NotificationChannel", field: "secret" },
  { table: "Invitation", field: "linkToken" },
  { table: "SecretRotation", field: "newSecret" },
];

export type EncryptedField = (typeof encryptedFields)[number];
