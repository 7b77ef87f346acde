import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { deleteTagCommand, updateTagCommand } from "@/lib/commands/tags";
import { getTag } from "@/lib/data/tags";
import { ApiError } from "@/lib/http/problem";
import { TAG_GONE } from "@/lib/tags/validation";

export const dynamic = "force-dynamic";

export const PATCH = apiRoute(endpoints.updateTag, async ({ params, body, run }) => {
  await run(updateTagCommand, { id: params.id, ...body });
  const tag = await getTag(params.id);
  if (!tag) throw new ApiError("not-found", TAG_GONE);
  return { status: 200, body: tag };
});

export const DELETE = apiRoute(endpoints.deleteTag, async ({ params, run }) => {
  await run(deleteTagCommand, { id: params.id });
  return { status: 204 };
});
