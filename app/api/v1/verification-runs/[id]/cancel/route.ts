import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { cancelVerificationRunCommand } from "@/lib/commands/runs";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.cancelRun, async ({ params, run }) => {
  const { cancelled, progress } = await run(cancelVerificationRunCommand, { runId: params.id });
  return { status: 200, body: { cancelled, run: progress } };
});
