import "server-only";
import { z } from "zod";
import { verificationRunExists } from "@/lib/data/verification-runs";
import { CommandError } from "@/lib/errors";
import { getReloadJob, startReloadAll } from "@/lib/tenants/reload-all";
import { tenantIdsSchema } from "@/lib/validations/tenant";
import { cancelVerificationRun, getActiveRun, getRunProgress, startVerificationRun } from "@/lib/verification";
import { defineCommand, defineQuery } from "./command";

/** The bulk jobs: Verify All and Reload All. Operators start and cancel them; everyone follows them. */

const RUN_GONE = "No such verification run.";
const runId = z.string().min(1, RUN_GONE).max(64, RUN_GONE);
const nothing = z.object({}).optional();

/** Starts Verify All, or joins the run already active (`joined`). */
export const startVerificationRunCommand = defineCommand({
  name: "verification_run.start",
  role: "OPERATOR",
  audit: "verification_run.started",
  input: z.object({ tenantIds: tenantIdsSchema.optional() }),
  run: async (ctx, input) => {
    const { run, joined } = await startVerificationRun({
      tenantIds: input.tenantIds,
      trigger: ctx.principalKind === "admin" ? "manual" : "api",
      requestedBy: ctx.actor.label,
      actor: ctx.actor,
      requestId: ctx.requestId,
    });
    const progress = await getRunProgress(run.id);
    if (!progress) throw new CommandError("not-found", "The run finished before its progress could be read. Update the table.");
    return { progress, joined };
  },
});

/** Tenants already verified keep their results; cancelling a run that has ended changes nothing. */
export const cancelVerificationRunCommand = defineCommand({
  name: "verification_run.cancel",
  role: "OPERATOR",
  audit: "verification_run.cancelled",
  input: z.object({ runId }),
  run: async (ctx, input) => {
    if (!(await verificationRunExists(input.runId))) throw new CommandError("not-found", `No verification run has the id ${input.runId}.`);
    const cancelled = await cancelVerificationRun(input.runId, { actor: ctx.actor, requestId: ctx.requestId });
    const progress = await getRunProgress(input.runId);
    if (!progress) throw new CommandError("not-found", "The run no longer exists.");
    return { cancelled, progress };
  },
});

/** A run's progress, or the active run's when no id is given (a viewer sees the run another admin started). */
export const runProgressQuery = defineQuery({
  name: "verification_run.progress",
  role: "VIEWER",
  input: z.object({ runId: runId.optional() }),
  run: async (_ctx, input) => {
    const id = input.runId ?? (await getActiveRun())?.id;
    return id ? getRunProgress(id) : null;
  },
});

/** Starts Reload All, or joins the job already running on any instance. Each tenant's reload is audited. */
export const startReloadAllCommand = defineCommand({
  name: "reload_all.start",
  role: "OPERATOR",
  audit: "tenant.directory_reloaded",
  input: nothing,
  run: (ctx) => startReloadAll(ctx.actor),
});

export const reloadJobQuery = defineQuery({
  name: "reload_all.progress",
  role: "VIEWER",
  input: z.object({ jobId: z.string().min(1, "No such reload.").max(64, "No such reload.") }),
  run: (_ctx, input) => getReloadJob(input.jobId),
});
