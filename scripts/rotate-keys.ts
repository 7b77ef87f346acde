import { recordAudit, systemActor } from "@/lib/audit";
import { getKeyring, keyFilePath, readKeyFile, writeKeyFile } from "@/lib/crypto/keyring";
import { countStale, newKeyringWith, rewrapAll } from "@/lib/crypto/rotation";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { migrateDatabase } from "@/lib/migrations";

// npm run keys:rotate
// - Local key file (no ENCRYPTION_KEY): adds a new key, makes it current, re-wraps every secret, then
//   drops the old keys from the file. The old key stays readable until every secret has moved.
// - ENCRYPTION_KEY configured: set the new key as ENCRYPTION_KEY and the old one in
//   ENCRYPTION_PREVIOUS_KEYS first; this re-wraps every secret under ENCRYPTION_KEY and tells you when
//   the previous keys can be removed.
await migrateDatabase(env.DATABASE_URL);
if (env.ENCRYPTION_KEY) {
  const ring = getKeyring();
  const report = await rewrapAll(db, ring);
  const stale = await countStale(db, ring);
  console.log(`Re-wrapped ${report.rewrapped} secret(s) under key ${ring.currentId}; ${stale} left under other keys.`);
  if (stale === 0) console.log("ENCRYPTION_PREVIOUS_KEYS can now be removed.");
  await recordAudit({
    action: "keys.rotated",
    actor: systemActor,
    target: { type: "keys", id: ring.currentId },
    details: { rewrapped: report.rewrapped, stale, mode: "environment" },
  });
  process.exitCode = stale === 0 ? 0 : 1;
} else {
  const file = keyFilePath();
  const before = getKeyring();
  const next = newKeyringWith(readKeyFile(file));
  writeKeyFile(file, next);
  const report = await rewrapAll(db, next);
  const stale = await countStale(db, next);
  if (stale === 0) {
    writeKeyFile(file, { currentId: next.currentId, keys: new Map([[next.currentId, next.keys.get(next.currentId)!]]) });
  }
  console.log(`Rotated ${before.currentId} → ${next.currentId}: re-wrapped ${report.rewrapped} secret(s); ${stale} left under old keys.`);
  await recordAudit({
    action: "keys.rotated",
    actor: systemActor,
    target: { type: "keys", id: next.currentId },
    details: { previousKeyId: before.currentId, rewrapped: report.rewrapped, stale, mode: "key-file" },
  });
  process.exitCode = stale === 0 ? 0 : 1;
}
await db.$disconnect();
