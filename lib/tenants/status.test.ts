import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { verificationOutcomeSchema, type VerificationOutcome } from "@/lib/verification/outcome";
import { RunEndedError } from "@/lib/jobs/types";
import { clearAccessDeadline, recordFailure, recordVerification, writeRunBatch } from "./status";

/** The one writer of a tenant's status, on SQLite and (TEST_DATABASE=postgres) PostgreSQL. */

async function tenant(label: string) {
  const id = newId();
  await db.tenant.create({
    data: { id, customerId: `${label}-${id.slice(-8)}`, displayName: label, adminEmail: "it@contoso.example", authMethod: "APP_REGISTRATION" },
  });
  return id;
}

async function run() {
  const now = new Date();
  return (
    await db.jobRun.create({
      data: {
        id: newId(),
        kind: "verify",
        status: "RUNNING",
        trigger: "test",
        requestedBy: "test",
        total: 0,
        concurrency: 1,
        startedAt: now,
        heartbeatAt: now,
      },
    })
  ).id;
}

function outcome(tenantId: string, over: Partial<VerificationOutcome> = {}): VerificationOutcome {
  return verificationOutcomeSchema.parse({
    tenantId,
    status: "VERIFIED",
    reasonCode: "VERIFIED",
    message: "Verified",
    accessBreaksAt: new Date("2027-06-30T00:00:00.000Z"),
    startedAt: new Date("2026-12-01T10:00:00.000Z"),
    finishedAt: new Date("2026-12-01T10:00:00.250Z"),
    durationMs: 250,
    details: {
      method: "APP_REGISTRATION",
      explanation: "The console signed in to the tenant and read its organization and users.",
      remediation: { action: "none", text: "Nothing to do." },
      warnings: [],
      notes: [],
      permissions: { granted: ["Organization.Read.All"], required: ["Organization.Read.All"], missing: [] },
      timings: { tokenMs: 200, graphMs: 50, totalMs: 250 },
    },
    ...over,
  });
}

const status = (id: string) =>
  db.tenant.findUniqueOrThrow({
    where: { id },
    select: { lastStatus: true, lastStatusCode: true, lastStatusMessage: true, lastVerifiedAt: true, accessBreaksAt: true, version: true },
  });

describe("recordVerification", () => {
  it("stores the result and the tenant's status together, and bumps the version", async () => {
    const id = await tenant("single");
    const o = outcome(id);
    await recordVerification(o);
    expect(await status(id)).toEqual({
      lastStatus: "VERIFIED",
      lastStatusCode: "VERIFIED",
      lastStatusMessage: "Verified",
      lastVerifiedAt: o.finishedAt,
      accessBreaksAt: o.accessBreaksAt,
      version: 2,
    });
    const row = await db.verificationResult.findFirstOrThrow({ where: { tenantId: id } });
    expect(row).toMatchObject({ runId: null, status: "VERIFIED", reasonCode: "VERIFIED", durationMs: 250, startedAt: o.startedAt, finishedAt: o.finishedAt });
    expect(JSON.parse(row.details)).toEqual(o.details);
  });

  it("writes neither when the tenant is gone", async () => {
    const id = await tenant("gone");
    await db.tenant.delete({ where: { id } });
    await expect(recordVerification(outcome(id))).rejects.toThrow();
    expect(await db.verificationResult.count({ where: { tenantId: id } })).toBe(0);
  });
});

/** Both writers apply the failure policy the same way: a single verification, and a run's batch on the driver. */
const writers = {
  recordVerification: async (o: VerificationOutcome) => recordVerification(o),
  writeRunBatch: async (o: VerificationOutcome) =>
    writeRunBatch({ runId: await run(), outcomes: [o], counts: { ok: o.status === "FAILED" ? 0 : 1, warnings: 0, failed: o.status === "FAILED" ? 1 : 0 } }),
};

const policyState = (id: string) =>
  db.tenant.findUniqueOrThrow({
    where: { id },
    select: {
      lastStatus: true,
      lastStatusCode: true,
      lastCheckAt: true,
      lastCheckCode: true,
      failureStreak: true,
      failingSince: true,
      nextCheckAt: true,
      accessBreaksAt: true,
    },
  });
const statusAudits = (id: string) => db.auditEvent.findMany({ where: { action: "tenant.status_changed", targetId: id }, orderBy: { at: "asc" } });
const at = (minutes: number) => new Date(Date.parse("2026-12-01T10:00:00.000Z") + minutes * 60_000);
const throttled = (id: string, minutes: number) =>
  outcome(id, {
    status: "FAILED",
    reasonCode: "THROTTLED",
    message: "Throttled by Microsoft",
    accessBreaksAt: null,
    startedAt: at(minutes),
    finishedAt: at(minutes),
  });
const invalidSecret = (id: string, minutes: number) =>
  outcome(id, {
    status: "FAILED",
    reasonCode: "INVALID_SECRET",
    message: "Invalid client secret",
    accessBreaksAt: null,
    startedAt: at(minutes),
    finishedAt: at(minutes),
  });
const verified = (id: string, minutes: number) => outcome(id, { startedAt: at(minutes), finishedAt: at(minutes) });

describe.each(Object.entries(writers))("the failure policy through %s", (_name, write) => {
  it("keeps a good status through transient failures until 3 of them span 30 minutes, then fails; audits only the change", async () => {
    const id = await tenant("transient");
    await write(verified(id, 0));
    await write(throttled(id, 10));
    expect(await policyState(id)).toMatchObject({
      lastStatus: "VERIFIED",
      lastStatusCode: "VERIFIED",
      lastCheckAt: at(10),
      lastCheckCode: "THROTTLED",
      failureStreak: 1,
      failingSince: at(10),
      nextCheckAt: at(15),
      accessBreaksAt: new Date("2027-06-30T00:00:00.000Z"),
    });
    await write(throttled(id, 15));
    // Three failures, but only 20 minutes apart: still Verified.
    await write(throttled(id, 30));
    expect(await policyState(id)).toMatchObject({ lastStatus: "VERIFIED", failureStreak: 3, failingSince: at(10), nextCheckAt: at(60) });
    await write(throttled(id, 41));
    expect(await policyState(id)).toMatchObject({
      lastStatus: "FAILED",
      lastStatusCode: "THROTTLED",
      lastCheckCode: null,
      failureStreak: 4,
      accessBreaksAt: null,
    });
    // The first check (NEVER → VERIFIED) and the failure are status changes; the kept ones are not.
    expect((await statusAudits(id)).map((a) => JSON.parse(a.details) as unknown)).toEqual([
      { from: "NEVER", to: "VERIFIED", reason: "VERIFIED" },
      { from: "VERIFIED", to: "FAILED", reason: "THROTTLED" },
    ]);
  });

  it("fails at once on a permanent reason and backs off 1 h, 6 h, 24 h, then daily; recovery clears it all", async () => {
    const id = await tenant("permanent");
    await write(verified(id, 0));
    await write(invalidSecret(id, 10));
    expect(await policyState(id)).toMatchObject({
      lastStatus: "FAILED",
      lastStatusCode: "INVALID_SECRET",
      failureStreak: 1,
      failingSince: at(10),
      nextCheckAt: at(70),
    });
    await write(invalidSecret(id, 70));
    expect((await policyState(id)).nextCheckAt).toEqual(at(70 + 360));
    await write(invalidSecret(id, 430));
    expect((await policyState(id)).nextCheckAt).toEqual(at(430 + 1440));
    await write(invalidSecret(id, 1870));
    expect(await policyState(id)).toMatchObject({ failureStreak: 4, failingSince: at(10), nextCheckAt: at(1870 + 1440) });
    await write(verified(id, 3400));
    expect(await policyState(id)).toMatchObject({ lastStatus: "VERIFIED", failureStreak: 0, failingSince: null, nextCheckAt: null, lastCheckCode: null });
    // Four identical failures are one change.
    expect((await statusAudits(id)).map((a) => (JSON.parse(a.details) as { to: string }).to)).toEqual(["VERIFIED", "FAILED", "VERIFIED"]);
  });

  it("lets a tenant that never verified wait out transient failures as it is", async () => {
    const id = await tenant("never");
    await write(throttled(id, 0));
    expect(await policyState(id)).toMatchObject({ lastStatus: "NEVER", lastCheckCode: "THROTTLED", failureStreak: 1 });
    expect(await statusAudits(id)).toHaveLength(0);
  });
});

describe("writeRunBatch (a run's batches, on the database driver)", () => {
  const counts = (ok: number, failed = 0) => ({ ok, warnings: 0, failed });

  it("writes the results, the tenants' statuses and the run's counters so that Prisma reads them back exactly", async () => {
    const runId = await run();
    const ids = await Promise.all(["a", "b"].map((l) => tenant(`direct-${l}`)));
    const deadline = new Date("2027-03-01T12:34:56.789Z");
    const outcomes = [
      outcome(ids[0]!, { accessBreaksAt: deadline }),
      outcome(ids[1]!, { status: "FAILED", reasonCode: "CONSENT_REQUIRED", message: "Consent required", accessBreaksAt: null }),
    ];
    await writeRunBatch({ runId, outcomes, counts: counts(1, 1) });
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ ok: 1, warnings: 0, failed: 1 });
    const stored = await db.verificationResult.findMany({ where: { runId }, orderBy: { tenantId: "asc" } });
    expect(stored).toHaveLength(2);
    const first = stored.find((r) => r.tenantId === ids[0])!;
    expect(first).toMatchObject({
      status: "VERIFIED",
      reasonCode: "VERIFIED",
      startedAt: outcomes[0]!.startedAt,
      finishedAt: outcomes[0]!.finishedAt,
      durationMs: outcomes[0]!.durationMs,
    });
    expect(JSON.parse(first.details)).toEqual(JSON.parse(JSON.stringify(outcomes[0]!.details)));
    expect(await status(ids[0]!)).toMatchObject({ lastStatus: "VERIFIED", lastVerifiedAt: outcomes[0]!.finishedAt, accessBreaksAt: deadline, version: 2 });
    expect(await status(ids[1]!)).toMatchObject({ lastStatus: "FAILED", lastStatusCode: "CONSENT_REQUIRED", accessBreaksAt: null, version: 2 });
  });

  it("writes nothing once the run is no longer running", async () => {
    const runId = await run();
    await db.jobRun.update({ where: { id: runId }, data: { status: "CANCELLED" } });
    const id = await tenant("direct-fenced");
    await expect(writeRunBatch({ runId, outcomes: [outcome(id)], counts: counts(1) })).rejects.toBeInstanceOf(RunEndedError);
    expect(await db.verificationResult.count({ where: { runId } })).toBe(0);
    expect(await status(id)).toMatchObject({ lastStatus: "NEVER", version: 1 });
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ ok: 0 });
  });

  it("fails a whole batch with P2002 on a duplicate result and P2003 on a deleted tenant, counting nothing", async () => {
    const runId = await run();
    const [done, fresh, gone] = await Promise.all([tenant("direct-done"), tenant("direct-fresh"), tenant("direct-gone")]);
    await writeRunBatch({ runId, outcomes: [outcome(done)], counts: counts(1) });
    await expect(writeRunBatch({ runId, outcomes: [outcome(fresh), outcome(done)], counts: counts(2) })).rejects.toMatchObject({ code: "P2002" });
    await db.tenant.delete({ where: { id: gone } });
    await expect(writeRunBatch({ runId, outcomes: [outcome(fresh), outcome(gone)], counts: counts(2) })).rejects.toMatchObject({ code: "P2003" });
    expect(await status(fresh)).toMatchObject({ lastStatus: "NEVER", version: 1 });
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ ok: 1 });
    expect(await db.verificationResult.count({ where: { runId } })).toBe(1);
  });
});

describe("recordFailure and clearAccessDeadline", () => {
  it("records a failure learnt without a verification: status only, and no deadline (access is broken already)", async () => {
    const id = await tenant("declined");
    await recordVerification(outcome(id));
    const before = Date.now();
    await recordFailure(id, { reasonCode: "CONSENT_DECLINED", message: "The administrator cancelled or declined the consent request. Nothing was granted." });
    const s = await status(id);
    expect(s).toMatchObject({ lastStatus: "FAILED", lastStatusCode: "CONSENT_DECLINED", accessBreaksAt: null, version: 3 });
    expect(s.lastVerifiedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(await db.verificationResult.count({ where: { tenantId: id } })).toBe(1);
  });

  it("forgets the deadline in the caller's transaction", async () => {
    const id = await tenant("removed");
    await recordVerification(outcome(id));
    await db.$transaction([clearAccessDeadline(id)]);
    expect(await status(id)).toMatchObject({ lastStatus: "VERIFIED", accessBreaksAt: null, version: 3 });
  });
});

describe("the tenant status columns", () => {
  const columns = [
    "lastStatus",
    "lastStatusCode",
    "lastStatusMessage",
    "lastVerifiedAt",
    "accessBreaksAt",
    "lastCheckAt",
    "lastCheckCode",
    "failureStreak",
    "failingSince",
    "nextCheckAt",
    "consentConfirmingUntil",
  ];
  // A Prisma write (`data: { …column… }`) or SQL naming a column ("lastStatus" = …, SET "lastVerifiedAt" …).
  const prismaWrite = new RegExp(`data:\\s*\\{[^{}]*\\b(${columns.join("|")})\\s*:`);
  const sqlWrite = new RegExp(`"(${columns.join("|")})"\\s*=`);

  function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === "generated" || e.name === "node_modules" ? [] : sources(p);
      return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
    });
  }

  it("are written by lib/tenants/status.ts only", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const writers = ["lib", "app"]
      .flatMap((d) => sources(path.join(root, d)))
      .filter((f) => {
        const text = fs.readFileSync(f, "utf8");
        return prismaWrite.test(text) || sqlWrite.test(text);
      })
      .map((f) => path.relative(root, f));
    expect(writers).toEqual(["lib/tenants/status.ts"]);
  });
});
