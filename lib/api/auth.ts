import "server-only";
import { API_TOKEN_PATTERN, hashApiToken, looksLikeApiToken } from "@/lib/api-tokens/format";
import type { AuditActor } from "@/lib/audit";
import type { JwtRejection } from "@/lib/auth/entra/jwt-validator";
import { roleForGroups } from "@/lib/auth/entra/roles";
import { higher } from "@/lib/auth/roles";
import { loadEntraRuntime } from "@/lib/auth/entra/settings";
import { validatorFor } from "@/lib/auth/entra/sign-in";
import { db } from "@/lib/db";
import type { AdminRole } from "@/lib/generated/prisma/enums";
import { ApiError } from "@/lib/http/problem";
import type { Grantee } from "@/lib/commands/command";

/**
 * Bearer authentication for /api/v1 (RFC 6750). The token is either one of our API tokens (`tac_…`,
 * looked up by its SHA-256) or an Entra ID access token validated by the Entra Authentication settings.
 * Cookies are never read: a browser session cannot authorize an API call, so there is no CSRF surface.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */

export type ApiPrincipal = {
  kind: "api_token" | "entra_client";
  /** API token id, or the Entra client's object id. */
  id: string;
  /** Token name, or the Entra client's app name. */
  label: string;
  role: AdminRole;
  actor: AuditActor;
  /** Rate-limit subject. */
  rateKey: string;
  /** Who the caller is for the access-token broker's grants (lib/access-tokens). */
  grantee: Grantee;
};

const REALM = 'Bearer realm="tenant-access-console"';
const LAST_USED_INTERVAL_MS = 60_000;

/**
 * App role values in an Entra token's `roles` claim, exactly as the app registration defines them. A Map:
 * the claim is the token's, and `roles: ["constructor"]` must not find Object.prototype's members.
 */
const APP_ROLES = new Map<string, AdminRole>([
  ["Administrator", "ADMINISTRATOR"],
  ["Operator", "OPERATOR"],
  ["Viewer", "VIEWER"],
]);

function missingToken(detail: string): ApiError {
  return new ApiError("unauthorized", detail, { headers: { "WWW-Authenticate": REALM } });
}

function invalidToken(detail: string): ApiError {
  // RFC 6750 §3: error_description is printable ASCII without `"` and `\`.
  const description = detail.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, "");
  return new ApiError("unauthorized", detail, { headers: { "WWW-Authenticate": `${REALM}, error="invalid_token", error_description="${description}"` } });
}

export function bearerOf(headers: Headers): string | null {
  const value = headers.get("authorization");
  if (!value) return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(value);
  return match ? match[1]! : "";
}

/** The caller, or an ApiError (401, or 403 for an Entra token without a role). */
export async function authenticate(headers: Headers, clientAddress: string): Promise<ApiPrincipal> {
  const token = bearerOf(headers);
  if (token === null) throw missingToken("Send an API token or an Entra ID access token as Authorization: Bearer <token>.");
  if (token === "") throw invalidToken("The Authorization header must be Bearer followed by the token.");
  return looksLikeApiToken(token) ? authenticateApiToken(token, clientAddress) : authenticateEntraToken(token);
}

async function authenticateApiToken(token: string, clientAddress: string): Promise<ApiPrincipal> {
  if (!API_TOKEN_PATTERN.test(token)) throw invalidToken("The API token is malformed.");
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashApiToken(token) },
    select: { id: true, name: true, role: true, expiresAt: true, revokedAt: true, lastUsedAt: true },
  });
  if (!row) throw invalidToken("The API token is not known.");
  if (row.revokedAt) throw invalidToken("The API token was revoked.");
  const now = new Date();
  if (row.expiresAt <= now) throw invalidToken("The API token has expired.");
  // At most one write a minute per token: busy automation must not turn every read into a write.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_INTERVAL_MS) {
    await db.apiToken.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_INTERVAL_MS) } }] },
      data: { lastUsedAt: now, lastUsedFrom: clientAddress.slice(0, 100) },
    });
  }
  return {
    kind: "api_token",
    id: row.id,
    label: row.name,
    role: row.role,
    actor: { type: "api_token", id: row.id, label: row.name },
    rateKey: `token:${row.id}`,
    grantee: { kind: "api_token", tokenId: row.id },
  };
}

const rejectionText: Record<JwtRejection, string> = {
  malformed: "The bearer token is neither an API token nor a well-formed JWT.",
  oversized: "The bearer token is too large.",
  unsupported_alg: "The token's signing algorithm is not accepted (RS256 only).",
  missing_kid: "The token has no key id.",
  unknown_kid: "The token was signed with an unknown key.",
  bad_signature: "The token's signature is invalid.",
  keys_unavailable: "The signing keys could not be loaded from the metadata address.",
  wrong_issuer: "The token's issuer is not the configured API Issuer (the Issuer while API Issuer is empty).",
  wrong_audience: "The token's audience is not the configured API Audience.",
  expired: "The token has expired.",
  not_yet_valid: "The token is not valid yet.",
  missing_exp: "The token has no expiry.",
  invalid_time: "A time claim of the token is not a valid time",
  issued_in_future: "The token's issue time (iat) lies in the future.",
  wrong_key_issuer: "The token's issuer is not the issuer its signing key is published for.",
  missing_claim: "The token lacks a required claim",
  claim_mismatch: "A required claim of the token has another value",
};

/** The highest role of the `roles` claim; otherwise of the groups in the `groups` claim mapped to roles. */
export function roleOfClaims(claims: Record<string, unknown>, groupRoles: Map<string, AdminRole>): AdminRole | null {
  let best: AdminRole | null = null;
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  for (const value of roles) {
    const role = typeof value === "string" ? APP_ROLES.get(value) : undefined;
    if (role) best = higher(best, role);
  }
  if (best) return best;
  const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === "string") : [];
  return roleForGroups(groups, groupRoles);
}

/**
 * Entra puts the client's application id in every access token (`azp` in v2.0, `appid` in v1.0) and in
 * no ID token. An ID token proves a sign-in to its client app and authorizes nothing; with roles or
 * groups in it, it must still not open the API, even when its `aud` happens to be the API Audience
 * (a v2.0 API registered on the sign-in app has the same app id as `aud` for both kinds).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 */
function isAccessToken(claims: Record<string, unknown>): boolean {
  return [claims.azp, claims.appid].some((v) => typeof v === "string" && v.length > 0);
}

async function authenticateEntraToken(token: string): Promise<ApiPrincipal> {
  const runtime = await loadEntraRuntime();
  if (!runtime) throw invalidToken("Entra ID access tokens are not accepted: Entra Authentication is not enabled on this console.");
  if (!runtime.settings.apiAudience) {
    throw invalidToken(
      "Entra ID access tokens are not accepted: no API Audience is set. An administrator sets API Audience (the audience of the REST API's access tokens) on Settings → Entra Authentication.",
    );
  }
  const result = await validatorFor(runtime, "api").validate(token);
  if (!result.ok) {
    const text = rejectionText[result.reason];
    throw invalidToken(result.detail && /claim|time/.test(result.reason) ? `${text}: ${result.detail}.` : text);
  }
  const { claims } = result;
  if (!isAccessToken(claims)) {
    throw invalidToken("This is an ID token, not an access token: request an access token for the API (API Audience) and send that.");
  }
  // Only the configured tenant, whatever the Required Claims say (as for sign-in).
  if (claims.tid !== runtime.settings.tenantId) throw invalidToken("The token was issued for another tenant.");
  const subject = typeof claims.oid === "string" && claims.oid ? claims.oid : typeof claims.sub === "string" ? claims.sub : "";
  if (!subject) throw invalidToken("The token has neither an oid nor a sub claim.");
  const appId = [claims.azp, claims.appid].find((v): v is string => typeof v === "string" && v.length > 0);
  const appName = typeof claims.app_displayname === "string" && claims.app_displayname ? claims.app_displayname : undefined;
  const label = appName ?? appId ?? subject;
  const role = roleOfClaims(claims, runtime.groupRoles);
  if (!role) {
    throw new ApiError(
      "forbidden",
      "The token carries no role: assign the app role Administrator, Operator or Viewer, or a group mapped to a role on Settings → Entra Authentication.",
    );
  }
  return {
    kind: "entra_client",
    id: subject,
    label,
    role,
    actor: { type: "entra_client", id: subject, label },
    rateKey: `entra:${subject}`,
    grantee: {
      kind: "entra_client",
      appId: appId ?? "",
      appRoles: (Array.isArray(claims.roles) ? claims.roles : []).filter((r): r is string => typeof r === "string"),
    },
  };
}
