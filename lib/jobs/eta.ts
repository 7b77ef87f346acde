/**
 * A run's rate and ETA from how its done count moves: each new sample's rate (items over the time since
 * the previous sample) is blended into the estimate with a weight that grows with the time it covers
 * (an exponential moving average with a time constant, so polling often or seldom gives the same
 * estimate), and the first estimate is the run's average since its start. The ETA is the remaining items
 * at that rate: it follows the run's real pace (a burst of fast failures does not pin it near zero, a
 * stall lets it grow) instead of a rate fixed at one moment. Pure: lib/jobs/progress.ts keeps the state.
 */

/** How fast the estimate follows a change of pace: about 63% of the way in this long. */
export const RATE_TIME_CONSTANT_MS = 15_000;
/** Samples closer together than this add nothing (a burst of polls would weigh a single batch too much). */
export const MIN_SAMPLE_GAP_MS = 500;

export type RateEstimate = { t: number; done: number; rate: number };

/** The next estimate after seeing `done` items at time `t` (ms) for a run started at `startedAt` (ms). */
export function nextRate(prev: RateEstimate | null, sample: { t: number; done: number }, startedAt: number): RateEstimate {
  if (!prev) {
    const elapsed = sample.t - startedAt;
    return { t: sample.t, done: sample.done, rate: elapsed > 0 ? sample.done / (elapsed / 1000) : 0 };
  }
  const dt = sample.t - prev.t;
  if (dt < MIN_SAMPLE_GAP_MS) return prev;
  const instant = Math.max(0, sample.done - prev.done) / (dt / 1000);
  const weight = 1 - Math.exp(-dt / RATE_TIME_CONSTANT_MS);
  return { t: sample.t, done: sample.done, rate: prev.rate + weight * (instant - prev.rate) };
}

/** Seconds until `remaining` items are done at `rate` per second: null while no rate is known, 0 when nothing remains. */
export function etaSeconds(remaining: number, rate: number): number | null {
  if (remaining <= 0) return 0;
  if (!(rate > 0)) return null;
  return Math.ceil(remaining / rate);
}

/** An ETA for people: "estimating…", "45 s", "3 min 20 s", "2 h 5 min". */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return "estimating…";
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min ${seconds % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
