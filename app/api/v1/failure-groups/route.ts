import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { failureGroupsQuery } from "@/lib/commands/fleet";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listFailureGroups, async ({ run }) => {
  const groups = await run(failureGroupsQuery, {});
  return { status: 200, body: { failed: groups.reduce((n, g) => n + g.count, 0), groups } };
});
