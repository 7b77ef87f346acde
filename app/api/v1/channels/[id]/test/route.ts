import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { testChannelCommand } from "@/lib/commands/channels";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.testChannel, async ({ params, run }) => ({ status: 200, body: await run(testChannelCommand, { id: params.id }) }));
