// RetryAfter: how long a shed client is told to wait (`Retry-After`): the
// time the queue takes to drain at the rate jobs have lately been
// completing, so a client comes back about when there is room, instead of
// every client returning after the same second into a queue still full.
// Whole seconds (the header's unit), clamped: never 0 (a client would retry
// at once), never more than a client would reasonably wait.

/** The shortest and longest `Retry-After`, in seconds. */
export const RETRY_AFTER_MIN_SECONDS = 1;
export const RETRY_AFTER_MAX_SECONDS = 30;

/** Completions are counted over windows this long; the rate follows them with a moving average. */
const WINDOW_MS = 1000;
/** How much a new window's rate counts against the average so far. */
const NEW_WEIGHT = 0.5;

export class RetryAfter {
  private windowStart: number;
  private inWindow = 0;
  /** Completions a second; undefined until the first window closed. */
  private rate: number | undefined;

  constructor(
    /** How many jobs wait in the queue now. */
    private readonly queueDepth: () => number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.windowStart = now();
  }

  /** A job that ran finished at `now`, freeing its worker for the next in the queue. */
  completed(now: number): void {
    this.closeWindows(now);
    this.inWindow++;
  }

  /** Seconds until the queue is expected to have drained. */
  seconds(): number {
    this.closeWindows(this.now());
    const queued = this.queueDepth();
    if (this.rate === undefined) return RETRY_AFTER_MIN_SECONDS; // nothing measured yet
    if (this.rate === 0) return RETRY_AFTER_MAX_SECONDS; // nothing completes: the longest wait
    const seconds = Math.ceil(queued / this.rate);
    return Math.min(RETRY_AFTER_MAX_SECONDS, Math.max(RETRY_AFTER_MIN_SECONDS, seconds));
  }

  /**
   * Folds a window that has passed into the rate. A window stretched over
   * several with nothing queued at its end was an idle app: its rate is
   * stale, not slow, and is forgotten and measured afresh. With jobs queued,
   * little done is a slow rate.
   */
  private closeWindows(now: number): void {
    const elapsed = now - this.windowStart;
    if (elapsed < WINDOW_MS) return;
    const measured = (this.inWindow * 1000) / elapsed;
    if (elapsed >= 2 * WINDOW_MS && this.queueDepth() === 0) this.rate = undefined;
    else this.rate = this.rate === undefined ? measured : this.rate * (1 - NEW_WEIGHT) + measured * NEW_WEIGHT;
    this.windowStart = now;
    this.inWindow = 0;
  }
}
