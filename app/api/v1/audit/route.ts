import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { listAuditEvents } from "@/lib/data/audit";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listAudit, async ({ query }) => {
  const { page, pageSize, from, to, ...filters } = query;
  return {
    status: 200,
    body: await listAuditEvents({ page, pageSize, filters: { ...filters, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined } }),
  };
});
