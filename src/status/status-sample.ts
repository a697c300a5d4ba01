// StatusSample: one process's figures for one tick, as the page draws them.
// Taken from the same figures as app.stats(); counts are per tick, levels
// are as the tick found them.

/** The figures the sampler reads each tick: the part of app.stats() the page draws. */
export interface SampledStats {
  pid: number;
  workers: number;
  busy: number;
  queued: number;
  /** With `workers: 'auto'`: the adaptive limit. */
  concurrency?: { limit: number };
  responses: Record<string, number>;
  shed: Record<string, number>;
  queueWait: { p50: number; p99: number };
  threads?: { threads: number; busyThreads: number };
}

export interface StatusSample {
  /** Wall-clock time of the tick (ms since the epoch). */
  time: number;
  pid: number;
  /** Answers in this tick by class; `shed` are the 503s given without their work (not in `5xx`). */
  ok: number;
  clientError: number;
  serverError: number;
  shed: number;
  queued: number;
  queueWaitP50: number;
  queueWaitP99: number;
  workers: number;
  busy: number;
  limit?: number;
  threads?: number;
  busyThreads?: number;
  /** Event-loop delay over the tick, in ms. */
  loopDelayP99: number;
  loopDelayMax: number;
  heapUsed: number;
}

/** Answers by class since the start; the sampler keeps the last ones to give per-tick deltas. */
export interface Totals {
  ok: number;
  clientError: number;
  serverError: number;
  shed: number;
}

export function totalsOf(stats: SampledStats): Totals {
  const totals: Totals = { ok: 0, clientError: 0, serverError: 0, shed: 0 };
  for (const [status, count] of Object.entries(stats.responses)) {
    const code = Number(status);
    if (code >= 500) totals.serverError += count;
    else if (code >= 400) totals.clientError += count;
    else totals.ok += count;
  }
  for (const count of Object.values(stats.shed)) totals.shed += count;
  // Shed 503s are among the responses too: count them once, as shed.
  totals.serverError = Math.max(0, totals.serverError - totals.shed);
  return totals;
}
