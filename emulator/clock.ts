/**
 * The emulator's notion of "now": real time plus an offset. Token lifetimes, secret expiry, code expiry
 * and refresh-token inactivity all read it, so tests move time with advance() instead of sleeping.
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

  advance(seconds: number): number {
    this.offsetMs += Math.round(seconds * 1000);
    return this.now();
  }

  offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  resetOffset(): void {
    this.offsetMs = 0;
  }
}
