/**
 * Verification from a terminal, with the engine the console uses.
 *   npm run verify -- --all [--concurrency 32] [--json]
 *   npm run verify -- --tenant <customer id> [--tenant <customer id> …] [--json]
 * Exits 1 when any tenant failed (or the run did not complete), 2 on usage errors: fit for cron and monitoring.
 */
import os from "node:os";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    all: { type: "boolean", default: false },
    tenant: { type: "string", multiple: true, default: [] },
    concurrency: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

const usage = "Usage: npm run verify -- --all | --tenant <customer id> [--tenant …] [--concurrency N] [--json]";
if (values.help || (!values.all && values.tenant.length === 0) || (values.all && values.tenant.length > 0)) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

const { db } = await import("@/lib/db");
const { reasons } = await import("@/lib/entra/reasons");
const engine = await import("@/lib/verification");
const actor = { type: "system", label: `cli:${os.userInfo().username}` } as const;
const color = process.stdout.isTTY && !values.json;
const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const statusText = (s: string) => (s === "FAILED" ? paint(31, s) : s === "WARNING" ? paint(33, s) : paint(32, s));

async function verifySome(customerIds: string[]): Promise<number> {
  let failed = 0;
  const out: unknown[] = [];
  for (const customerId of customerIds) {
    const tenant = await db.tenant.findUnique({ where: { customerId }, select: { id: true, displayName: true } });
    if (!tenant) {
      console.error(`No tenant with customer id ${customerId}`);
      failed++;
      continue;
    }
    const o = await engine.verifyTenant(tenant.id, { actor });
    if (o.status === "FAILED") failed++;
    if (values.json) {
      out.push({ customerId, ...o });
      continue;
    }
    const d = o.details;
    console.log(`${customerId}  ${tenant.displayName}  ${statusText(o.status)}  ${o.reasonCode}  ${o.durationMs} ms`);
    console.log(`  ${o.message}. ${d.explanation}`);
    for (const note of d.notes) console.log(`  - ${note}`);
    if (o.status !== "VERIFIED") console.log(`  What to do: ${d.remediation.text}`);
    if (d.organization)
      console.log(`  Organization: ${d.organization.displayName} (${d.organization.id}), default domain ${d.organization.defaultDomain ?? "-"}`);
    if (d.permissions?.missing.length) console.log(`  Missing permissions: ${d.permissions.missing.join(", ")}`);
    if (o.accessBreaksAt) console.log(`  Access breaks: ${o.accessBreaksAt.toISOString()}`);
    if (d.diagnostics) {
      const x = d.diagnostics;
      console.log(
        `  Diagnostics: ${[
          x.httpStatus && `HTTP ${x.httpStatus}`,
          x.error,
          x.errorCodes && `codes ${x.errorCodes.join(",")}`,
          x.graphCode,
          x.traceId && `trace ${x.traceId}`,
          x.correlationId && `correlation ${x.correlationId}`,
          x.timestamp,
          x.endpoint,
        ]
          .filter(Boolean)
          .join(" · ")}`,
      );
    }
  }
  if (values.json) console.log(JSON.stringify(out, null, 2));
  return failed > 0 ? 1 : 0;
}

function bar(done: number, total: number, width = 30) {
  const filled = total ? Math.round((done / total) * width) : width;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

async function verifyAll(): Promise<number> {
  await engine.resumeInterruptedRuns();
  const { run, joined } = await engine.startVerificationRun({
    trigger: "cli",
    requestedBy: actor.label,
    actor,
    concurrency: values.concurrency ? Number(values.concurrency) : undefined,
  });
  if (joined && !values.json) console.error(`Following the run already in progress (${run.id}, started ${run.startedAt.toISOString()} by ${run.requestedBy}).`);
  let interrupted = false;
  process.once("SIGINT", () => {
    interrupted = true;
    if (!joined) void engine.cancelVerificationRun(run.id, { actor });
    else process.exit(130);
  });
  const final = await new Promise<import("@/lib/verification").RunProgress>((resolve) => {
    const unsubscribe = engine.subscribeRunProgress(run.id, (p) => {
      if (process.stderr.isTTY && !values.json) {
        const eta = p.etaSeconds === null ? "?" : `${p.etaSeconds}s`;
        process.stderr.write(`\r${bar(p.done, p.total)} ${p.done}/${p.total}  ✓${p.verified} !${p.warnings} ✗${p.failed}  ${p.ratePerSecond}/s  eta ${eta}   `);
      }
      if (p.status !== "RUNNING") {
        unsubscribe();
        resolve(p);
      }
    });
  });
  if (process.stderr.isTTY && !values.json) process.stderr.write("\n");
  const failures = await db.verificationResult.groupBy({ by: ["reasonCode"], where: { runId: run.id, status: "FAILED" }, _count: { _all: true } });
  if (values.json) {
    console.log(JSON.stringify({ ...final, failuresByReason: Object.fromEntries(failures.map((f) => [f.reasonCode, f._count._all])) }, null, 2));
  } else {
    const seconds = ((final.finishedAt ?? new Date()).getTime() - final.startedAt.getTime()) / 1000;
    console.log(
      `Run ${final.id} ${final.status.toLowerCase()} in ${seconds.toFixed(1)} s: ${final.total} tenants, ${paint(32, `${final.verified} verified`)}, ${paint(33, `${final.warnings} warnings`)}, ${paint(31, `${final.failed} failed`)}${final.remaining ? `, ${final.remaining} not verified` : ""}.`,
    );
    const s = final.summary;
    console.log(
      `  Changes: ${s.verified} verified, ${s.newlyFailed} newly failed, ${s.recovered} recovered, ${s.stillFailing} still failing, ${s.blocked} blocked${s.retrying ? `, ${s.retrying} retrying` : ""}.`,
    );
    for (const f of failures.sort((a, b) => b._count._all - a._count._all)) {
      const r = reasons[f.reasonCode as keyof typeof reasons];
      console.log(`  ${String(f._count._all).padStart(6)}  ${f.reasonCode}  ${r ? `${r.title} — ${r.remediation.text}` : ""}`);
    }
    for (const f of final.recentFailures.slice(0, 5)) console.log(`  e.g. ${f.customerId} ${f.displayName}: ${f.message}`);
  }
  if (interrupted) return 130;
  return final.status === "COMPLETED" && final.failed === 0 ? 0 : 1;
}

const code = values.all ? await verifyAll() : await verifySome(values.tenant);
await db.$disconnect();
process.exit(code);
