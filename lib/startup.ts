import { env } from "@/lib/env";
import { getKeyring } from "@/lib/crypto/keyring";
import { getAuthSecret } from "@/lib/auth/secret";
import { migrateDatabase } from "@/lib/migrations";

export async function onServerStart() {
  const result = await migrateDatabase(env.DATABASE_URL);
  if (result.applied.length) console.log(`[startup] applied migrations: ${result.applied.join(", ")}`);
  // Create the local keys now rather than on the first request that needs them.
  getKeyring();
  getAuthSecret();
}
