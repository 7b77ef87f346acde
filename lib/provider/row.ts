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
/** A second certificate beside the one in use (lib/provider/certificates.ts). */
export const standbyCertificateBinding = (id: string) => ({ table: BINDING_TABLE, rowId: id, field: "standbyCertificate" }) as const;

export const DEFAULT_REQUIRED_APP_PERMISSIONS = "Organization.Read.All User.Read.All";
export const DEFAULT_SCOPES = "User.Read Organization.Read.All";

/** How a credential's expiry was last read from Graph (lib/provider/expiry.ts): `AppRegistration.expiryCheck`, `TenantCredential.expiryCheck`. */
export type ExpiryCheck = "read" | "forbidden" | "not_found" | "no_match" | "failed" | "no_home_tenant";

/** Why an expiry is unknown, as the settings page and the Credentials panel say it. */
export const expiryUnknownText: Record<Exclude<ExpiryCheck, "read">, string> = {
  forbidden: "the app may not read its own registration in Graph (grant it Application.Read.All, or make it the app's owner)",
  not_found: "Graph does not know this Client ID in the home tenant",
  no_match: "no credential with this hint or thumbprint is registered on the app",
  failed: "Graph could not be reached; it is read again on the next scheduled Verify All",
  no_home_tenant: "set the Home tenant so the console can read it from Graph",
};

/** "expires 12 Mar 2027" or "expiry unknown: <why>", for a credential whose expiry was (or was not) read. */
export function expiryPhrase(expiresAt: Date | string | null, check: string | null, format: (d: Date | string) => string | null): string {
  if (expiresAt) return `expires ${format(expiresAt)}`;
  const why = check && check !== "read" ? expiryUnknownText[check as Exclude<ExpiryCheck, "read">] : null;
  return why ? `expiry unknown: ${why}` : "expiry unknown";
}
