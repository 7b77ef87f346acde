import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { verificationOutcomeSchema, type VerificationOutcome } from "@/lib/verification/outcome";
import { RunEndedError } from "@/lib/jobs/types";
import { clearAccessDeadline, outcomeWrites, recordFailure, recordVerification, statusWrites, writeRunBatch } from "./status";

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

describe("outcomeWrites", () => {
  it("writes a batch as one createMany and one update per distinct status; each group gets its latest finish", async () => {
    const runId = await run();
    const ids = await Promise.all(["a", "b", "c", "d"].map((l) => tenant(`batch-${l}`)));
    const later = new Date("2026-12-01T10:00:05.000Z");
    const ownDeadline = new Date("2027-01-15T00:00:00.000Z");
    const outcomes = [
      outcome(ids[0]!),
      outcome(ids[1]!, { finishedAt: later }),
      outcome(ids[2]!, { accessBreaksAt: ownDeadline }),
      outcome(ids[3]!, { status: "FAILED", reasonCode: "CONSENT_REQUIRED", message: "Consent required", accessBreaksAt: null }),
    ];
    const writes = outcomeWrites(runId, outcomes);
    expect(writes).toHaveLength(1 + 3);
    await db.$transaction(writes);
    expect(await db.verificationResult.count({ where: { runId } })).toBe(4);
    expect(await status(ids[0]!)).toMatchObject({ lastStatus: "VERIFIED", lastVerifiedAt: later, version: 2 });
    expect(await status(ids[1]!)).toMatchObject({ lastStatus: "VERIFIED", lastVerifiedAt: later, version: 2 });
    expect(await status(ids[2]!)).toMatchObject({ lastStatus: "VERIFIED", accessBreaksAt: ownDeadline });
    expect(await status(ids[3]!)).toMatchObject({
      lastStatus: "FAILED",
      lastStatusCode: "CONSENT_REQUIRED",
      lastStatusMessage: "Consent required",
      accessBreaksAt: null,
    });
    expect(outcomeWrites(runId, [])).toEqual([]);
    expect(statusWrites(outcomes.slice(0, 2))).toHaveLength(1);
  });

  it("commits nothing when the caller's fence in the same transaction fails", async () => {
    const runId = await run();
    await db.jobRun.update({ where: { id: runId }, data: { status: "CANCELLED" } });
    const id = await tenant("fenced");
    const fence = db.jobRun.update({ where: { id: runId, status: "RUNNING" }, data: { heartbeatAt: new Date() } });
    await expect(db.$transaction([fence, ...outcomeWrites(runId, [outcome(id)])])).rejects.toMatchObject({ code: "P2025" });
    expect(await db.verificationResult.count({ where: { runId } })).toBe(0);
    expect(await status(id)).toMatchObject({ lastStatus: "NEVER", version: 1 });
  });

  it("fails a batch as a whole on a duplicate result, so the caller can retry its outcomes one by one", async () => {
    const runId = await run();
    const [done, fresh] = await Promise.all([tenant("dup-done"), tenant("dup-fresh")]);
    await db.$transaction(outcomeWrites(runId, [outcome(done)]));
    await expect(db.$transaction(outcomeWrites(runId, [outcome(done), outcome(fresh)]))).rejects.toMatchObject({ code: "P2002" });
    expect(await status(fresh)).toMatchObject({ lastStatus: "NEVER" });
    for (const o of [outcome(done), outcome(fresh)]) await db.$transaction(outcomeWrites(runId, [o])).catch(() => {});
    expect(await db.verificationResult.count({ where: { runId } })).toBe(2);
    expect(await status(fresh)).toMatchObject({ lastStatus: "VERIFIED", version: 2 });
    expect(await status(done)).toMatchObject({ version: 2 });
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
  it("records a failure learnt without a verification: status only, the deadline kept", async () => {
    const id = await tenant("declined");
    await recordVerification(outcome(id));
    const before = Date.now();
    await recordFailure(id, { reasonCode: "CONSENT_DECLINED", message: "The administrator cancelled or declined the consent request. Nothing was granted." });
    const s = await status(id);
    expect(s).toMatchObject({ lastStatus: "FAILED", lastStatusCode: "CONSENT_DECLINED", accessBreaksAt: new Date("2027-06-30T00:00:00.000Z"), version: 3 });
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
  const columns = ["lastStatus", "lastStatusCode", "lastStatusMessage", "lastVerifiedAt", "accessBreaksAt"];
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
