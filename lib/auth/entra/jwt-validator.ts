import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK, type JWTPayload } from "jose";
import type { RequiredClaim } from "./settings-core";

/**
 * Validates incoming Entra ID JWTs exactly as seed 001's settings say: RS256 only, signing keys from the
 * Metadata Address's `jwks_uri` (cached for the JWKS Keys Cache Duration, refreshed once on an unknown
 * key id or a signature failure), exact issuer and audience, exp/nbf with the Clock Skew, and the
 * Required Claims compared ordinally (RFC 7519 §4: claim values are case-sensitive strings).
 * Pure (no server-only) so that the sign-in callback, the REST API and tests share it.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-tokens
 */

export type JwtValidatorSettings = {
  issuer: string;
  audience: string;
  metadataAddress: string;
  requiredClaims: RequiredClaim[];
  clockSkewSeconds: number;
  jwksCacheSeconds: number;
};

export type JwtRejection =
  | "malformed"
  | "oversized"
  | "unsupported_alg"
  | "missing_kid"
  | "unknown_kid"
  | "bad_signature"
  | "keys_unavailable"
  | "wrong_issuer"
  | "wrong_audience"
  | "expired"
  | "not_yet_valid"
  | "missing_exp"
  | "missing_claim"
  | "claim_mismatch";

export type JwtValidationResult =
  | { ok: true; claims: JWTPayload & Record<string, unknown> }
  | { ok: false; reason: JwtRejection; detail?: string };

export type JwtValidatorOptions = {
  fetch?: typeof fetch;
  now?: () => number;
  /** Minimum time between two forced key refreshes, so hostile tokens cannot turn us into a JWKS flooder. */
  forcedRefreshIntervalMs?: number;
};

/** Entra tokens are 1–8 KB; anything far larger is refused before any parsing or key lookup. */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const ALLOWED_ALGORITHMS = ["RS256"];
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const FETCH_TIMEOUT_MS = 10_000;

type KeySet = { keys: Map<string, CryptoKey>; fetchedAt: number };

export function createEntraJwtValidator(settings: JwtValidatorSettings, options: JwtValidatorOptions = {}) {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const forcedInterval = options.forcedRefreshIntervalMs ?? 30_000;
  let cached: KeySet | null = null;
  let inFlight: Promise<KeySet> | null = null;
  let lastForcedAt = Number.NEGATIVE_INFINITY;

  async function getJson(url: string): Promise<unknown> {
    const response = await doFetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    return response.json();
  }

  async function loadKeys(): Promise<KeySet> {
    const metadata = await getJson(settings.metadataAddress);
    const jwksUri = (metadata as { jwks_uri?: unknown })?.jwks_uri;
    if (typeof jwksUri !== "string") throw new Error("the metadata document has no jwks_uri");
    const jwks = (await getJson(jwksUri)) as { keys?: unknown };
    const keys = new Map<string, CryptoKey>();
    for (const jwk of Array.isArray(jwks?.keys) ? (jwks.keys as JWK[]) : []) {
      // Entra's JWKS has no `alg`; only RSA signing keys with a kid can verify RS256 tokens.
      if (jwk.kty !== "RSA" || typeof jwk.kid !== "string" || (jwk.use !== undefined && jwk.use !== "sig")) continue;
      try {
        keys.set(jwk.kid, (await importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, "RS256")) as CryptoKey);
      } catch {
        // One unusable key must not take the others down.
      }
    }
    return { keys, fetchedAt: now() };
  }

  function refresh(): Promise<KeySet> {
    inFlight ??= loadKeys()
      .then((set) => {
        // With a cache duration of 00:00:00 nothing is kept between validations.
        cached = settings.jwksCacheSeconds > 0 ? set : null;
        return set;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  async function currentKeys(): Promise<KeySet> {
    if (cached && now() - cached.fetchedAt < settings.jwksCacheSeconds * 1000) return cached;
    return refresh();
  }

  /** One forced refresh per interval, whatever the number of hostile tokens asking for it. */
  async function forcedKeys(): Promise<KeySet | null> {
    if (now() - lastForcedAt < forcedInterval) return null;
    lastForcedAt = now();
    return refresh();
  }

  function checkRequiredClaims(payload: Record<string, unknown>): JwtValidationResult | null {
    for (const claim of settings.requiredClaims) {
      const actual = payload[claim.name];
      const present = actual !== undefined && actual !== null && actual !== "" && !(Array.isArray(actual) && actual.length === 0);
      if (!present) return { ok: false, reason: "missing_claim", detail: claim.name };
      if (claim.value === undefined) continue;
      const values = Array.isArray(actual) ? actual : [actual];
      // Ordinal, case-sensitive: `===` on strings, never localeCompare or toLowerCase.
      if (!values.some((v) => (typeof v === "string" || typeof v === "number" || typeof v === "boolean") && String(v) === claim.value)) {
        return { ok: false, reason: "claim_mismatch", detail: claim.name };
      }
    }
    return null;
  }

  async function verifyWith(token: string, key: CryptoKey): Promise<JwtValidationResult> {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ALLOWED_ALGORITHMS,
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: settings.clockSkewSeconds,
        currentDate: new Date(now()),
        requiredClaims: ["exp"],
      });
      const claims = payload as JWTPayload & Record<string, unknown>;
      return checkRequiredClaims(claims) ?? { ok: true, claims };
    } catch (error) {
      return rejectionOf(error);
    }
  }

  async function validate(token: unknown): Promise<JwtValidationResult> {
    if (typeof token !== "string" || token.length === 0) return { ok: false, reason: "malformed" };
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "oversized" };
    if (!COMPACT_JWS.test(token)) return { ok: false, reason: "malformed" };
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return { ok: false, reason: "malformed" };
    }
    // Decided from the header before any key is touched: "none", HS256 (the public key as an HMAC
    // secret) and every other algorithm are refused outright.
    if (header.alg !== "RS256") return { ok: false, reason: "unsupported_alg", detail: String(header.alg) };
    if (typeof header.kid !== "string" || !header.kid) return { ok: false, reason: "missing_kid" };

    let keys: KeySet;
    try {
      keys = await currentKeys();
    } catch {
      return { ok: false, reason: "keys_unavailable" };
    }
    let refreshed = false;
    let key = keys.keys.get(header.kid);
    if (!key) {
      // Entra rolls its signing keys; a token signed with a key newer than our cache is legitimate.
      try {
        const fresh = await forcedKeys();
        refreshed = fresh !== null;
        key = fresh?.keys.get(header.kid);
      } catch {
        return { ok: false, reason: "keys_unavailable" };
      }
      if (!key) return { ok: false, reason: "unknown_kid" };
    }
    const result = await verifyWith(token, key);
    if (result.ok || result.reason !== "bad_signature" || refreshed) return result;
    // Seed 001: "On token signature validation failure, a forced refresh is triggered automatically".
    try {
      const fresh = await forcedKeys();
      const retryKey = fresh?.keys.get(header.kid);
      return retryKey ? await verifyWith(token, retryKey) : result;
    } catch {
      return result;
    }
  }

  return { validate };
}

export type EntraJwtValidator = ReturnType<typeof createEntraJwtValidator>;

function rejectionOf(error: unknown): JwtValidationResult {
  if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: "expired" };
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return { ok: false, reason: "wrong_issuer" };
      case "aud":
        return { ok: false, reason: "wrong_audience" };
      case "nbf":
        return { ok: false, reason: "not_yet_valid" };
      case "exp":
        return { ok: false, reason: error.reason === "missing" ? "missing_exp" : "expired" };
      default:
        return { ok: false, reason: "malformed", detail: error.claim };
    }
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return { ok: false, reason: "bad_signature" };
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return { ok: false, reason: "unsupported_alg" };
  return { ok: false, reason: "malformed" };
}
