/**
 * The emulator's notion of "now": real time plus an offset. Token lifetimes, secret expiry, code expiry
 * and refresh-token inactivity all read it, so tests move time with advance() instead of sleeping. The
 * offset may be negative: tokens minted in the past are expired for a verifier on real time.
 */
export class EmulatorClock {
  private offsetMs: number;

  constructor(options: { offsetMs?: number } = {}) {
    this.offsetMs = options.offsetMs ?? 0;
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Negative seconds move the clock back, e.g. to mint tokens that are already expired in real time. */
  advance(seconds: number): number {
    this.offsetMs += Math.round(seconds * 1000);
    return this.now();
  }

  /** Jumps to an absolute instant (ms since the epoch); later reads keep running from there. */
  setNow(ms: number): number {
    this.offsetMs = Math.round(ms) - Date.now();
    return this.now();
  }

  setOffsetSeconds(seconds: number): number {
    this.offsetMs = Math.round(seconds * 1000);
    return this.now();
  }

  offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  resetOffset(): void {
    this.offsetMs = 0;
  }
}
