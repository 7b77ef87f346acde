import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { resetPasswordCommand } from "@/lib/commands/admins";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.resetAdminPassword, async ({ params, run }) => ({
  status: 200,
  body: await run(resetPasswordCommand, { adminId: params.id }),
}));
