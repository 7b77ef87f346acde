import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Keyring } from "./keyring";

/**
 * AES-256-GCM envelope encryption. Each value gets its own random data key; the data key is wrapped by
 * the master key. Both layers use the binding (table, row id, field) as additional authenticated data,
 * so a ciphertext copied to another row or column fails to decrypt, and a key rotation only re-wraps
 * the small data keys.
 *
 * Format: `v1.<keyId>.<wrapIv>.<wrappedKey+tag>.<iv>.<ciphertext+tag>` (base64url parts).
 */
export type Binding = { table: string; rowId: string; field: string };

export class DecryptionError extends Error {
  constructor(reason: string) {
    // Never include the ciphertext or plaintext: messages end up in logs.
    super(`Could not decrypt a stored secret: ${reason}`);
    this.name = "DecryptionError";
  }
}

const VERSION = "v1";
const TAG_BYTES = 16;

function aad(b: Binding) {
  return Buffer.from(JSON.stringify([VERSION, b.table, b.rowId, b.field]), "utf8");
}

function seal(key: Buffer, plaintext: Buffer, additional: Buffer) {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(additional);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, body };
}

function open(key: Buffer, iv: Buffer, body: Buffer, additional: Buffer) {
  if (body.length < TAG_BYTES) throw new DecryptionError("truncated value");
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(additional);
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
}

export function encryptWith(ring: Keyring, plaintext: string, binding: Binding): string {
  const master = ring.keys.get(ring.currentId);
  if (!master) throw new Error("The current encryption key is not loaded");
  const dataKey = randomBytes(32);
  const additional = aad(binding);
  const wrapped = seal(master, dataKey, additional);
  const sealed = seal(dataKey, Buffer.from(plaintext, "utf8"), additional);
  return [
    VERSION,
    ring.currentId,
    wrapped.iv.toString("base64url"),
    wrapped.body.toString("base64url"),
    sealed.iv.toString("base64url"),
    sealed.body.toString("base64url"),
  ].join(".");
}

type Parsed = { keyId: string; wrapIv: Buffer; wrapped: Buffer; iv: Buffer; body: Buffer };

function parse(value: string): Parsed {
  const parts = value.split(".");
  if (parts.length !== 6 || parts[0] !== VERSION) throw new DecryptionError("unknown format");
  const [, keyId, wrapIv, wrapped, iv, body] = parts as [string, string, string, string, string, string];
  return {
    keyId,
    wrapIv: Buffer.from(wrapIv, "base64url"),
    wrapped: Buffer.from(wrapped, "base64url"),
    iv: Buffer.from(iv, "base64url"),
    body: Buffer.from(body, "base64url"),
  };
}

function unwrapDataKey(ring: Keyring, p: Parsed, additional: Buffer) {
  const master = ring.keys.get(p.keyId);
  if (!master) throw new DecryptionError(`key ${p.keyId} is not configured`);
  try {
    return open(master, p.wrapIv, p.wrapped, additional);
  } catch (error) {
    if (error instanceof DecryptionError) throw error;
    throw new DecryptionError("authentication failed (wrong key, wrong row or tampered value)");
  }
}

export function decryptWith(ring: Keyring, value: string, binding: Binding): string {
  const p = parse(value);
  const additional = aad(binding);
  const dataKey = unwrapDataKey(ring, p, additional);
  try {
    return open(dataKey, p.iv, p.body, additional).toString("utf8");
  } catch {
    throw new DecryptionError("authentication failed (wrong key, wrong row or tampered value)");
  }
}

/** The id of the master key a ciphertext was made under. */
export function keyIdOf(value: string): string {
  return parse(value).keyId;
}

/** Re-wraps the data key under the current master key; the encrypted payload is kept as is. */
export function rewrapWith(ring: Keyring, value: string, binding: Binding): string {
  const p = parse(value);
  if (p.keyId === ring.currentId) return value;
  const additional = aad(binding);
  const dataKey = unwrapDataKey(ring, p, additional);
  const master = ring.keys.get(ring.currentId);
  if (!master) throw new Error("The current encryption key is not loaded");
  const wrapped = seal(master, dataKey, additional);
  return [
    VERSION,
    ring.currentId,
    wrapped.iv.toString("base64url"),
    wrapped.body.toString("base64url"),
    p.iv.toString("base64url"),
    p.body.toString("base64url"),
  ].join(".");
}
