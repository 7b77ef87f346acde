import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptWith, encryptWith, keyIdOf, rewrapWith, DecryptionError } from "./envelope";
import type { Keyring } from "./keyring";

function ring(id = "k1", key = randomBytes(32)): Keyring {
  return { currentId: id, keys: new Map([[id, key]]) };
}

const binding = { table: "TenantCredential", rowId: "row-1", field: "secret" };

describe("envelope encryption", () => {
  it("round-trips a secret and never contains the plaintext", () => {
    const r = ring();
    const sealed = encryptWith(r, "s3cr3t-value", binding);
    expect(sealed).not.toContain("s3cr3t");
    expect(keyIdOf(sealed)).toBe("k1");
    expect(decryptWith(r, sealed, binding)).toBe("s3cr3t-value");
  });

  it("uses a fresh data key and IV each time", () => {
    const r = ring();
    expect(encryptWith(r, "same", binding)).not.toBe(encryptWith(r, "same", binding));
  });

  it("rejects a tampered ciphertext", () => {
    const r = ring();
    const parts = encryptWith(r, "value", binding).split(".");
    const body = Buffer.from(parts[5]!, "base64url");
    body[0] = body[0]! ^ 0x01;
    parts[5] = body.toString("base64url");
    expect(() => decryptWith(r, parts.join("."), binding)).toThrow(DecryptionError);
  });

  it("rejects a tampered wrapped data key", () => {
    const r = ring();
    const parts = encryptWith(r, "value", binding).split(".");
    const wrapped = Buffer.from(parts[3]!, "base64url");
    wrapped[3] = wrapped[3]! ^ 0x80;
    parts[3] = wrapped.toString("base64url");
    expect(() => decryptWith(r, parts.join("."), binding)).toThrow(DecryptionError);
  });

  it("fails with the wrong master key under the same key id", () => {
    const sealed = encryptWith(ring("k1"), "value", binding);
    expect(() => decryptWith(ring("k1"), sealed, binding)).toThrow(/authentication failed/);
  });

  it("fails when the key id is unknown", () => {
    const sealed = encryptWith(ring("k1"), "value", binding);
    expect(() => decryptWith(ring("k2"), sealed, binding)).toThrow(/key k1 is not configured/);
  });

  it("fails when the ciphertext is moved to another row, table or field", () => {
    const r = ring();
    const sealed = encryptWith(r, "value", binding);
    expect(() => decryptWith(r, sealed, { ...binding, rowId: "row-2" })).toThrow(DecryptionError);
    expect(() => decryptWith(r, sealed, { ...binding, table: "ProviderSettings" })).toThrow(DecryptionError);
    expect(() => decryptWith(r, sealed, { ...binding, field: "other" })).toThrow(DecryptionError);
  });

  it("error messages never contain the ciphertext", () => {
    const sealed = encryptWith(ring("k1"), "value", binding);
    try {
      decryptWith(ring("k1"), sealed, { ...binding, rowId: "x" });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(sealed.split(".")[5]!);
    }
  });

  it("re-wraps under a new current key while the payload stays readable", () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealed = encryptWith(ring("old", oldKey), "value", binding);
    const both: Keyring = {
      currentId: "new",
      keys: new Map([
        ["old", oldKey],
        ["new", newKey],
      ]),
    };
    const moved = rewrapWith(both, sealed, binding);
    expect(keyIdOf(moved)).toBe("new");
    expect(decryptWith(ring("new", newKey), moved, binding)).toBe("value");
    expect(() => rewrapWith(both, sealed, { ...binding, rowId: "other" })).toThrow(DecryptionError);
  });

  it("rejects malformed values", () => {
    expect(() => decryptWith(ring(), "not-a-ciphertext", binding)).toThrow(/unknown format/);
    expect(() => decryptWith(ring(), "v1.k1.a.b.c.", binding)).toThrow(DecryptionError);
  });
});
