import type { Metadata } from "next";
import { emailChannels, INVITATION_HOURS, listInvitations } from "@/lib/admins/invitations";
import { requireAdmin } from "@/lib/auth/session";
import { inviteAdminCommand, updateAdminCommand } from "@/lib/commands/admins";
import { permits } from "@/lib/commands/command";
import { listAdmins } from "@/lib/data/admins";
import { AdminsTable, type AdminRow } from "./admins-table";
import { InviteAdmin } from "./invite-admin";

export const metadata: Metadata = { title: "Admins · Settings" };

export default async function AdminsPage() {
  const admin = await requireAdmin("ADMINISTRATOR");
  const canInvite = permits(admin.role, inviteAdminCommand);
  const [rows, channels, invitations] = await Promise.all([listAdmins(), canInvite ? emailChannels() : [], canInvite ? listInvitations() : []]);
  const admins: AdminRow[] = rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    disabled: r.disabled,
    source: r.source,
    lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
  }));
  return (
    <div className="space-y-4">
      <AdminsTable admins={admins} selfId={admin.id} canManage={permits(admin.role, updateAdminCommand)} />
      {canInvite && (
        <InviteAdmin
          hours={INVITATION_HOURS}
          channels={channels.map(({ id, name }) => ({ id, name }))}
          invitations={invitations.map((i) => ({ id: i.id, email: i.email, role: i.role, state: i.state, expiresAt: i.expiresAt.toISOString() }))}
        />
      )}
    </div>
  );
}
