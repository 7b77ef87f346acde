import { randomUUID } from "node:crypto";
import { hashPassword } from "../../lib/auth/passwords";
import { e2eDb } from "./db";

export type TestAdmin = { email: string; password: string };

/** A fresh admin for one spec, so specs never share accounts or throttling counters. */
export async function createAdmin(role: "ADMINISTRATOR" | "OPERATOR" | "VIEWER" = "ADMINISTRATOR"): Promise<TestAdmin> {
  const email = `admin-${randomUUID().slice(0, 8)}@msp.example`;
  const password = `Pw-${randomUUID()}`;
  await e2eDb.adminUser.create({ data: { id: randomUUID(), email, role, passwordHash: await hashPassword(password) } });
  return { email, password };
}
