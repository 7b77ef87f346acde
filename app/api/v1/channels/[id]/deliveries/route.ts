import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { channelDeliveries } from "@/lib/data/channels";
import { ApiError } from "@/lib/http/problem";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listChannelDeliveries, async ({ params, query }) => {
  const page = await channelDeliveries(params.id, query.page, query.pageSize);
  if (!page) throw new ApiError("not-found", "No such channel.");
  return { status: 200, body: page };
});
