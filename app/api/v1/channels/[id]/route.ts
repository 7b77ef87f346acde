import { endpoints } from "@/lib/api/endpoints";
import { etagOf } from "@/lib/api/dto";
import { apiRoute } from "@/lib/api/handler";
import { deleteChannelCommand, updateChannelCommand } from "@/lib/commands/channels";
import { ApiError } from "@/lib/http/problem";
import { getChannelView } from "@/lib/notify/channels/store";

export const dynamic = "force-dynamic";

async function viewOr404(id: string) {
  const view = await getChannelView(id);
  if (!view) throw new ApiError("not-found", "No such channel.");
  return view;
}

export const GET = apiRoute(endpoints.getChannel, async ({ params }) => {
  const view = await viewOr404(params.id);
  return { status: 200, body: view, headers: { ETag: etagOf(view.version) } };
});

export const PATCH = apiRoute(endpoints.updateChannel, async ({ params, rawBody, ifMatch, run }) => {
  await viewOr404(params.id);
  const { view } = await run(updateChannelCommand, { ...(rawBody as object), id: params.id, version: typeof ifMatch === "number" ? ifMatch : null });
  return { status: 200, body: view, headers: { ETag: etagOf(view.version) } };
});

export const DELETE = apiRoute(endpoints.deleteChannel, async ({ params, run }) => {
  await viewOr404(params.id);
  await run(deleteChannelCommand, { id: params.id });
  return { status: 204 };
});
