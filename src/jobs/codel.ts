// CoDel for the job queue (controlled delay, as Meta runs it in front of its
// servers rather than as the packet-queue original): a queue that has not
// once been nearly empty for a whole interval is a standing queue, which only
// adds wait; while that holds, a job that waited more than twice the target
// is dropped as a worker reaches it (answered 503) instead of run late for a
// client that has likely given up. A short burst that drains within the
// interval is left alone. `queueTimeoutMs` stays the hard bound.
//
// Each interval, the smallest wait any job had decides the next: above the
// target, the queue is overloaded for the next interval.

import { checkPositiveFields } from '../option-fields';

/** `codel: true` for the defaults, or choose them. */
export interface CodelOptions {
  /** The wait a queue should be able to get under within an interval, in ms (default 5). */
  targetMs?: number;
  /** How long the smallest wait is watched before it decides, in ms (default 100). */
  intervalMs?: number;
}

export type ResolvedCodel = Required<CodelOptions>;

export const DEFAULT_CODEL: ResolvedCodel = { targetMs: 5, intervalMs: 100 };

export class Codel {
  private intervalEnd: number;
  private minWait = Number.POSITIVE_INFINITY;
  private overloaded = false;

  constructor(
    private readonly options: ResolvedCodel,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalEnd = now() + options.intervalMs;
  }

  /** True while the queue stands: the last interval's smallest wait was above the target. */
  get isOverloaded(): boolean {
    return this.overloaded;
  }

  /** A worker takes a job that waited `waitedMs` (0 if it never queued): true to drop it instead. */
  shouldDrop(waitedMs: number): boolean {
    const now = this.now();
    if (now >= this.intervalEnd) {
      // An interval with no job at all measured nothing: not a standing queue.
      this.overloaded = this.minWait !== Number.POSITIVE_INFINITY && this.minWait > this.options.targetMs;
      this.minWait = waitedMs;
      this.intervalEnd = now + this.options.intervalMs;
      return false; // the first job of an interval always runs
    }
    if (waitedMs < this.minWait) this.minWait = waitedMs;
    return this.overloaded && waitedMs > 2 * this.options.targetMs;
  }
}

/** Checks the `codel` option. */
export function checkCodel(value: unknown): ResolvedCodel | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { ...DEFAULT_CODEL };
  return checkPositiveFields('codel', value, DEFAULT_CODEL);
}
