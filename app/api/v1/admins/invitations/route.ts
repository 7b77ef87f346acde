import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { listInvitations } from "@/lib/admins/invitations";
import { inviteAdminCommand } from "@/lib/commands/admins";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listAdminInvitations, async () => ({ status: 200, body: { items: await listInvitations() } }));

export const POST = apiRoute(endpoints.inviteAdmin, async ({ body, run }) => ({ status: 201, body: await run(inviteAdminCommand, body) }));
