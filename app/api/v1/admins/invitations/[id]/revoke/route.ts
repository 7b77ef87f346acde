import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { revokeAdminInvitationCommand } from "@/lib/commands/admins";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.revokeAdminInvitation, async ({ params, run }) => ({
  status: 200,
  body: await run(revokeAdminInvitationCommand, { invitationId: params.id }),
}));
