import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { resendInvitationCommand } from "@/lib/commands/campaigns";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.resendInvitation, async ({ params, run }) => {
  return { status: 200, body: await run(resendInvitationCommand, { id: params.id }) };
});
