import "server-only";
import { decryptWith, encryptWith, keyIdOf, type Binding } from "./envelope";
import { getKeyring, resetKeyringCache } from "./keyring";

export type { Binding } from "./envelope";
export { DecryptionError } from "./envelope";

/** Encrypts a secret for one column of one row (see envelope.ts for the binding rules). */
export function encryptSecret(plaintext: string, binding: Binding): string {
  return encryptWith(getKeyring(), plaintext, binding);
}

export function decryptSecret(value: string, binding: Binding): string {
  // A key id we do not hold means another process rotated the key file: reload it once.
  if (!getKeyring().keys.has(keyIdOf(value))) resetKeyringCache();
  return decryptWith(getKeyring(), value, binding);
}
