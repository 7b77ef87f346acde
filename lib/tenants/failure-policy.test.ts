import { describe, expect, it } from "vitest";
import { applyCheck, consentReceived, consentRetryMs, summaryKey, type CheckResult, type CheckState, type PolicySettings } from "./failure-policy";

const settings: PolicySettings = {
  transientFailures: 3,
  transientWindowMs: 30 * 60_000,
  consentWindowMs: 300_000,
  consentBackoffMs: 5_000,
  consentBackoffMaxMs: 60_000,
};
const t0 = new Date("2026-12-06T12:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const never: CheckState = {
  lastStatus: "NEVER",
  lastStatusCode: null,
  lastStatusMessage: null,
  lastVerifiedAt: null,
  accessBreaksAt: null,
  failureStreak: 0,
  failingSince: null,
  consentConfirmingUntil: null,
};
const check = (seconds: number, status: CheckResult["status"], reasonCode: CheckResult["reasonCode"]): CheckResult => ({
  status,
  reasonCode,
  message: reasonCode,
  finishedAt: at(seconds),
  accessBreaksAt: null,
});
/** The state the writer reads back after an update. */
const asState = (u: ReturnType<typeof applyCheck>): CheckState => ({ ...u, lastStatus: String(u.lastStatus) });

describe("consent propagation in the failure policy", () => {
  it("backs off 5 s, 10 s, 20 s, 40 s, then 60 s at most", () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => consentRetryMs(n, settings))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it("a received consent shows 'confirming' for the window, first check after one backoff step", () => {
    const received = consentReceived(never, t0, settings);
    expect(received).toMatchObject({
      lastStatus: "WARNING",
      lastStatusCode: "CONSENT_CONFIRMING",
      lastStatusMessage: "Consent received — confirming",
      consentConfirmingUntil: at(300),
      nextCheckAt: at(5),
      failureStreak: 0,
    });
  });

  it("keeps confirming through 'app not in tenant', consent missing and transient answers, never scheduling past the window", () => {
    let state = asState(consentReceived(never, t0, settings));
    let next = applyCheck(state, check(1, "FAILED", "APP_NOT_IN_TENANT"), settings);
    expect(next).toMatchObject({
      lastStatusCode: "CONSENT_CONFIRMING",
      lastCheckCode: "APP_NOT_IN_TENANT",
      nextCheckAt: at(6),
      consentConfirmingUntil: at(300),
    });
    state = asState(next);
    next = applyCheck(state, check(6, "FAILED", "CONSENT_REQUIRED"), settings);
    expect(next).toMatchObject({ lastStatusCode: "CONSENT_CONFIRMING", nextCheckAt: at(16) });
    state = asState(next);
    next = applyCheck(state, check(16, "FAILED", "THROTTLED"), settings);
    expect(next).toMatchObject({ lastStatusCode: "CONSENT_CONFIRMING", nextCheckAt: at(36) });
    next = applyCheck({ ...asState(next), failureStreak: 10 }, check(290, "FAILED", "APP_NOT_IN_TENANT"), settings);
    expect(next.nextCheckAt).toEqual(at(300));
  });

  it("a working check ends it", () => {
    const state = asState(applyCheck(asState(consentReceived(never, t0, settings)), check(1, "FAILED", "APP_NOT_IN_TENANT"), settings));
    expect(applyCheck(state, check(7, "VERIFIED", "VERIFIED"), settings)).toMatchObject({
      lastStatus: "VERIFIED",
      consentConfirmingUntil: null,
      nextCheckAt: null,
      failureStreak: 0,
      lastCheckCode: null,
    });
  });

  it("fails with the real reason once the window is over, or at once for another reason, as a first permanent failure", () => {
    const state = { ...asState(consentReceived(never, t0, settings)), failureStreak: 8, failingSince: at(1) };
    expect(applyCheck(state, check(300, "FAILED", "APP_NOT_IN_TENANT"), settings)).toMatchObject({
      lastStatus: "FAILED",
      lastStatusCode: "APP_NOT_IN_TENANT",
      consentConfirmingUntil: null,
      failureStreak: 1,
      nextCheckAt: at(300 + 3600),
    });
    expect(applyCheck(state, check(20, "FAILED", "INSUFFICIENT_PERMISSIONS"), settings)).toMatchObject({
      lastStatus: "FAILED",
      lastStatusCode: "INSUFFICIENT_PERMISSIONS",
      consentConfirmingUntil: null,
    });
  });
});

describe("a run's summary key", () => {
  const cases: [string, string, CheckResult["status"], CheckResult["reasonCode"], string][] = [
    ["NEVER", "VERIFIED", "VERIFIED", "VERIFIED", "verified"],
    ["WARNING", "VERIFIED", "VERIFIED", "VERIFIED", "verified"],
    ["VERIFIED", "WARNING", "WARNING", "SECRET_EXPIRING", "verified"],
    ["FAILED", "VERIFIED", "VERIFIED", "VERIFIED", "recovered"],
    ["VERIFIED", "FAILED", "FAILED", "APP_NOT_IN_TENANT", "newlyFailed"],
    ["NEVER", "FAILED", "FAILED", "TENANT_NOT_FOUND", "newlyFailed"],
    ["FAILED", "FAILED", "FAILED", "CONSENT_REQUIRED", "stillFailing"],
    ["VERIFIED", "FAILED", "FAILED", "APP_CREDENTIAL_BLOCKED", "blocked"],
    ["FAILED", "FAILED", "FAILED", "APP_CREDENTIAL_BLOCKED", "blocked"],
    ["VERIFIED", "VERIFIED", "FAILED", "THROTTLED", "retrying"],
    ["WARNING", "WARNING", "FAILED", "APP_NOT_IN_TENANT", "retrying"],
  ];
  it.each(cases)("%s → %s (check %s, %s): %s", (before, after, status, reasonCode, key) => {
    expect(summaryKey({ lastStatus: before }, { lastStatus: after }, { status, reasonCode })).toBe(key);
  });
});
