import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { recordAudit, systemActor } from "@/lib/audit";
import { hashPassword, PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords";
import { revokeAdminSessions } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";
import { migrateDatabase } from "@/lib/migrations";

// npm run admin:create -- --email admin@example.com [--role ADMINISTRATOR|OPERATOR|VIEWER] [--name "..."]
// The password is read from standard input when it is piped, otherwise generated and printed once.
const { values } = parseArgs({
  options: {
    email: { type: "string" },
    role: { type: "string", default: "ADMINISTRATOR" },
    name: { type: "string" },
    "reset-password": { type: "boolean", default: false },
  },
});

const args = z
  .object({
    email: z.string({ error: "--email is required" }).trim().toLowerCase().pipe(z.email("--email must be an email address")),
    role: z.enum(["ADMINISTRATOR", "OPERATOR", "VIEWER"]),
    name: z.string().max(200).optional(),
  })
  .safeParse(values);
if (!args.success) {
  console.error(args.error.issues.map((i) => i.message).join("\n"));
  process.exit(2);
}

async function readStdin(): Promise<string | null> {
  if (process.stdin.isTTY) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  return text.length ? text : null;
}

await migrateDatabase(env.DATABASE_URL);
const piped = await readStdin();
const password = piped ?? randomBytes(18).toString("base64url");
if (password.length < PASSWORD_MIN_LENGTH) {
  console.error(`The password must be at least ${PASSWORD_MIN_LENGTH} characters.`);
  process.exit(2);
}
const { email, role, name } = args.data;
const existing = await db.adminUser.findUnique({ where: { email } });
if (existing && !values["reset-password"]) {
  console.error(`An admin with email ${email} already exists (use --reset-password to set a new password).`);
  process.exit(1);
}
const passwordHash = await hashPassword(password);
const admin = existing
  ? await db.adminUser.update({ where: { id: existing.id }, data: { passwordHash, role } })
  : await db.adminUser.create({ data: { id: newId(), email, name: name ?? null, role, passwordHash } });
// A new password ends the sessions signed in with the old one.
const sessionsEnded = existing ? await revokeAdminSessions(admin.id, "password_reset") : 0;
await recordAudit({
  action: existing ? "admin.updated" : "admin.created",
  actor: systemActor,
  target: { type: "admin", id: admin.id },
  details: { email, role, via: "cli", passwordReset: Boolean(existing), sessionsEnded },
});
console.log(`${existing ? "Updated" : "Created"} ${role.toLowerCase()} ${email}.`);
if (!piped) console.log(`Password (shown once): ${password}`);
await db.$disconnect();
