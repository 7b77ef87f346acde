import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { getSecretRotationQuery } from "@/lib/commands/rotation";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.getSecretRotation, async ({ params, run }) => ({
  status: 200,
  body: await run(getSecretRotationQuery, { id: params.id, rotationId: params.rotationId }),
}));
