// StatusSampler: takes the figures once per tick, whoever watches (a second
// viewer costs nothing more than one), and keeps the last few minutes of
// frames so a new viewer gets its history at once.
//
// A frame is one tick of every process the page shows: this one alone, or in
// a cluster this one and the latest the primary relayed from the others.

import { LoopDelay } from '../observe/loop-delay';
import { SampleRing } from './sample-ring';
import { totalsOf, type SampledStats, type StatusSample, type Totals } from './status-sample';

/** One tick; the page's charts move one step per frame. */
export const TICK_MS = 1000;
/** Five minutes of 1 s ticks. */
export const RING_SIZE = 300;

export interface StatusFrame {
  time: number;
  /** One sample per process, this one first. */
  processes: StatusSample[];
}

/** Where the sampler's figures come from, and where a cluster's other processes come in. */
export interface SamplerSource {
  stats(): SampledStats;
  /** The other processes' latest samples (none outside a cluster). */
  others?(): StatusSample[];
  /** Hands this process's sample to the others (a cluster's primary). */
  share?(sample: StatusSample): void;
  /** The sampler stopped. */
  stop?(): void;
}

export class StatusSampler {
  readonly ring = new SampleRing<StatusFrame>(RING_SIZE);
  private readonly listeners = new Set<(id: number, frame: StatusFrame) => void>();
  private readonly loop = new LoopDelay();
  private readonly timer: NodeJS.Timeout;
  private last: Totals;

  constructor(
    private readonly source: SamplerSource,
    tickMs = TICK_MS,
  ) {
    // Bootstrap's figures are all zero: the first tick counts from there.
    this.last = { ok: 0, clientError: 0, serverError: 0, shed: 0 };
    // Unref'd: the page never holds the process open.
    this.timer = setInterval(() => this.tick(), tickMs).unref();
  }

  /** Calls `listener` with every frame from now on; returns the call that stops it. */
  onFrame(listener: (id: number, frame: StatusFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the timer and the event-loop histogram. */
  stop(): void {
    clearInterval(this.timer);
    this.loop.stop();
    this.listeners.clear();
    this.source.stop?.();
  }

  /** Takes one sample now; the timer calls it every tick, tests may call it directly. */
  tick(): void {
    const sample = this.sample();
    this.source.share?.(sample);
    const frame: StatusFrame = { time: sample.time, processes: [sample, ...(this.source.others?.() ?? [])] };
    const id = this.ring.push(frame);
    for (const listener of this.listeners) listener(id, frame);
  }

  private sample(): StatusSample {
    const stats = this.source.stats();
    const totals = totalsOf(stats);
    const last = this.last;
    this.last = totals;
    const loop = this.loop.take();
    return {
      time: Date.now(),
      pid: stats.pid,
      ok: totals.ok - last.ok,
      clientError: totals.clientError - last.clientError,
      serverError: totals.serverError - last.serverError,
      shed: totals.shed - last.shed,
      queued: stats.queued,
      queueWaitP50: stats.queueWait.p50,
      queueWaitP99: stats.queueWait.p99,
      workers: stats.workers,
      busy: stats.busy,
      ...limitOf(stats),
      ...(stats.threads === undefined
        ? {}
        : { threads: stats.threads.threads, busyThreads: stats.threads.busyThreads }),
      loopDelayP99: round(loop.p99Ms),
      loopDelayMax: round(loop.maxMs),
      heapUsed: process.memoryUsage().heapUsed,
    };
  }
}

/** The adaptive limit (`workers: 'auto'`); nothing without one. */
function limitOf(stats: SampledStats): { limit?: number } {
  return stats.concurrency === undefined ? {} : { limit: stats.concurrency.limit };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
