import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { updateAdminCommand } from "@/lib/commands/admins";
import { getAdmin } from "@/lib/data/admins";
import { ApiError } from "@/lib/http/problem";

export const dynamic = "force-dynamic";

export const PATCH = apiRoute(endpoints.updateAdmin, async ({ params, body, run }) => {
  await run(updateAdminCommand, { adminId: params.id, ...body });
  const admin = await getAdmin(params.id);
  if (!admin) throw new ApiError("not-found", "Unknown admin.");
  return { status: 200, body: admin };
});
