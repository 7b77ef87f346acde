import { describe, expect, it } from "vitest";
import { outcomeFromRow, outcomeRow, verificationOutcomeSchema } from "./outcome";

const outcome = verificationOutcomeSchema.parse({
  tenantId: "t-1",
  status: "FAILED",
  reasonCode: "INVALID_SECRET",
  message: "Invalid client secret",
  accessBreaksAt: "2027-06-30T00:00:00.000Z",
  startedAt: "2026-12-01T10:00:00.000Z",
  finishedAt: "2026-12-01T10:00:00.400Z",
  durationMs: 400,
  details: {
    method: "APP_REGISTRATION",
    explanation: "Entra rejected the client secret.",
    remediation: { action: "rotate_secret", text: "Create a new client secret." },
    warnings: [],
    notes: [],
    diagnostics: { httpStatus: 401, error: "invalid_client", errorCodes: [7000215] },
    app: { clientId: "c-1", kind: "provider", credential: "secret" },
    timings: { tokenMs: 400, totalMs: 400, tokenAttempts: 1 },
  },
});

function stored(row: ReturnType<typeof outcomeRow>, over: Record<string, unknown> = {}) {
  return {
    id: row.id!,
    runId: row.runId ?? null,
    tenantId: row.tenantId,
    status: row.status,
    reasonCode: row.reasonCode,
    message: row.message,
    details: row.details!,
    durationMs: row.durationMs,
    startedAt: row.startedAt as Date,
    finishedAt: row.finishedAt as Date,
    ...over,
  };
}

describe("a stored verification result", () => {
  it("coerces JSON dates, and reads back as the outcome it was written from", () => {
    expect(outcome.startedAt).toEqual(new Date("2026-12-01T10:00:00.000Z"));
    const row = outcomeRow(outcome, "run-1");
    expect(outcomeFromRow(stored(row), "APP_REGISTRATION")).toEqual({ ...outcome, accessBreaksAt: null, id: row.id, runId: "run-1" });
  });

  it("still reads when its details do not match the schema (an older or altered row), from its reason", () => {
    const row = stored(outcomeRow(outcome, null), { details: "{not json", reasonCode: "RETIRED_REASON" });
    const o = outcomeFromRow(row, "PASSWORD");
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "UNKNOWN", message: "Invalid client secret", durationMs: 400 });
    expect(o.details).toMatchObject({ method: "PASSWORD", warnings: [], notes: [], timings: { totalMs: 400 }, remediation: { action: "contact_support" } });
  });
});
