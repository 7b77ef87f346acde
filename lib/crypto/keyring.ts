import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { env } from "@/lib/env";

/**
 * Master keys for the envelope encryption. Configured keys (ENCRYPTION_KEY, ENCRYPTION_PREVIOUS_KEYS) win;
 * otherwise a key file in DATA_DIR is created on first use with mode 0600, so a local console needs no setup.
 */
export type Keyring = { currentId: string; keys: Map<string, Buffer> };

const keyFileSchema = z.object({
  current: z.string(),
  keys: z.record(z.string(), z.string()),
});

export const KEY_FILE_NAME = "encryption-keys.json";

export function keyFilePath(dataDir = env.DATA_DIR) {
  return path.join(dataDir, KEY_FILE_NAME);
}

export function keyIdFor(key: Buffer) {
  return "k" + createHash("sha256").update(key).digest("hex").slice(0, 10);
}

function decodeKey(b64: string, name: string): Buffer {
  const key = Buffer.from(b64, "base64");
  if (key.length !== 32) throw new Error(`${name} must be 32 bytes, base64-encoded`);
  return key;
}

export function readKeyFile(file: string): Keyring {
  const parsed = keyFileSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  const keys = new Map<string, Buffer>();
  for (const [id, b64] of Object.entries(parsed.keys)) keys.set(id, decodeKey(b64, `key ${id} in ${file}`));
  if (!keys.has(parsed.current)) throw new Error(`${file}: current key ${parsed.current} is missing`);
  return { currentId: parsed.current, keys };
}

export function writeKeyFile(file: string, ring: Keyring) {
  const body = {
    current: ring.currentId,
    keys: Object.fromEntries([...ring.keys].map(([id, k]) => [id, k.toString("base64")])),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(body, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}

function loadOrCreateKeyFile(file: string): Keyring {
  if (fs.existsSync(file)) return readKeyFile(file);
  const key = randomBytes(32);
  const ring = { currentId: keyIdFor(key), keys: new Map([[keyIdFor(key), key]]) };
  try {
    // `wx` so two processes starting together cannot both create a key.
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, "", { flag: "wx", mode: 0o600 });
    writeKeyFile(file, ring);
    return ring;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readKeyFile(file);
    throw error;
  }
}

let cached: Keyring | undefined;

export function getKeyring(): Keyring {
  if (cached) return cached;
  if (env.ENCRYPTION_KEY) {
    const current = decodeKey(env.ENCRYPTION_KEY, "ENCRYPTION_KEY");
    const currentId = env.ENCRYPTION_KEY_ID ?? keyIdFor(current);
    const keys = new Map([[currentId, current]]);
    for (const pair of env.ENCRYPTION_PREVIOUS_KEYS?.split(",") ?? []) {
      const [id, b64] = pair.split(":") as [string, string];
      keys.set(id, decodeKey(b64, `ENCRYPTION_PREVIOUS_KEYS (${id})`));
    }
    cached = { currentId, keys };
  } else {
    cached = loadOrCreateKeyFile(keyFilePath());
  }
  return cached;
}

/** Drops the cached keyring (after a rotation rewrote the key file). */
export function resetKeyringCache() {
  cached = undefined;
}
