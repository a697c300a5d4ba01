// OverloadLog: what the log says while the app sheds. A shed 503 or a 504 is
// the signal of overload, and under overload there are thousands a second:
// one warn access line each halved the 503 rate here (35,550 lines, 6.6 MB in
// 3 s), so the log itself cost capacity. Those lines are capped per second;
// the rest are counted, and one line says how many were left out. Overload
// beginning and ending is one line each.

import type { Logger } from 'pino';
import type { ShedReason } from '../jobs/shedding';

/** Shed and timeout access lines written per second at most; the rest are counted. */
export const SHED_LINES_PER_SECOND = 10;

/** Overload has ended once nothing was shed for this long. */
export const OVERLOAD_QUIET_MS = 1000;

const WINDOW_MS = 1000;

export interface OverloadLogClock {
  /** performance.now(), or a test's clock. */
  now: () => number;
  /** Calls `tick` every second until the returned function is called. */
  every: (ms: number, tick: () => void) => () => void;
}

const REAL_CLOCK: OverloadLogClock = {
  now: () => performance.now(),
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    timer.unref(); // never holds a closing process open
    return () => clearInterval(timer);
  },
};

export class OverloadLog {
  private windowStart = Number.NEGATIVE_INFINITY;
  private written = 0;
  private suppressed = 0;
  /** When the current overload began; undefined while there is none. */
  private since: number | undefined;
  private lastShedAt = Number.NEGATIVE_INFINITY;
  private shedSince = 0;
  private stopTicking: (() => void) | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly linesPerSecond = SHED_LINES_PER_SECOND,
    private readonly clock: OverloadLogClock = REAL_CLOCK,
  ) {}

  /** True from the first shed after a quiet second until a quiet second passes. */
  get isOverloaded(): boolean {
    return this.since !== undefined;
  }

  /** A shed or timeout access line is due: true to write it, false if this second's lines are spent (it is counted). */
  allowLine(): boolean {
    const now = this.clock.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.reportSuppressed();
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.linesPerSecond) {
      this.written++;
      return true;
    }
    this.suppressed++;
    return false;
  }

  /** A request was shed: overload begins with the first one after a quiet second. */
  shed(reason: ShedReason): void {
    this.lastShedAt = this.clock.now();
    this.shedSince++;
    if (this.since !== undefined) return;
    this.since = this.lastShedAt;
    this.shedSince = 1;
    this.logger.warn({ reason }, 'overload: shedding began');
    this.stopTicking = this.clock.every(WINDOW_MS, () => this.tick());
  }

  /** Every second while overloaded: the count of lines left out, and whether overload has ended. */
  tick(): void {
    const now = this.clock.now();
    if (now - this.windowStart >= WINDOW_MS) this.reportSuppressed();
    if (this.since === undefined || now - this.lastShedAt < OVERLOAD_QUIET_MS) return;
    this.reportSuppressed();
    this.logger.info({ shed: this.shedSince, ms: Math.round(now - this.since) }, 'overload: shedding ended');
    this.since = undefined;
    this.stopTicking?.();
    this.stopTicking = undefined;
  }

  private reportSuppressed(): void {
    if (this.suppressed === 0) return;
    this.logger.warn(
      { suppressed: this.suppressed },
      `overload: ${this.suppressed} shed and timeout access lines left out (at most ${this.linesPerSecond} a second)`,
    );
    this.suppressed = 0;
  }
}
