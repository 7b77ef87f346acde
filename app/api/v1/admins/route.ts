import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, apiUrl } from "@/lib/api/handler";
import { createAdminCommand } from "@/lib/commands/admins";
import { getAdmin, listAdmins } from "@/lib/data/admins";
import { ApiError } from "@/lib/http/problem";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listAdmins, async () => ({ status: 200, body: { items: await listAdmins() } }));

export const POST = apiRoute(endpoints.createAdmin, async ({ body, run }) => {
  const created = await run(createAdminCommand, body);
  const admin = await getAdmin(created.id);
  if (!admin) throw new ApiError("not-found", "Unknown admin.");
  return { status: 201, body: { ...admin, oneTimePassword: created.oneTimePassword }, headers: { Location: apiUrl("/admins/{id}", { id: created.id }) } };
});
