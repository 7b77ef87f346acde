import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { revokeSessionsCommand } from "@/lib/commands/admins";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.revokeAdminSessions, async ({ params, run }) => ({
  status: 200,
  body: await run(revokeSessionsCommand, { adminId: params.id }),
}));
