import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, apiUrl } from "@/lib/api/handler";
import { createTagCommand } from "@/lib/commands/tags";
import { listTagsWithCounts } from "@/lib/data/tags";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listTags, async () => ({ status: 200, body: { items: await listTagsWithCounts() } }));

export const POST = apiRoute(endpoints.createTag, async ({ body, run }) => {
  const tag = await run(createTagCommand, body);
  return { status: 201, body: tag, headers: { Location: apiUrl("/tags/{id}", { id: tag.id }) } };
});
