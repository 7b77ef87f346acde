import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { listSecretRotationsQuery, startSecretRotationCommand } from "@/lib/commands/rotation";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.startSecretRotation, async ({ params, body, run }) => ({
  status: 201,
  body: await run(startSecretRotationCommand, { id: params.id, ...body }),
}));

export const GET = apiRoute(endpoints.listSecretRotations, async ({ params, query, run }) => ({
  status: 200,
  body: await run(listSecretRotationsQuery, { id: params.id, page: query.page, pageSize: query.pageSize }),
}));
