import { env } from "@/lib/env";
import { migrateDatabase } from "@/lib/migrations";

// `npm run db:migrate` (also run by `npm install` and on every start): applies pending migrations.
const result = await migrateDatabase(env.DATABASE_URL);
const where = env.DATABASE_URL.startsWith("file:") ? env.DATABASE_URL : "the PostgreSQL database";
console.log(
  result.applied.length
    ? `Database ready (${where}): applied ${result.applied.join(", ")}`
    : `Database ready (${where}): ${result.alreadyApplied} migration(s), nothing pending`,
);
