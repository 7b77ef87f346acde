import { endpoints } from "@/lib/api/endpoints";
import { etagOf } from "@/lib/api/dto";
import { apiRoute, apiUrl } from "@/lib/api/handler";
import { createChannelCommand } from "@/lib/commands/channels";
import { listChannels } from "@/lib/data/channels";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listChannels, async () => ({ status: 200, body: { items: await listChannels() } }));

export const POST = apiRoute(endpoints.createChannel, async ({ rawBody, run }) => {
  // The body as sent: the command parses it with the schema that checked it (which transforms).
  const created = await run(createChannelCommand, rawBody);
  return { status: 201, body: created, headers: { Location: apiUrl("/channels/{id}", { id: created.id }), ETag: etagOf(created.version) } };
});
