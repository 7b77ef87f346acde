import "server-only";
import { randomUUID } from "node:crypto";
import { EventEmitter, setMaxListeners } from "node:events";
import { recordAudit, systemActor, type AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { CallCancelledError } from "@/lib/entra/http";
import { isPostgresUrl, isUniqueViolation } from "@/lib/db-client";
import type { ProviderInput } from "./check";
import type { DistributedEngine } from "./distributed/engine";
import { retryPolicyFromEnv, runCheck } from "./engine";
import { outcomeWrites } from "@/lib/tenants/status";
import type { VerificationOutcome } from "./outcome";
import { loadPendingTenants, loadProvider, type LoadedTenant } from "./store";
import type { RecentFailure, RunProgress } from "./types";

/**
 * Verify All as a persisted run. The database guarantees one active run (unique `activeSlot`) and one
 * result per tenant per run (unique runId+tenantId); a process drives a run while its heartbeat is fresh,
 * and any process takes over a run whose heartbeat went stale, continuing with the tenants that have no
 * result yet.
 *
 * On PostgreSQL the work itself is shared by every instance through pg-boss (./distributed): this
 * module still creates, cancels and reports runs, and hands each run to the process's engine.
 */

export type RunTrigger = "manual" | "schedule" | "cli" | "api";
export type StartRunInput = { tenantIds?: string[]; trigger: RunTrigger; requestedBy: string; concurrency?: number; actor?: AuditActor; requestId?: string };
export type RunRecord = Awaited<ReturnType<typeof db.verificationRun.findUniqueOrThrow>>;

const PROCESS_ID = randomUUID();
export const HEARTBEAT_MS = 5_000;
export const STALE_AFTER_MS = 30_000;
const FLUSH_MS = 250;
const FLUSH_SIZE = 200;
const PREFETCH = 256;

type Driver = {
  runId: string;
  controller: AbortController;
  inFlight: Set<string>;
  completions: number[];
  emitter: EventEmitter;
  done: Promise<void>;
};

const drivers = new Map<string, Driver>();
const emitters = new Map<string, EventEmitter>();

function emitterFor(runId: string) {
  let e = emitters.get(runId);
  if (!e) {
    e = new EventEmitter();
    e.setMaxListeners(0);
    emitters.set(runId, e);
  }
  return e;
}

/** This process's share of the cluster's engine on PostgreSQL; null on SQLite, where runs are driven in-process. */
function distributed(): Promise<DistributedEngine> | null {
  return isPostgresUrl(env.DATABASE_URL) ? import("./distributed").then((m) => m.processEngine()) : null;
}


async function scopeCount(scope: string[] | null) {
  return scope ? db.tenant.count({ where: { id: { in: scope } } }) : db.tenant.count();
}

/**
 * Starts Verify All (or a selection). When a run is already active, returns that run with `joined: true`:
 * two admins clicking together get the same run.
 */
export async function startVerificationRun(input: StartRunInput): Promise<{ run: RunRecord; joined: boolean }> {
  const scope = input.tenantIds ? [...new Set(input.tenantIds)] : null;
  const concurrency = Math.max(1, Math.min(1024, input.concurrency ?? env.VERIFY_CONCURRENCY));
  for (let attempt = 0; attempt < 5; attempt++) {
    const active = await db.verificationRun.findUnique({ where: { activeSlot: "active" } });
    if (active) {
      const engine = distributed();
      if (engine) await (await engine).work();
      else await adoptIfStale(active);
      return { run: active, joined: true };
    }
    const total = await scopeCount(scope);
    try {
      const now = new Date();
      const run = await db.verificationRun.create({
        data: {
          id: randomUUID(),
          status: "RUNNING",
          activeSlot: "active",
          trigger: input.trigger,
          requestedBy: input.requestedBy,
          scope: scope ? JSON.stringify(scope) : null,
          total,
          concurrency,
          startedAt: now,
          heartbeatAt: now,
          ownerId: PROCESS_ID,
        },
      });
      await recordAudit({
        action: "verification_run.started",
        actor: input.actor ?? systemActor,
        requestId: input.requestId,
        target: { type: "verification_run", id: run.id },
        details: { trigger: input.trigger, total, concurrency, selection: scope !== null },
      });
      const engine = distributed();
      if (engine) await (await engine).runStarted(run.id);
      else drive(run);
      return { run, joined: false };
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }
  throw new Error("Could not start or join a verification run");
}

export async function cancelVerificationRun(runId: string, options: { actor?: AuditActor; requestId?: string } = {}): Promise<boolean> {
  const { count } = await db.verificationRun.updateMany({
    where: { id: runId, status: "RUNNING" },
    data: { status: "CANCELLED", activeSlot: null, finishedAt: new Date() },
  });
  drivers.get(runId)?.controller.abort();
  const engine = distributed();
  if (engine) await (await engine).runCancelled(runId);
  progressCache.delete(runId);
  if (count === 1) {
    await refreshCounters(runId);
    await recordAudit({ action: "verification_run.cancelled", actor: options.actor ?? systemActor, requestId: options.requestId, target: { type: "verification_run", id: runId } });
    void publish(runId);
  }
  return count === 1;
}

/** Takes over runs whose driving process died (stale heartbeat). Call on startup; the scheduler repeats it. */
export async function resumeInterruptedRuns(options: { staleAfterMs?: number } = {}): Promise<string[]> {
  const engine = distributed();
  if (engine) {
    // Every instance works on the active run; a dead one's jobs come back through its expired lease.
    await (await engine).work();
    const active = await getActiveRun();
    return active ? [active.id] : [];
  }
  const cutoff = new Date(Date.now() - (options.staleAfterMs ?? STALE_AFTER_MS));
  const stale = await db.verificationRun.findMany({ where: { status: "RUNNING", heartbeatAt: { lt: cutoff } } });
  const resumed: string[] = [];
  for (const run of stale) if (await adoptIfStale(run, cutoff)) resumed.push(run.id);
  return resumed;
}

async function adoptIfStale(run: RunRecord, cutoff = new Date(Date.now() - STALE_AFTER_MS)): Promise<boolean> {
  if (drivers.has(run.id) || run.heartbeatAt >= cutoff) return false;
  const { count } = await db.verificationRun.updateMany({
    where: { id: run.id, status: "RUNNING", heartbeatAt: { lt: cutoff } },
    data: { ownerId: PROCESS_ID, heartbeatAt: new Date() },
  });
  if (count !== 1) return false;
  drive({ ...run, ownerId: PROCESS_ID });
  return true;
}

/** Resolves when this process has finished driving the run (or immediately when it does not drive it). */
export function waitForRun(runId: string): Promise<void> {
  const engine = distributed();
  // The run may have ended on another instance: progress cached here (up to half a second) is stale now.
  if (engine) return engine.then((e) => e.waitForRun(runId)).then(() => void progressCache.delete(runId));
  return drivers.get(runId)?.done ?? Promise.resolve();
}

/** Stops driving every run in this process without changing their status, e.g. on shutdown; another process resumes them. */
export async function releaseRuns() {
  if (isPostgresUrl(env.DATABASE_URL)) await (await import("./distributed")).stopProcessEngine();
  const all = [...drivers.values()];
  for (const d of all) d.controller.abort();
  await Promise.all(all.map((d) => d.done));
}

function drive(run: RunRecord) {
  const controller = new AbortController();
  // Every in-flight call and every Retry-After wait listens to this signal: up to a few per tenant in flight.
  setMaxListeners(0, controller.signal);
  const emitter = emitterFor(run.id);
  const driver: Driver = { runId: run.id, controller, inFlight: new Set(), completions: [], emitter, done: Promise.resolve() };
  drivers.set(run.id, driver);
  driver.done = execute(run, driver)
    .catch(async (e: unknown) => {
      console.error(`verification run ${run.id} failed: ${e instanceof Error ? e.name : "error"}`);
      await db.verificationRun.updateMany({ where: { id: run.id, ownerId: PROCESS_ID, status: "RUNNING" }, data: { status: "FAILED", activeSlot: null, finishedAt: new Date() } });
    })
    .finally(() => {
      drivers.delete(run.id);
      progressCache.delete(run.id);
      void publish(run.id);
    });
}

async function execute(run: RunRecord, driver: Driver) {
  const { signal } = driver.controller;
  const heartbeat = setInterval(() => {
    void db.verificationRun
      .updateMany({ where: { id: run.id, ownerId: PROCESS_ID, status: "RUNNING" }, data: { heartbeatAt: new Date() } })
      .then(({ count }) => {
        // Cancelled elsewhere, or another process took over: stop without writing more.
        if (count === 0) driver.controller.abort();
      })
      .catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const writer = new ResultWriter(run.id, driver);
  try {
    const provider = await loadProvider();
    const policy = retryPolicyFromEnv();
    const queue = new TenantQueue(run.id, run.scope ? (JSON.parse(run.scope) as string[]) : null);
    const worker = async () => {
      for (;;) {
        if (signal.aborted) return;
        const loaded = await queue.next();
        if (!loaded) return;
        driver.inFlight.add(loaded.tenant.id);
        try {
          const outcome = await verifyInRun(loaded, provider, policy, signal);
          if (outcome) writer.add(outcome);
        } finally {
          driver.inFlight.delete(loaded.tenant.id);
        }
      }
    };
    await Promise.all(Array.from({ length: run.concurrency }, worker));
    await writer.close();
    if (signal.aborted) return;
    const counts = await refreshCounters(run.id);
    const { count } = await db.verificationRun.updateMany({
      where: { id: run.id, ownerId: PROCESS_ID, status: "RUNNING" },
      data: { status: "COMPLETED", activeSlot: null, finishedAt: new Date() },
    });
    if (count === 1) {
      await recordAudit({
        action: "verification_run.completed",
        actor: systemActor,
        target: { type: "verification_run", id: run.id },
        details: { total: run.total, verified: counts.verified, warnings: counts.warnings, failed: counts.failed },
      });
    }
  } finally {
    clearInterval(heartbeat);
    await writer.close().catch(() => {});
  }
}

async function verifyInRun(loaded: LoadedTenant, provider: ProviderInput, policy: ReturnType<typeof retryPolicyFromEnv>, signal: AbortSignal): Promise<VerificationOutcome | null> {
  try {
    return await runCheck(loaded, provider, { policy, signal });
  } catch (e) {
    if (e instanceof CallCancelledError || signal.aborted) return null;
    throw e;
  }
}

/** Hands out the run's pending tenants in id order, loading them (with credentials) a page at a time. */
class TenantQueue {
  private buffer: LoadedTenant[] = [];
  private lastId: string | null = null;
  private exhausted = false;
  private loading: Promise<void> | null = null;
  constructor(
    private readonly runId: string,
    private readonly scope: string[] | null,
  ) {}

  async next(): Promise<LoadedTenant | null> {
    for (;;) {
      const item = this.buffer.shift();
      if (item) return item;
      if (this.exhausted) return null;
      this.loading ??= this.load().finally(() => (this.loading = null));
      await this.loading;
    }
  }

  private async load() {
    const page = await loadPendingTenants(this.runId, this.scope, this.lastId, PREFETCH);
    if (page.length < PREFETCH) this.exhausted = true;
    if (page.length) this.lastId = page[page.length - 1]!.tenant.id;
    this.buffer.push(...page);
  }
}

/**
 * Writes results in small transactions (every 250 ms or 200 results) so a 10,000-tenant run does not
 * pay one fsync per tenant; a crash loses at most the last batch, whose tenants are verified again on resume.
 */
class ResultWriter {
  private buffer: VerificationOutcome[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly runId: string,
    private readonly driver: Driver,
  ) {}

  add(outcome: VerificationOutcome) {
    this.buffer.push(outcome);
    if (this.buffer.length >= FLUSH_SIZE) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const items = this.buffer.splice(0);
    if (items.length === 0) return this.chain;
    this.chain = this.chain.then(() => this.write(items));
    return this.chain;
  }

  async close() {
    await this.flush();
  }

  private async write(items: VerificationOutcome[]) {
    try {
      await db.$transaction(outcomeWrites(this.runId, items));
    } catch {
      // One bad row (a tenant deleted meanwhile, a duplicate) must not lose the others.
      for (const item of items) {
        try {
          await db.$transaction(outcomeWrites(this.runId, [item]));
        } catch {
          /* tenant deleted, or already has a result in this run */
        }
      }
    }
    const now = Date.now();
    for (let i = 0; i < items.length; i++) this.driver.completions.push(now);
    void publish(this.runId);
  }
}

async function refreshCounters(runId: string) {
  const groups = await db.verificationResult.groupBy({ by: ["status"], where: { runId }, _count: { _all: true } });
  const n = (s: string) => groups.find((g) => g.status === s)?._count._all ?? 0;
  const counts = { verified: n("VERIFIED"), warnings: n("WARNING"), failed: n("FAILED") };
  await db.verificationRun.update({ where: { id: runId }, data: counts });
  return counts;
}

const RATE_WINDOW_MS = 60_000;

const PROGRESS_CACHE_MS = 500;
const progressCache = new Map<string, { at: number; value: Promise<RunProgress | null> }>();

/**
 * Progress of a run. Many browsers polling at once share one set of queries per half second, so
 * watching a run does not slow it down.
 */
export function getRunProgress(runId: string): Promise<RunProgress | null> {
  const cached = progressCache.get(runId);
  if (cached && Date.now() - cached.at < PROGRESS_CACHE_MS) return cached.value;
  const value = readRunProgress(runId);
  progressCache.set(runId, { at: Date.now(), value });
  value.catch(() => progressCache.delete(runId));
  if (progressCache.size > 100) progressCache.delete(progressCache.keys().next().value!);
  return value;
}

function freshRunProgress(runId: string) {
  progressCache.delete(runId);
  return getRunProgress(runId);
}

async function readRunProgress(runId: string): Promise<RunProgress | null> {
  const run = await db.verificationRun.findUnique({ where: { id: runId } });
  if (!run) return null;
  const groups = await db.verificationResult.groupBy({ by: ["status"], where: { runId }, _count: { _all: true } });
  const n = (s: string) => groups.find((g) => g.status === s)?._count._all ?? 0;
  const verified = n("VERIFIED");
  const warnings = n("WARNING");
  const failed = n("FAILED");
  const done = verified + warnings + failed;
  const remaining = Math.max(0, run.total - done);
  const driver = drivers.get(runId);
  const now = Date.now();
  let ratePerSecond: number;
  let inFlight = driver?.inFlight.size ?? 0;
  const engine = run.status === "RUNNING" ? distributed() : null;
  if (engine) {
    ({ ratePerSecond, inFlight } = await (await engine).liveStats(runId, run.startedAt));
  } else if (driver) {
    const cutoff = now - RATE_WINDOW_MS;
    while (driver.completions.length && driver.completions[0]! < cutoff) driver.completions.shift();
    const windowMs = Math.min(RATE_WINDOW_MS, now - run.startedAt.getTime());
    ratePerSecond = windowMs > 0 ? driver.completions.length / (windowMs / 1000) : 0;
  } else {
    const elapsed = ((run.finishedAt ?? new Date()).getTime() - run.startedAt.getTime()) / 1000;
    ratePerSecond = elapsed > 0 ? done / elapsed : 0;
  }
  const failures = await db.verificationResult.findMany({
    where: { runId, status: "FAILED" },
    orderBy: { finishedAt: "desc" },
    take: 10,
    select: { tenantId: true, reasonCode: true, message: true, finishedAt: true, tenant: { select: { customerId: true, displayName: true } } },
  });
  const recentFailures: RecentFailure[] = failures.map((f) => ({
    tenantId: f.tenantId,
    customerId: f.tenant.customerId,
    displayName: f.tenant.displayName,
    reasonCode: f.reasonCode,
    message: f.message,
    finishedAt: f.finishedAt,
  }));
  return {
    id: run.id,
    status: run.status,
    trigger: run.trigger,
    requestedBy: run.requestedBy,
    concurrency: run.concurrency,
    total: run.total,
    done,
    verified,
    warnings,
    failed,
    remaining,
    ratePerSecond: Math.round(ratePerSecond * 10) / 10,
    etaSeconds: run.status !== "RUNNING" ? 0 : ratePerSecond > 0 ? Math.ceil(remaining / ratePerSecond) : null,
    inFlight,
    recentFailures,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

export async function getActiveRun(): Promise<RunRecord | null> {
  return db.verificationRun.findUnique({ where: { activeSlot: "active" } });
}

const PUBLISH_MIN_MS = 250;
const lastPublish = new Map<string, number>();

async function publish(runId: string) {
  const e = emitters.get(runId);
  if (!e || e.listenerCount("progress") === 0) return;
  const now = Date.now();
  const final = !drivers.has(runId);
  if (!final && now - (lastPublish.get(runId) ?? 0) < PUBLISH_MIN_MS) return;
  lastPublish.set(runId, now);
  const progress = final ? await freshRunProgress(runId) : await getRunProgress(runId);
  if (progress) e.emit("progress", progress);
}

/**
 * Progress events for a run: pushed as results are written in this process, and polled once a second
 * so runs driven by another process are followed too. The listener gets a last event when the run ends.
 */
export function subscribeRunProgress(runId: string, listener: (p: RunProgress) => void): () => void {
  const e = emitterFor(runId);
  let closed = false;
  let lastStatus: string | null = null;
  const stop = () => {
    clearInterval(poll);
    e.off("progress", onProgress);
    if (e.listenerCount("progress") === 0 && !drivers.has(runId)) emitters.delete(runId);
  };
  const onProgress = (p: RunProgress) => {
    if (closed || (lastStatus !== null && lastStatus !== "RUNNING")) return;
    lastStatus = p.status;
    // The last event: nothing more will come, so stop polling even if the caller never unsubscribes.
    if (p.status !== "RUNNING") stop();
    listener(p);
  };
  e.on("progress", onProgress);
  const poll = setInterval(() => {
    void getRunProgress(runId).then((p) => p && onProgress(p)).catch(() => {});
  }, 1000);
  poll.unref();
  void getRunProgress(runId).then((p) => p && onProgress(p)).catch(() => {});
  return () => {
    closed = true;
    stop();
  };
}
