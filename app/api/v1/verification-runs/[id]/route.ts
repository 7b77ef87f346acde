import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { ApiError } from "@/lib/http/problem";
import { getRunProgress } from "@/lib/verification";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.getRun, async ({ params }) => {
  const progress = await getRunProgress(params.id);
  if (!progress) throw new ApiError("not-found", `No verification run has the id ${params.id}.`);
  return { status: 200, body: progress };
});
