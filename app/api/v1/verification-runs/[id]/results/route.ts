import { endpoints } from "@/lib/api/endpoints";
import { storedResultDto } from "@/lib/api/dto";
import { apiRoute } from "@/lib/api/handler";
import { ApiError } from "@/lib/http/problem";
import { listRunResults, verificationRunExists } from "@/lib/data/verification-runs";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.runResults, async ({ params, query }) => {
  if (!(await verificationRunExists(params.id))) throw new ApiError("not-found", `No verification run has the id ${params.id}.`);
  const page = await listRunResults(params.id, query);
  return { status: 200, body: { ...page, items: page.items.map(storedResultDto) } };
});
