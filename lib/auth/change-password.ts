import "server-only";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { hashPassword, PASSWORD_MIN_LENGTH, verifyPassword } from "@/lib/auth/passwords";
import { db } from "@/lib/db";

/** A password an admin chooses (at their first sign-in with a one-time password, or on an invitation's page). */
export const newPasswordSchema = z
  .object({
    password: z
      .string("Choose a password.")
      .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
      .max(1024, "Use at most 1024 characters."),
    confirm: z.string("Type the password again."),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords differ." });

export const changePasswordSchema = newPasswordSchema.and(
  z.object({ current: z.string().min(1, "Enter the one-time password you signed in with.").max(1024) }),
);

export type PasswordChangeResult = { ok: true } | { ok: false; fieldErrors: Record<string, string[]> };

/**
 * The forced change of a one-time password: the current one must be given again (a session left open on
 * another person's screen cannot set it) and the new one must differ. Clears `mustChangePassword`.
 */
export async function changeOwnPassword(
  admin: { id: string; email: string },
  input: z.output<typeof changePasswordSchema>,
  requestId?: string,
): Promise<PasswordChangeResult> {
  const row = await db.adminUser.findUnique({ where: { id: admin.id }, select: { passwordHash: true } });
  if (!(await verifyPassword(row?.passwordHash, input.current)))
    return { ok: false, fieldErrors: { current: ["This is not the password you signed in with."] } };
  if (input.current === input.password) return { ok: false, fieldErrors: { password: ["Choose a password other than the one-time password."] } };
  await db.adminUser.update({ where: { id: admin.id }, data: { passwordHash: await hashPassword(input.password), mustChangePassword: false } });
  await recordAudit({
    action: "admin.password_changed",
    actor: { type: "admin", id: admin.id, label: admin.email },
    target: { type: "admin", id: admin.id },
    requestId,
    details: { reason: "one_time_password" },
  });
  return { ok: true };
}
