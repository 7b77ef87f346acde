import { createHash, randomBytes } from "node:crypto";

/**
 * API token format: `tac_` + 43 base64url characters (256 random bits). Only the SHA-256 of the whole
 * token is stored; the first 12 characters (`tac_` + 8) are kept to tell tokens apart in lists and logs.
 * A fixed prefix lets secret scanners recognise a leaked token.
 */
export const API_TOKEN_PREFIX = "tac_";
export const API_TOKEN_PATTERN = /^tac_[A-Za-z0-9_-]{43}$/;
const DISPLAY_PREFIX_LENGTH = 12;

export function generateApiToken(): { token: string; hash: string; prefix: string } {
  const token = API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, hash: hashApiToken(token), prefix: token.slice(0, DISPLAY_PREFIX_LENGTH) };
}

export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** True when a bearer value has the shape of one of our API tokens (otherwise it may be an Entra JWT). */
export function looksLikeApiToken(value: string): boolean {
  return value.startsWith(API_TOKEN_PREFIX);
}
