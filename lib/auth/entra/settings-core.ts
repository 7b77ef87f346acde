/**
 * Seed 001 ("Entra Authentication settings"): the pure parts shared by the settings form, the sign-in
 * provider and the JWT validator. No database, no server-only: the REST API and tests import it too.
 */

export const TENANT_PLACEHOLDER = "{TenantId}";
/** Not the seed's: stands for the Client ID in the audiences, so the default follows the Client ID. */
export const CLIENT_PLACEHOLDER = "{ClientId}";

/** Replaces every {ClientId} with the Client ID (e.g. `{ClientId}` or `api://{ClientId}`). */
export function expandClient(template: string, clientId: string): string {
  return template.split(CLIENT_PLACEHOLDER).join(clientId);
}

export const entraAuthDefaults = {
  enabled: false,
  tenantId: "",
  clientId: "",
  // Seed 001 defaults to https://database.windows.net/ (Azure SQL's resource), which no ID token of this
  // console's sign-in carries: Microsoft sets an ID token's aud to the app's client id.
  audience: CLIENT_PLACEHOLDER,
  // The v2.0 issuer: this console signs in through the v2.0 endpoints (Metadata Address below), whose ID
  // tokens carry iss https://login.microsoftonline.com/{tenant id}/v2.0. Seed 001's v1 value
  // (https://sts.windows.net/{TenantId}/) stays available for v1 tokens.
  issuer: "https://login.microsoftonline.com/{TenantId}/v2.0",
  authority: "https://login.microsoftonline.com/{TenantId}/",
  metadataAddress: "https://login.microsoftonline.com/{TenantId}/v2.0/.well-known/openid-configuration",
  requiredClaims: "tid={TenantId};",
  clockSkew: "00:05:00",
  jwksCacheDuration: "01:00:00",
  certificateThumbprint: "",
  groupCacheDuration: "00:30:00",
  // Not seed 001's: the REST API's own audience and issuer (empty API Audience: no Entra tokens on /api/v1).
  apiAudience: "",
  apiIssuer: "",
} as const;

/** The seed's values as stored and edited (templates, hh:mm:ss strings). */
export type EntraAuthValues = {
  enabled: boolean;
  tenantId: string;
  clientId: string;
  audience: string;
  issuer: string;
  authority: string;
  metadataAddress: string;
  requiredClaims: string;
  clockSkew: string;
  jwksCacheDuration: string;
  certificateThumbprint: string;
  groupCacheDuration: string;
  apiAudience: string;
  apiIssuer: string;
};

export type RequiredClaim = { name: string; value?: string };

/**
 * The settings with {TenantId} expanded and durations in seconds: what validation actually uses.
 * `audience`/`issuer` are for sign-in (ID tokens), `apiAudience`/`apiIssuer` for the REST API's access
 * tokens: the two must differ in kind, or an ID token issued to the sign-in app would pass as an API token.
 */
export type ResolvedEntraSettings = {
  tenantId: string;
  clientId: string;
  audience: string;
  issuer: string;
  /** Empty: the REST API accepts no Entra tokens. */
  apiAudience: string;
  /** The API Issuer, or the Issuer when API Issuer is empty. */
  apiIssuer: string;
  authority: string;
  metadataAddress: string;
  requiredClaims: RequiredClaim[];
  clockSkewSeconds: number;
  jwksCacheSeconds: number;
  groupCacheSeconds: number;
  certificateThumbprint: string;
};

/** Replaces every {TenantId} (the seed spells it this way; case-sensitive like the seed's examples). */
export function expandTenant(template: string, tenantId: string): string {
  return template.split(TENANT_PLACEHOLDER).join(tenantId);
}

// .NET TimeSpan's constant format, which the seed's hh:mm:ss values come from: optional days "d.".
const DURATION = /^(?:(\d{1,3})\.)?([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/;

/** Seconds of an `hh:mm:ss` (or `d.hh:mm:ss`) duration; null when the text is not one. */
export function parseDuration(value: string): number | null {
  const m = DURATION.exec(value.trim());
  if (!m) return null;
  return Number(m[1] ?? 0) * 86_400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

const CLAIM_NAME = /^[A-Za-z0-9_.:/#-]{1,128}$/;

/**
 * `roles;tid={TenantId}` → presence-only `roles` and value match `tid`. Empty entries (a trailing `;`,
 * as in the seed's default) are skipped; whitespace around an entry is pasted noise, inside a value it is
 * kept because values are compared ordinally.
 */
export function parseRequiredClaims(text: string): { ok: true; claims: RequiredClaim[] } | { ok: false; error: string } {
  const claims: RequiredClaim[] = [];
  for (const raw of text.split(";")) {
    const entry = raw.trim();
    if (!entry) continue;
    const eq = entry.indexOf("=");
    const name = (eq === -1 ? entry : entry.slice(0, eq)).trim();
    if (!CLAIM_NAME.test(name)) return { ok: false, error: `"${entry}" is not a claim type: use <claimType> or <claimType>=<expectedValue>` };
    if (eq === -1) {
      claims.push({ name });
      continue;
    }
    const value = entry.slice(eq + 1);
    if (!value) return { ok: false, error: `"${entry}" has no expected value after "="` };
    claims.push({ name, value });
  }
  return { ok: true, claims };
}

export class EntraSettingsError extends Error {}

/** Expands and parses stored values; throws EntraSettingsError when they cannot be used. */
export function resolveEntraSettings(values: EntraAuthValues): ResolvedEntraSettings {
  const tenantId = values.tenantId.trim();
  const expand = (s: string) => expandTenant(s.trim(), tenantId);
  const claims = parseRequiredClaims(expand(values.requiredClaims));
  if (!claims.ok) throw new EntraSettingsError(claims.error);
  const seconds = (v: string, field: string) => {
    const s = parseDuration(v);
    if (s === null) throw new EntraSettingsError(`${field} is not an hh:mm:ss duration`);
    return s;
  };
  return {
    tenantId,
    clientId: values.clientId.trim(),
    audience: expandClient(values.audience.trim(), values.clientId.trim()),
    issuer: expand(values.issuer),
    apiAudience: expandClient(values.apiAudience.trim(), values.clientId.trim()),
    apiIssuer: expand(values.apiIssuer.trim() ? values.apiIssuer : values.issuer),
    authority: expand(values.authority),
    metadataAddress: expand(values.metadataAddress),
    requiredClaims: claims.claims,
    clockSkewSeconds: seconds(values.clockSkew, "Clock Skew"),
    jwksCacheSeconds: seconds(values.jwksCacheDuration, "JWKS Keys Cache Duration"),
    groupCacheSeconds: seconds(values.groupCacheDuration, "Entra Group Cache Duration"),
    certificateThumbprint: values.certificateThumbprint,
  };
}
