import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/session";
import { setLocalRoleCommand } from "@/lib/commands/admins";
import { permits } from "@/lib/commands/command";
import { db } from "@/lib/db";
import { AdminsTable, type AdminRow } from "./admins-table";

export const metadata: Metadata = { title: "Admins · Settings" };

export default async function AdminsPage() {
  const admin = await requireAdmin("ADMINISTRATOR");
  const rows = await db.adminUser.findMany({
    orderBy: { email: "asc" },
    select: { id: true, email: true, name: true, role: true, disabled: true, entraObjectId: true, lastSignInAt: true },
  });
  const admins: AdminRow[] = rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    disabled: r.disabled,
    source: r.entraObjectId ? "entra" : "local",
    lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
  }));
  return <AdminsTable admins={admins} selfId={admin.id} canManage={permits(admin.role, setLocalRoleCommand)} />;
}
