import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { ApiError } from "@/lib/api/problem";
import { verificationRunExists } from "@/lib/data/verification-runs";
import { cancelVerificationRun, getRunProgress } from "@/lib/verification";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.cancelRun, async ({ params, actor, requestId }) => {
  if (!(await verificationRunExists(params.id))) throw new ApiError("not-found", `No verification run has the id ${params.id}.`);
  const cancelled = await cancelVerificationRun(params.id, { actor, requestId });
  const run = await getRunProgress(params.id);
  if (!run) throw new ApiError("not-found", "The run no longer exists.");
  return { status: 200, body: { cancelled, run } };
});
