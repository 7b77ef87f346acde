import { describe, expect, it } from "vitest";
import { etaSeconds, formatEta, MIN_SAMPLE_GAP_MS, nextRate, type RateEstimate } from "./eta";

/** Feeds samples of a run that does `perSecond(t)` items per second, polled every `everyMs`, for `forMs`. */
function simulate(perSecond: (tMs: number) => number, everyMs: number, forMs: number, start: RateEstimate | null = null, from = 0) {
  let est = start;
  let done = start?.done ?? 0;
  for (let t = from + everyMs; t <= from + forMs; t += everyMs) {
    done += (perSecond(t) * everyMs) / 1000;
    est = nextRate(est, { t, done }, 0);
  }
  return est!;
}

describe("run rate and ETA", () => {
  it("starts from the run's average since its start", () => {
    expect(nextRate(null, { t: 10_000, done: 50 }, 0).rate).toBe(5);
    expect(nextRate(null, { t: 0, done: 0 }, 0).rate).toBe(0);
  });

  it("converges on a steady pace, whatever the polling interval", () => {
    for (const every of [600, 1000, 5000]) {
      const est = simulate(() => 20, every, 120_000);
      expect(est.rate).toBeCloseTo(20, 1);
    }
  });

  it("follows a change of pace within a few time constants instead of sticking to the first rate", () => {
    // A burst of fast failures (200/s for 5 s), then the real pace (10/s) for a minute.
    const burst = simulate(() => 200, 1000, 5_000);
    expect(burst.rate).toBeGreaterThan(100);
    const later = simulate(() => 10, 1000, 60_000, burst, 5_000);
    expect(later.rate).toBeGreaterThan(9);
    expect(later.rate).toBeLessThan(15);
    // 6,000 remaining at ~10/s: about ten minutes, not "1 s".
    const eta = etaSeconds(6_000, later.rate)!;
    expect(eta).toBeGreaterThan(400);
    expect(eta).toBeLessThan(700);
  });

  it("lets the ETA grow while the run stalls", () => {
    const steady = simulate(() => 50, 1000, 30_000);
    const stalled = simulate(() => 0, 1000, 30_000, steady, 30_000);
    expect(stalled.rate).toBeLessThan(steady.rate / 4);
    expect(etaSeconds(1000, stalled.rate)!).toBeGreaterThan(etaSeconds(1000, steady.rate)! * 4);
  });

  it("ignores samples closer than the minimum gap, so a burst of polls does not overweight one batch", () => {
    const est = nextRate(null, { t: 10_000, done: 100 }, 0);
    expect(nextRate(est, { t: 10_000 + MIN_SAMPLE_GAP_MS - 1, done: 300 }, 0)).toBe(est);
  });

  it("ETA: null without a rate, 0 when nothing remains, whole seconds rounded up", () => {
    expect(etaSeconds(10, 0)).toBeNull();
    expect(etaSeconds(0, 0)).toBe(0);
    expect(etaSeconds(10, 3)).toBe(4);
  });

  it("formats an ETA for people", () => {
    expect(formatEta(null)).toBe("estimating…");
    expect(formatEta(45)).toBe("45 s");
    expect(formatEta(200)).toBe("3 min 20 s");
    expect(formatEta(7_500)).toBe("2 h 5 min");
  });
});
