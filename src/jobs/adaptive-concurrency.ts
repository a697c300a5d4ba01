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
// - but running fewer jobs relieves the loop only of the jobs' own work: a
//   503 costs it as much as a 200 of a handler that only waits. So the loop's
//   delay counts only while the jobs hold the loop: their timed starts take
//   MATERIAL_CPU_SHARE of it, or it spends COSTLY_ANSWER_MS or more per
//   answer (CPU a handler spends after an await shows there). And a loop
//   busy past BUSY_LOOP with other work resumes every job late, so then the
//   run times do not count either. Without this, 1,600 pipelined requests to
//   a 5 ms wait shrank the pool to a fraction of them and shed the rest,
//   each 503 costing what the 200 would have;
// - gradient = min(TOLERANCE × baseline ÷ run time, LOOP_TARGET_MS ÷ loop
//   delay), clamped to [0.5, 1]. Below 1 the limit is multiplied by it: a
//   congested pool shrinks fast, at most by half a window.
// - At 1, a pool that used its limit grows: doubling until the first
//   congestion (slow start), then by √limit a window, so it probes gently
//   near its ceiling.
// - A request that meets a full queue while the last window was not congested
//   grows the limit at once (`needMore`): a burst such as pipelined clients'
//   is served instead of shed while the machine has room. In slow start it
//   doubles on every such request; after it, a √limit step. While the jobs
//   hold a busy loop that step is taken once a window, so the next window
//   judges it: under a retry flood the queue is always full, and doubling on
//   every such request made the limit swing between the knee and twice the
//   knee (13 to 41 on the bench's CPU-bound route), and the run time with it.
//   Otherwise every such request takes one: more jobs waiting on I/O cost
//   the loop nothing.
// - A window whose jobs run in under half the baseline means the work changed
//   (a faster route took over, say): what congestion taught is stale, so
//   slow start begins again.

import { checkPositiveFields } from '../option-fields';
import type { LoopDelayWindow } from '../observe/loop-delay';
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
/** The share of the loop the jobs' synchronous parts must take before its delay is theirs to relieve. */
export const MATERIAL_CPU_SHARE = 0.25;
/** Loop time per answer (run or refused, ms) past which the jobs are what keeps it busy: ~10× what a 503 costs. */
export const COSTLY_ANSWER_MS = 0.25;
/** The loop's busy share past which run times are its doing rather than the jobs'. */
export const BUSY_LOOP = 0.8;

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
  /** The share of the last window the loop was busy (0 to 1). */
  loopBusy: number;
  /** The share of the last window the jobs' starts held the loop (0 to 1). */
  jobsCpuShare: number;
}

export class AdaptiveConcurrency {
  private current: number;
  private slowStart = true;
  private congested = false;
  private grewOnDemand = false;
  private windowStart: number;
  private samples = 0;
  private runTotal = 0;
  private cpuTotal = 0;
  private refusals = 0;
  private peakInFlight = 0;
  private baseline = Number.POSITIVE_INFINITY;
  /** The last window's readings, rounded, for `stats()`. */
  private lastWindow: Pick<ConcurrencyStats, 'runMs' | 'loopDelayMs' | 'loopBusy' | 'jobsCpuShare'> = {
    runMs: 0,
    loopDelayMs: 0,
    loopBusy: 0,
    jobsCpuShare: 0,
  };
  private jobsHoldTheLoop = false;

  /**
   * @param pool the pool it sizes.
   * @param loopDelay the event loop since the last call (its p99 delay, ms, and how busy it was); it starts a new measure.
   * @param now the clock (performance.now() unless a test drives it).
   */
  constructor(
    private readonly bounds: ResolvedAdaptiveWorkers,
    private readonly pool: Pick<WorkerPool, 'resize' | 'inFlight'>,
    private readonly loopDelay: () => Pick<LoopDelayWindow, 'p99Ms' | 'busy'>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.current = bounds.min;
    this.windowStart = now();
    pool.resize(this.current);
  }

  get limit(): number {
    return this.current;
  }

  /** A job ran for `runMs`, its start holding the thread for `cpuMs`, and is about to give its worker back. */
  ran(runMs: number, cpuMs: number): void {
    this.samples++;
    this.runTotal += runMs;
    this.cpuTotal += cpuMs;
    const inFlight = this.pool.inFlight;
    if (inFlight > this.peakInFlight) this.peakInFlight = inFlight;
    const now = this.now();
    if (this.samples >= WINDOW_SAMPLES && now - this.windowStart >= WINDOW_MS) this.decide(now);
  }

  /** A request was answered 503 without running: it cost the loop an answer, too. */
  refused(): void {
    this.refusals++;
  }

  /**
   * A request met a full queue: true if the limit grew for it (the last
   * window saw no congestion, it is below `max`, and, once the limit has
   * met congestion while the jobs hold a busy loop, it did not grow this
   * way in this window yet).
   */
  needMore(): boolean {
    if (this.congested || this.current >= this.bounds.max) return false;
    // Jobs that keep the loop busy take one step a window, so the next window
    // judges it; otherwise every request that finds the queue full takes one
    // (a pipelined burst): more jobs waiting cost the loop nothing.
    if (this.grewOnDemand && !this.slowStart && this.jobsHoldTheLoop) return false;
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
      baselineMs,
      ...this.lastWindow,
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
    const loop = this.loopDelay();
    const loopDelayMs = loop.p99Ms;
    // Only a loop the jobs themselves keep busy is relieved by running fewer:
    // when HTTP work loads it, a 503 costs as much as a 200. The jobs' starts
    // are timed; what they run after an await is not, but it shows as loop
    // time per answer far above what an answer itself costs.
    const cpuShare = this.cpuTotal / Math.max(elapsed, Number.EPSILON);
    const msPerAnswer = (loop.busy * elapsed) / (this.samples + this.refusals);
    const loopIsTheJobs = cpuShare >= MATERIAL_CPU_SHARE || msPerAnswer >= COSTLY_ANSWER_MS;
    // A loop kept busy by other work resumes every job late: run times then say nothing of what the jobs wait for.
    const runsTell = loopIsTheJobs || loop.busy < BUSY_LOOP;
    const byRun = runsTell ? (TOLERANCE * this.baseline) / Math.max(runMs, Number.EPSILON) : 1;
    const byLoop = loopIsTheJobs ? LOOP_TARGET_MS / Math.max(loopDelayMs, Number.EPSILON) : 1;
    const gradient = Math.max(MIN_GRADIENT, Math.min(1, byRun, byLoop));
    this.congested = gradient < 1;
    if (this.congested) {
      this.slowStart = false;
      this.set(Math.floor(this.current * gradient));
    } else if (saturated && (this.slowStart || !this.grewOnDemand)) {
      // Only a pool that used its whole limit learned it could take more; past slow start, one step a window.
      this.grow();
    }
    this.lastWindow = {
      runMs: round(runMs),
      loopDelayMs: round(loopDelayMs),
      loopBusy: round(loop.busy),
      jobsCpuShare: round(cpuShare),
    };
    this.jobsHoldTheLoop = loopIsTheJobs && loop.busy >= BUSY_LOOP;
    this.windowStart = now;
    this.samples = 0;
    this.runTotal = 0;
    this.cpuTotal = 0;
    this.refusals = 0;
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
