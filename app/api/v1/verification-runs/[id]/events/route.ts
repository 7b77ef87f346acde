import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { ApiError } from "@/lib/http/problem";
import { verificationRunExists } from "@/lib/data/verification-runs";
import { runProgressEventStream, sseHeaders } from "@/lib/verification";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.runEvents, async ({ params, signal }) => {
  if (!(await verificationRunExists(params.id))) throw new ApiError("not-found", `No verification run has the id ${params.id}.`);
  return new Response(runProgressEventStream(params.id, signal), { headers: sseHeaders });
});
