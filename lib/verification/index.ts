import "server-only";

/** The verification engine's public API, used by server actions, the scheduler, the CLI and the REST API. */

export { verifyTenant, testGraphConnection, reloadTenantDirectory, TenantNotFoundError, type DirectoryReload } from "./engine";
export {
  startVerificationRun,
  cancelVerificationRun,
  getRunProgress,
  getActiveRun,
  subscribeRunProgress,
  resumeInterruptedRuns,
  releaseRuns,
  waitForRun,
  type RunTrigger,
  type StartRunInput,
  type RunRecord,
} from "./runs";
export { startScheduler, schedulerTick, startConsentConfirmation, consentConfirmationTick, getVerificationHistory, type TenantHistoryEntry } from "./scheduler";
export type { VerificationOutcome, OutcomeDetails } from "./outcome";
export type { RunProgress, RecentFailure } from "./types";
export { reasons, type ReasonCode, type Reason } from "@/lib/entra/reasons";
export { runProgressEventStream, sseHeaders } from "./progress-stream";
