import { paths, prismaCli, writePostgresSchema } from "./db-schemas";

// `npm run db:generate` (also run by `npm install`): the SQLite client from prisma/schema.prisma into
// lib/generated/prisma, and the PostgreSQL client from the derived schema into lib/generated/prisma-pg.
prismaCli(["generate", "--schema", paths.schema]);
prismaCli(["generate", "--schema", writePostgresSchema()]);
console.log("Generated Prisma clients: lib/generated/prisma (SQLite), lib/generated/prisma-pg (PostgreSQL)");
