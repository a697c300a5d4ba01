// AdaptiveConcurrency: `workers: 'auto'` — the pool's size follows what the
// jobs' run times and the event loop say, between `min` and `max`.
//
// A gradient limit, after Netflix's concurrency-limits and Envoy's adaptive
// concurrency, fitted to one event loop:
// - every window (at least WINDOW_SAMPLES completed jobs and WINDOW_MS) the
//   jobs' mean run time is compared with a baseline: the smallest window mean
//   seen, which forgets slowly (BASELINE_MEMORY_MS, ten times slower while
//   the pool is used up, since then the jobs slow each other) so a handler
//   that really got slower becomes the new normal instead of shrinking the
//   pool forever;
// - the event loop's delay over the window is compared with LOOP_TARGET_MS: a
//   loop that cannot keep up slows every job, also the ones not measured here
//   (parsing, 503s, static files);
// - gradient = min(TOLERANCE × baseline ÷ run time, LOOP_TARGET_MS ÷ loop
//   delay), clamped to [0.5, 1]. Below 1 the limit is multiplied by it: a
//   congested pool shrinks fast, at most by half a window.
// - At 1, a pool that used its limit grows: doubling until the first
//   congestion (slow start), then by √limit a window, so it probes gently
//   near its ceiling.
// - A request that meets a full queue while the last window was not congested
//   grows the limit at once (`needMore`): a burst such as pipelined clients'
//   is served instead of shed while the machine has room. In slow start it
//   doubles on every such request; after it, it takes the same √limit step,
//   once a window, so the next window judges it. Doubling there made the
//   limit swing between the knee and twice the knee under a retry flood (13
//   to 41 on the bench's CPU-bound route), and the run time with it.
// - A window whose jobs run in under half the baseline means the work changed
//   (a faster route took over, say): what congestion taught is stale, so
//   slow start begins again.

import { checkPositiveFields } from '../option-fields';
import type { WorkerPool } from './worker-pool';

/** `workers: { min, max }`: the bounds the adaptive pool size stays within. */
export interface AdaptiveWorkersOptions {
  /** The fewest jobs that may run at once (default 4); also where the pool starts. */
  min?: number;
  /** The most jobs that may run at once (default 10,000). */
  max?: number;
}

export type ResolvedAdaptiveWorkers = Required<AdaptiveWorkersOptions>;

export const DEFAULT_ADAPTIVE_WORKERS: ResolvedAdaptiveWorkers = { min: 4, max: 10_000 };

/** Completed jobs and time a window needs before it decides. */
export const WINDOW_SAMPLES = 16;
export const WINDOW_MS = 50;
/** How much slower than the baseline the jobs may run before the limit shrinks. */
export const TOLERANCE = 1.25;
/** The event-loop delay (p99 over a window, ms) past which the limit shrinks. */
export const LOOP_TARGET_MS = 30;
/** The baseline closes this fraction of its gap to a slower window mean per ms: it forgets over ~30 s. */
const BASELINE_MEMORY_MS = 30_000;
const MIN_GRADIENT = 0.5;

/** What the limiter saw in its last window, for `app.stats()`. */
export interface ConcurrencyStats {
  /** The pool's size now. */
  limit: number;
  min: number;
  max: number;
  /** The last window's mean run time, in ms. */
  runMs: number;
  /** The smallest window mean, forgetting slowly, in ms. */
  baselineMs: number;
  /** The event loop's p99 delay over the last window, in ms. */
  loopDelayMs: number;
}

export class AdaptiveConcurrency {
  private current: number;
  private slowStart = true;
  private congested = false;
  private grewOnDemand = false;
  private windowStart: number;
  private samples = 0;
  private runTotal = 0;
  private peakInFlight = 0;
  private baseline = Number.POSITIVE_INFINITY;
  private lastRunMs = 0;
  private lastLoopDelayMs = 0;

  /**
   * @param pool the pool it sizes.
   * @param loopDelayMs the event loop's delay since the last call (p99, ms); it starts a new measure.
   * @param now the clock (performance.now() unless a test drives it).
   */
  constructor(
    private readonly bounds: ResolvedAdaptiveWorkers,
    private readonly pool: Pick<WorkerPool, 'resize' | 'inFlight'>,
    private readonly loopDelayMs: () => number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.current = bounds.min;
    this.windowStart = now();
    pool.resize(this.current);
  }

  get limit(): number {
    return this.current;
  }

  /** A job ran for `runMs` and is about to give its worker back. */
  ran(runMs: number): void {
    this.samples++;
    this.runTotal += runMs;
    const inFlight = this.pool.inFlight;
    if (inFlight > this.peakInFlight) this.peakInFlight = inFlight;
    const now = this.now();
    if (this.samples >= WINDOW_SAMPLES && now - this.windowStart >= WINDOW_MS) this.decide(now);
  }

  /**
   * A request met a full queue: true if the limit grew for it (the last
   * window saw no congestion, it is below `max`, and, once the limit has
   * met congestion, it did not grow this way in this window yet).
   */
  needMore(): boolean {
    if (this.congested || this.current >= this.bounds.max) return false;
    if (this.grewOnDemand && !this.slowStart) return false;
    this.grewOnDemand = true;
    this.grow();
    return true;
  }

  stats(): ConcurrencyStats {
    const { min, max } = this.bounds;
    const baselineMs = Number.isFinite(this.baseline) ? round(this.baseline) : 0;
    return {
      limit: this.current,
      min,
      max,
      runMs: round(this.lastRunMs),
      baselineMs,
      loopDelayMs: this.lastLoopDelayMs,
    };
  }

  private decide(now: number): void {
    const runMs = this.runTotal / this.samples;
    const elapsed = now - this.windowStart;
    // Run times of a pool that used its whole limit are partly its own doing
    // (the jobs slow each other down): they teach the baseline ten times slower.
    const saturated = this.peakInFlight >= this.current;
    if (runMs < this.baseline / 2) this.slowStart = true;
    const memoryMs = saturated ? BASELINE_MEMORY_MS * 10 : BASELINE_MEMORY_MS;
    if (runMs < this.baseline) this.baseline = runMs;
    else this.baseline += (runMs - this.baseline) * Math.min(1, elapsed / memoryMs);
    const loopDelayMs = this.loopDelayMs();
    const byRun = (TOLERANCE * this.baseline) / Math.max(runMs, Number.EPSILON);
    const byLoop = LOOP_TARGET_MS / Math.max(loopDelayMs, Number.EPSILON);
    const gradient = Math.max(MIN_GRADIENT, Math.min(1, byRun, byLoop));
    this.congested = gradient < 1;
    if (this.congested) {
      this.slowStart = false;
      this.set(Math.floor(this.current * gradient));
    } else if (saturated && (this.slowStart || !this.grewOnDemand)) {
      // Only a pool that used its whole limit learned it could take more; past slow start, one step a window.
      this.grow();
    }
    this.lastRunMs = runMs;
    this.lastLoopDelayMs = round(loopDelayMs);
    this.windowStart = now;
    this.samples = 0;
    this.runTotal = 0;
    this.peakInFlight = 0;
    this.grewOnDemand = false;
  }

  /** One growth step: double in slow start, else √limit. */
  private grow(): void {
    this.set(this.slowStart ? this.current * 2 : this.current + Math.ceil(Math.sqrt(this.current)));
  }

  private set(limit: number): void {
    const bounded = Math.min(this.bounds.max, Math.max(this.bounds.min, limit));
    if (bounded === this.current) return;
    this.current = bounded;
    this.pool.resize(bounded);
  }
}

/** Checks `workers`: a positive integer, `'auto'`, or `{ min, max }`; undefined for a fixed size. */
export function checkAdaptiveWorkers(value: unknown): ResolvedAdaptiveWorkers | undefined {
  if (value === 'auto') return { ...DEFAULT_ADAPTIVE_WORKERS };
  if (value === null || typeof value !== 'object') return undefined;
  const bounds = checkPositiveFields('workers', value, DEFAULT_ADAPTIVE_WORKERS);
  if (bounds.min > bounds.max) {
    throw new RangeError(`Option "workers": min (${bounds.min}) must not exceed max (${bounds.max})`);
  }
  return bounds;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
