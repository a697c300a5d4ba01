// RecentWaits: how long jobs lately waited for a worker, as p50 and p99 over
// the last 10 s (at most the last 1,024 jobs), for `app.stats()`. /metrics has
// the whole histogram; this answers "is the queue the limit right now?"
// without Prometheus. Recording is two array writes; the quantiles are sorted
// only when asked for.

const CAPACITY = 1024;
const WINDOW_MS = 10_000;

/** Queue waits of the jobs started in the last 10 s, in ms; zeros when none. */
export interface RecentWaitStats {
  p50: number;
  p99: number;
  /** How many jobs the figures are over. */
  jobs: number;
}

export class RecentWaits {
  private readonly waits = new Float64Array(CAPACITY);
  private readonly times = new Float64Array(CAPACITY);
  private next = 0;
  private filled = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A job started after waiting `ms`. */
  record(ms: number): void {
    this.waits[this.next] = ms;
    this.times[this.next] = this.now();
    this.next = (this.next + 1) % CAPACITY;
    if (this.filled < CAPACITY) this.filled++;
  }

  stats(): RecentWaitStats {
    const since = this.now() - WINDOW_MS;
    const recent: number[] = [];
    for (let i = 0; i < this.filled; i++) if ((this.times[i] as number) >= since) recent.push(this.waits[i] as number);
    if (recent.length === 0) return { p50: 0, p99: 0, jobs: 0 };
    recent.sort((a, b) => a - b);
    const at = (q: number): number =>
      round(recent[Math.min(recent.length - 1, Math.floor(q * recent.length))] as number);
    return { p50: at(0.5), p99: at(0.99), jobs: recent.length };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
