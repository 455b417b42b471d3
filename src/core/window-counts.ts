interface Window {
  used: number;
  endsAt: number;
}

/** Whole seconds to wait for `ms` to pass, at least 1: what Retry-After says. */
export const secondsToWaitFor = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** Below this many windows, ended ones are left for their subject's next count to replace. */
const SWEEP_FLOOR = 1_024;

/**
 * Fixed-window counts per subject, kept in this process: a subject's window opens with
 * its first count and lasts `periodMs`, as in rate-limiter-flexible's memory limiter.
 * It holds no timer: an ended window is replaced by the next count of its subject, and
 * ended windows are swept out whenever the map has doubled since the last sweep (and
 * holds at least SWEEP_FLOOR), so each count costs O(1) amortized and memory stays
 * within about twice the most subjects counted in one period. (rate-limiter-flexible
 * arms a timer per window, which Node cuts to 1 ms beyond 24.8 days, so a 31-day
 * allowance would never be reached.)
 */
export class WindowCounts {
  private readonly windows = new Map<string, Window>();
  private sweepAbove = SWEEP_FLOOR;

  constructor(
    private readonly limit: number,
    private readonly periodMs: number,
  ) {}

  /** Counts one event: null while within the limit, else whole seconds (≥ 1) until the window ends. */
  count(subject: string, nowMs = Date.now()): number | null {
    let window = this.windows.get(subject);
    if (window === undefined || window.endsAt <= nowMs) {
      if (window === undefined && this.windows.size >= this.sweepAbove) this.sweep(nowMs);
      window = { used: 0, endsAt: nowMs + this.periodMs };
      this.windows.set(subject, window);
    }
    window.used++;
    return window.used > this.limit ? secondsToWaitFor(window.endsAt - nowMs) : null;
  }

  /** How many windows are kept (ended ones included until a sweep). */
  get size(): number {
    return this.windows.size;
  }

  private sweep(nowMs: number): void {
    for (const [subject, window] of this.windows)
      if (window.endsAt <= nowMs) this.windows.delete(subject);
    this.sweepAbove = Math.max(SWEEP_FLOOR, this.windows.size * 2);
  }
}
