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
//
// Adaptive LIFO (`adaptiveLifo`, Meta's pairing with CoDel): while
// overloaded, workers take the newest job, whose client is surely still
// waiting, and the jobs at the head that waited past twice the target are
// shed. A served request then waits about nothing however long the queue
// stands; the ones shed are those a FIFO queue would have served late. Waits
// taken from the tail no longer show a standing queue, so while newest-first
// the queue stands until an interval in which a take left it empty and
// nothing was shed (Meta's rule, overloaded while the queue has not been
// empty for an interval, with refusals counted: a small queue drained by a
// batch of finished jobs empties for a moment under any flood).

import { checkPositiveFields } from '../option-fields';

/** `codel: true` for the defaults, or choose them. */
export interface CodelOptions {
  /** The wait a queue should be able to get under within an interval, in ms (default 5). */
  targetMs?: number;
  /** How long the smallest wait is watched before it decides, in ms (default 100). */
  intervalMs?: number;
  /** While overloaded, serve the newest job first and shed the stale ones at the head (default false). */
  adaptiveLifo?: boolean;
}

export type ResolvedCodel = Required<CodelOptions>;

const DEFAULT_TIMES = { targetMs: 5, intervalMs: 100 };

export const DEFAULT_CODEL: ResolvedCodel = { ...DEFAULT_TIMES, adaptiveLifo: false };

export class Codel {
  private intervalEnd: number;
  private minWait = Number.POSITIVE_INFINITY;
  private tookAny = false;
  private shedWhileNewestFirst = false;
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

  /** True while the queue should be served newest first: overloaded, with `adaptiveLifo` on. */
  get servesNewestFirst(): boolean {
    return this.overloaded && this.options.adaptiveLifo;
  }

  /** True for a job, taken or still queued, that waited too long to run while the queue stands. */
  isStale(waitedMs: number): boolean {
    return this.overloaded && waitedMs > 2 * this.options.targetMs;
  }

  /** A request was shed (the queue full, or a stale job dropped): while newest first, the queue still stands. */
  shed(): void {
    if (this.servesNewestFirst) this.shedWhileNewestFirst = true;
  }

  /**
   * A worker takes a job that waited `waitedMs` (0 if it never queued): true
   * to drop it instead. `standingMs` is how long the queue has stood as this
   * take sees it, what decides overload: the job's wait in FIFO order;
   * serving newest first, 0 if the take left the queue empty, else Infinity.
   */
  shouldDrop(waitedMs: number, standingMs = waitedMs): boolean {
    const now = this.now();
    const measured = this.tookAny;
    this.tookAny = true;
    if (now >= this.intervalEnd) {
      // An interval with no job at all measured nothing: not a standing queue.
      this.overloaded = measured && (this.minWait > this.options.targetMs || this.shedWhileNewestFirst);
      this.minWait = standingMs;
      this.shedWhileNewestFirst = false;
      this.intervalEnd = now + this.options.intervalMs;
      return false; // the first job of an interval always runs
    }
    if (standingMs < this.minWait) this.minWait = standingMs;
    return this.isStale(waitedMs);
  }
}

/** Checks the `codel` option. */
export function checkCodel(value: unknown): ResolvedCodel | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { ...DEFAULT_CODEL };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('Option "codel" must be a boolean or an object: { targetMs, intervalMs, adaptiveLifo }');
  }
  const { adaptiveLifo = false, ...times } = value as Record<string, unknown>;
  if (typeof adaptiveLifo !== 'boolean') {
    throw new TypeError(`Option "codel.adaptiveLifo" must be a boolean, got ${String(adaptiveLifo)}`);
  }
  return { ...checkPositiveFields('codel', times, DEFAULT_TIMES), adaptiveLifo };
}
