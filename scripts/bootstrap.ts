import { randomBytes } from "node:crypto";
import { recordAudit, systemActor } from "@/lib/audit";
import { hashPassword } from "@/lib/auth/passwords";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";
import { migrateDatabase } from "@/lib/migrations";

// Prepares a console to start: migrations, and a first administrator when there is none yet (its
// password is printed once; create more with `npm run admin:create`).
const FIRST_ADMIN = "admin@console.local";

await migrateDatabase(env.DATABASE_URL);
const admins = await db.adminUser.count();
let created: string | null = null;
if (admins === 0 && env.LOCAL_SIGN_IN_ENABLED) {
  created = randomBytes(15).toString("base64url");
  const admin = await db.adminUser.create({
    data: { id: newId(), email: FIRST_ADMIN, name: "First administrator", role: "ADMINISTRATOR", passwordHash: await hashPassword(created) },
  });
  await recordAudit({
    action: "admin.created",
    actor: systemActor,
    target: { type: "admin", id: admin.id },
    details: { email: FIRST_ADMIN, via: "first-start" },
  });
}
await db.$disconnect();

const line = "─".repeat(64);
console.log(`\n${line}\n Tenant Access Console\n Sign in at ${env.APP_URL}/sign-in`);
if (created) console.log(` First administrator: ${FIRST_ADMIN}\n Password (shown once): ${created}`);
else console.log(" Use an existing admin, or add one: npm run admin:create -- --email you@example.com");
console.log(`${line}\n`);
