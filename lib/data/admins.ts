import "server-only";
import { db } from "@/lib/db";
import type { AdminRole } from "@/lib/generated/prisma/enums";

/** An admin as Settings → Admins and GET /api/v1/admins show them: never a password hash. */
export type AdminListItem = {
  id: string;
  email: string;
  name: string | null;
  role: AdminRole;
  disabled: boolean;
  source: "local" | "entra";
  lastSignInAt: Date | null;
  /** Still holds a one-time password (AdminUser.mustChangePassword): must choose their own at the next sign-in. */
  oneTimeSignIn: boolean;
  createdAt: Date;
};

export async function listAdmins(): Promise<AdminListItem[]> {
  const rows = await db.adminUser.findMany({
    orderBy: { email: "asc" },
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      disabled: true,
      entraObjectId: true,
      lastSignInAt: true,
      mustChangePassword: true,
      createdAt: true,
    },
  });
  return rows.map(({ entraObjectId, mustChangePassword, ...r }) => ({ ...r, oneTimeSignIn: mustChangePassword, source: entraObjectId ? "entra" : "local" }));
}

export async function getAdmin(id: string): Promise<AdminListItem | null> {
  return (await listAdmins()).find((a) => a.id === id) ?? null;
}
