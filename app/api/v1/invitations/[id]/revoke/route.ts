import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { revokeInvitationCommand } from "@/lib/commands/campaigns";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.revokeInvitation, async ({ params, run }) => {
  return { status: 200, body: await run(revokeInvitationCommand, { id: params.id }) };
});
