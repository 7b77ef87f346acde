import fs from "node:fs";
import path from "node:path";
import { readMigrations } from "../lib/migrations";
import { diffSchemas, isEmptyMigration, paths, providers, type Provider } from "./db-schemas";

/**
 * `npm run db:diff -- <name>`: writes the next migration, under the same name, for SQLite
 * (prisma/migrations) and PostgreSQL (prisma/migrations-postgresql), from the difference between the
 * schema snapshot of the last migration (prisma/migrations/schema.snapshot.prisma) and
 * prisma/schema.prisma; then moves the snapshot forward. No database is involved.
 *
 * `npm run db:diff -- --from-empty [--provider postgresql]`: prints the SQL of the whole schema.
 */

const USAGE =
  "Usage: npm run db:diff -- <migration_name>    (lower case letters, digits and _)\n       npm run db:diff -- --from-empty [--provider sqlite|postgresql]";

function timestamp(d: Date) {
  return d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

function nextTimestamp(lastName: string | undefined, now = new Date()) {
  if (!lastName) return timestamp(now);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(lastName);
  if (!m) return timestamp(now);
  const last = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  // Names sort by their timestamp; never sort before the newest one (clock skew, dates in the future).
  return timestamp(now > last ? now : new Date(last.getTime() + 1000));
}

function main(args: string[]) {
  const schema = fs.readFileSync(paths.schema, "utf8");
  if (args[0] === "--from-empty") {
    const provider = (args[1] === "--provider" ? args[2] : "sqlite") as Provider;
    if (!providers.includes(provider)) throw new Error(USAGE);
    process.stdout.write(diffSchemas(provider, null, schema));
    return;
  }
  const name = args[0];
  if (!name || args.length > 1 || !/^[a-z0-9_]+$/.test(name)) {
    console.error(USAGE);
    process.exit(2);
  }

  const names = Object.fromEntries(providers.map((p) => [p, readMigrations(paths.migrations[p]).map((m) => m.name)])) as Record<Provider, string[]>;
  if (names.sqlite.join() !== names.postgresql.join()) {
    throw new Error(
      `The migration histories differ between prisma/migrations and prisma/migrations-postgresql; every migration must exist for both.\n  sqlite:     ${names.sqlite.join(", ")}\n  postgresql: ${names.postgresql.join(", ")}`,
    );
  }
  if (!fs.existsSync(paths.snapshot))
    throw new Error(`${path.relative(paths.root, paths.snapshot)} is missing: it must hold the schema the last migration was made from`);
  const snapshot = fs.readFileSync(paths.snapshot, "utf8");

  const sql = Object.fromEntries(providers.map((p) => [p, diffSchemas(p, snapshot, schema)])) as Record<Provider, string>;
  if (providers.every((p) => isEmptyMigration(sql[p]))) {
    console.log("prisma/schema.prisma has no changes since the last migration; nothing written.");
    return;
  }
  const folder = `${nextTimestamp(names.sqlite.at(-1))}_${name}`;
  for (const p of providers) {
    const dir = path.join(paths.migrations[p], folder);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "migration.sql"), sql[p]);
    console.log(`wrote ${path.relative(paths.root, path.join(dir, "migration.sql"))}`);
  }
  fs.writeFileSync(paths.snapshot, schema);
  console.log(`updated ${path.relative(paths.root, paths.snapshot)}\nReview both files, then run npm run db:generate and npm run db:migrate.`);
}

main(process.argv.slice(2));
