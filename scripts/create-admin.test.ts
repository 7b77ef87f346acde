import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/passwords";
import { activeAdminSession, createAdminSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";

function createAdmin(args: string[], input?: string) {
  return spawnSync("npx", ["--no-install", "tsx", "--conditions=react-server", "scripts/create-admin.ts", ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env },
  });
}

// Each case starts the script as a process (npx, tsx) up to four times: seconds each on a busy machine.
describe("npm run admin:create", { timeout: 120_000 }, () => {
  it("reads the password from standard input and stores only an argon2id hash", async () => {
    const result = createAdmin(["--email", "Ops@MSP.example", "--role", "OPERATOR"], "a-long-enough-password\n");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("a-long-enough-password");
    const admin = await db.adminUser.findUniqueOrThrow({ where: { email: "ops@msp.example" } });
    expect(admin.role).toBe("OPERATOR");
    expect(admin.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(admin.passwordHash, "a-long-enough-password")).toBe(true);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "admin.created", targetId: admin.id } });
    expect(audit.details).not.toContain("a-long-enough-password");
  });

  it("generates and prints a password once when none is piped", async () => {
    const result = createAdmin(["--email", "gen@msp.example"], "");
    expect(result.status, result.stderr).toBe(0);
    const printed = /Password \(shown once\): (\S+)/.exec(result.stdout)?.[1];
    expect(printed).toBeDefined();
    const admin = await db.adminUser.findUniqueOrThrow({ where: { email: "gen@msp.example" } });
    expect(await verifyPassword(admin.passwordHash, printed!)).toBe(true);
  });

  it("--reset-password sets a new password and ends the admin's sessions, nobody else's", async () => {
    expect(createAdmin(["--email", "reset@msp.example"], "the-first-password").status).toBe(0);
    const admin = await db.adminUser.findUniqueOrThrow({ where: { email: "reset@msp.example" } });
    const other = await db.adminUser.create({ data: { id: newId(), email: "colleague@msp.example" } });
    const sid = await createAdminSession({ adminId: admin.id, method: "credentials" });
    const otherSid = await createAdminSession({ adminId: other.id, method: "credentials" });

    const result = createAdmin(["--email", "reset@msp.example", "--reset-password"], "the-second-password");
    expect(result.status, result.stderr).toBe(0);
    expect(await verifyPassword((await db.adminUser.findUniqueOrThrow({ where: { id: admin.id } })).passwordHash, "the-second-password")).toBe(true);
    expect(await db.adminSession.findUniqueOrThrow({ where: { id: sid } })).toMatchObject({ revokedReason: "password_reset" });
    expect(await activeAdminSession(sid, admin.id)).toBeNull();
    expect(await activeAdminSession(otherSid, other.id)).not.toBeNull();
  });

  it("refuses a duplicate email, a short password and a missing email", () => {
    expect(createAdmin(["--email", "dup@msp.example"], "first-password-long").status).toBe(0);
    const dup = createAdmin(["--email", "dup@msp.example"], "second-password-long");
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain("already exists");
    const short = createAdmin(["--email", "short@msp.example"], "short");
    expect(short.status).toBe(2);
    expect(short.stderr).toContain("at least 12");
    const missing = createAdmin([], "whatever-long-password");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("--email is required");
  });
});
