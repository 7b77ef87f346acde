import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK, type JWTPayload } from "jose";
import type { RequiredClaim } from "./settings-core";

/**
 * Validates incoming Entra ID JWTs exactly as seed 001's settings say: RS256 only, signing keys from the
 * Metadata Address's `jwks_uri` (cached for the JWKS Keys Cache Duration, refreshed once on an unknown
 * key id or a signature failure), exact issuer and audience, exp/nbf/iat with the Clock Skew, and the
 * Required Claims compared ordinally (RFC 7519 §4: claim values are case-sensitive strings).
 * Pure (no server-only) so that the sign-in callback, the REST API and tests share it.
 *
 * Stricter than a generic JWT library where a generic check would let a token through:
 * - exp, nbf and iat must be finite numbers (`1e309` parses as Infinity: a token that never expires);
 *   iat later than now + Clock Skew is refused (RFC 7519 §4.1.6: the time the JWT was issued).
 * - `aud` is the configured audience, or an array holding only it: a token also meant for another
 *   audience is not ours alone (OpenID Connect Core §3.1.3.7 step 3: untrusted audiences are rejected).
 * - A signing key that publishes an `issuer` (Entra v2 keys: `https://login.microsoftonline.com/{tenantid}/v2.0`)
 *   signs only for that issuer, with the token's `tid` in place of `{tenantid}`; as in Microsoft's own
 *   validator, the metadata document's issuer stands for v1 tokens verified with v2 keys.
 * - The metadata document's `jwks_uri` must be https on the Metadata Address's host (or a host the
 *   caller allows): keys from anywhere else would let whoever controls that document pick the keys.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-tokens
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @see https://github.com/AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet/blob/dev/src/Microsoft.IdentityModel.Validators/AadTokenValidationParametersExtension.cs
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
  | "invalid_time"
  | "issued_in_future"
  | "wrong_key_issuer"
  | "missing_claim"
  | "claim_mismatch";

export type JwtValidationResult = { ok: true; claims: JWTPayload & Record<string, unknown> } | { ok: false; reason: JwtRejection; detail?: string };

export type JwtValidatorOptions = {
  /** Fetches the metadata document and the JWKS; its timeouts and retries are the caller's (lib/entra/http.ts's entraFetch). */
  fetch: typeof fetch;
  now?: () => number;
  /** Minimum time between two forced key refreshes, so hostile tokens cannot turn us into a JWKS flooder. */
  forcedRefreshIntervalMs?: number;
  /**
   * Whether keys may come from a `jwks_uri` host (URL `host`: name, plus `:port` when not 443) other than
   * the Metadata Address's. Without it only the Metadata Address's own host is trusted.
   */
  allowJwksHost?: (host: string) => boolean;
};

/** Entra tokens are 1–8 KB; anything far larger is refused before any parsing or key lookup. */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const ALLOWED_ALGORITHMS = ["RS256"];
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The placeholder in the `issuer` of Entra's signing keys (lower case, unlike seed 001's {TenantId}). */
const TENANT_TEMPLATE = "{tenantid}";

type SigningKey = { key: CryptoKey; issuer?: string };
type KeySet = { keys: Map<string, SigningKey>; metadataIssuer?: string; fetchedAt: number };

export function createEntraJwtValidator(settings: JwtValidatorSettings, options: JwtValidatorOptions) {
  const doFetch = options.fetch;
  const now = options.now ?? Date.now;
  const forcedInterval = options.forcedRefreshIntervalMs ?? 30_000;
  let cached: KeySet | null = null;
  let inFlight: Promise<KeySet> | null = null;
  let lastForcedAt = Number.NEGATIVE_INFINITY;

  async function getJson(url: string): Promise<unknown> {
    const response = await doFetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    return response.json();
  }

  function trustedJwksUri(value: unknown): string {
    if (typeof value !== "string") throw new Error("the metadata document has no jwks_uri");
    const url = new URL(value);
    if (url.protocol !== "https:") throw new Error("the metadata document's jwks_uri is not https");
    if (url.host !== new URL(settings.metadataAddress).host && !options.allowJwksHost?.(url.host)) {
      throw new Error("the metadata document's jwks_uri is not on the Metadata Address's host");
    }
    return url.href;
  }

  async function loadKeys(): Promise<KeySet> {
    const metadata = (await getJson(settings.metadataAddress)) as { jwks_uri?: unknown; issuer?: unknown } | null;
    const jwks = (await getJson(trustedJwksUri(metadata?.jwks_uri))) as { keys?: unknown };
    const keys = new Map<string, SigningKey>();
    for (const jwk of Array.isArray(jwks?.keys) ? (jwks.keys as (JWK & { issuer?: unknown })[]) : []) {
      // Entra's JWKS has no `alg`; only RSA signing keys with a kid can verify RS256 tokens.
      if (jwk.kty !== "RSA" || typeof jwk.kid !== "string" || (jwk.use !== undefined && jwk.use !== "sig")) continue;
      try {
        const key = (await importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, "RS256")) as CryptoKey;
        keys.set(jwk.kid, { key, issuer: typeof jwk.issuer === "string" && jwk.issuer ? jwk.issuer : undefined });
      } catch {
        // One unusable key must not take the others down.
      }
    }
    return { keys, metadataIssuer: typeof metadata?.issuer === "string" ? metadata.issuer : undefined, fetchedAt: now() };
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

  /**
   * Seed 001: presence-only entries need a non-empty value; a value match needs the claim to BE that
   * string, compared ordinally (`===`, never localeCompare or toLowerCase). A number, boolean or array
   * claim never matches a value entry, not even `["x"]` for `x`: "its value must exactly match" a string,
   * and coercing would let `tid: ["<ours>", "<theirs>"]` or `123` pass. Multi-valued claims such as
   * `roles` take presence-only entries; which role a token holds is decided by the caller.
   */
  function checkRequiredClaims(payload: Record<string, unknown>): JwtValidationResult | null {
    for (const claim of settings.requiredClaims) {
      const actual = Object.hasOwn(payload, claim.name) ? payload[claim.name] : undefined;
      const present = actual !== undefined && actual !== null && actual !== "" && !(Array.isArray(actual) && actual.length === 0);
      if (!present) return { ok: false, reason: "missing_claim", detail: claim.name };
      if (claim.value !== undefined && actual !== claim.value) return { ok: false, reason: "claim_mismatch", detail: claim.name };
    }
    return null;
  }

  function checkTimes(claims: Record<string, unknown>): JwtValidationResult | null {
    for (const name of ["exp", "nbf", "iat"] as const) {
      if (claims[name] !== undefined && !Number.isFinite(claims[name])) return { ok: false, reason: "invalid_time", detail: name };
    }
    if (typeof claims.iat === "number" && claims.iat > now() / 1000 + settings.clockSkewSeconds) return { ok: false, reason: "issued_in_future" };
    return null;
  }

  function checkAudience(aud: unknown): JwtValidationResult | null {
    const ours = (v: unknown) => v === settings.audience;
    const ok = Array.isArray(aud) ? aud.length > 0 && aud.every(ours) : ours(aud);
    return ok ? null : { ok: false, reason: "wrong_audience" };
  }

  function checkKeyIssuer(claims: Record<string, unknown>, signer: SigningKey, metadataIssuer: string | undefined): JwtValidationResult | null {
    if (!signer.issuer) return null;
    const refused: JwtValidationResult = { ok: false, reason: "wrong_key_issuer" };
    let expected = signer.issuer;
    let metadata = metadataIssuer;
    if (expected.includes(TENANT_TEMPLATE)) {
      const tid = claims.tid;
      if (typeof tid !== "string" || !tid || typeof claims.iss !== "string" || !claims.iss.includes(tid)) return refused;
      expected = expected.split(TENANT_TEMPLATE).join(tid);
      metadata = metadata?.split(TENANT_TEMPLATE).join(tid);
    }
    return expected === claims.iss || (metadata !== undefined && expected === metadata) ? null : refused;
  }

  async function verifyWith(token: string, signer: SigningKey, metadataIssuer: string | undefined): Promise<JwtValidationResult> {
    try {
      const { payload } = await jwtVerify(token, signer.key, {
        algorithms: ALLOWED_ALGORITHMS,
        issuer: settings.issuer,
        clockTolerance: settings.clockSkewSeconds,
        currentDate: new Date(now()),
        requiredClaims: ["exp"],
      });
      const claims = payload as JWTPayload & Record<string, unknown>;
      return (
        checkTimes(claims) ?? checkAudience(claims.aud) ?? checkKeyIssuer(claims, signer, metadataIssuer) ?? checkRequiredClaims(claims) ?? { ok: true, claims }
      );
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
    } catch (error) {
      return { ok: false, reason: "keys_unavailable", detail: error instanceof Error ? error.message : undefined };
    }
    let refreshed = false;
    let key = keys.keys.get(header.kid);
    if (!key) {
      // Entra rolls its signing keys; a token signed with a key newer than our cache is legitimate.
      try {
        const fresh = await forcedKeys();
        refreshed = fresh !== null;
        if (fresh) keys = fresh;
        key = fresh?.keys.get(header.kid);
      } catch {
        return { ok: false, reason: "keys_unavailable" };
      }
      if (!key) return { ok: false, reason: "unknown_kid" };
    }
    const result = await verifyWith(token, key, keys.metadataIssuer);
    if (result.ok || result.reason !== "bad_signature" || refreshed) return result;
    // Seed 001: "On token signature validation failure, a forced refresh is triggered automatically".
    try {
      const fresh = await forcedKeys();
      const retryKey = fresh?.keys.get(header.kid);
      return retryKey ? await verifyWith(token, retryKey, fresh!.metadataIssuer) : result;
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
      case "nbf":
        return error.reason === "invalid" ? { ok: false, reason: "invalid_time", detail: "nbf" } : { ok: false, reason: "not_yet_valid" };
      case "iat":
        return { ok: false, reason: "invalid_time", detail: "iat" };
      case "exp":
        if (error.reason === "missing") return { ok: false, reason: "missing_exp" };
        return error.reason === "invalid" ? { ok: false, reason: "invalid_time", detail: "exp" } : { ok: false, reason: "expired" };
      default:
        return { ok: false, reason: "malformed", detail: error.claim };
    }
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return { ok: false, reason: "bad_signature" };
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return { ok: false, reason: "unsupported_alg" };
  return { ok: false, reason: "malformed" };
}
