// WorkerPool: N workers in front of a JobQueue, resizable at run time.
//
// A worker is not a thread, a loop or a promise: it is a slot in a counter. A
// job takes a slot when it starts and gives it back with `release()`, and the
// freed slot goes straight to the oldest queued job. So a pool of 100,000
// workers at rest costs one number, and growing or shrinking it is O(1) plus
// the jobs it lets start.

import { QueueFullError } from '../errors';
import type { JobQueue, QueueEntry } from './job-queue';
import { QueueItem } from './linked-list';
import { RETRY_AFTER_SECONDS } from './shedding';

/** A unit of work the pool can run. */
export interface PoolJob {
  /**
   * Starts the job on a worker. Must not throw. Whoever submitted the job
   * calls `pool.release()` exactly once when it is finished: the app's job
   * supervisor for requests, the pool itself for `run()`'s tasks.
   */
  run(): void;
  /** @internal Owned by the pool: the job's place in the queue while it waits there. */
  queueEntry?: QueueEntry<PoolJob> | undefined;
}

/** What `submit` did with a job. */
export type Admission = 'started' | 'queued' | 'rejected';

export interface PoolStats {
  /** The pool's size: how many jobs may run at once. */
  workers: number;
  busy: number;
  idle: number;
  queued: number;
  /** Jobs that ran and released their worker. */
  completed: number;
  /** Jobs turned away because the queue was full. */
  rejected: number;
}

export class WorkerPool {
  private workers: number;
  private busy = 0;
  private completed = 0;
  private rejected = 0;
  private draining = false;

  /**
   * @param workers how many jobs may run at once: a positive integer.
   * @param queue where jobs wait for a worker; the pool is its only consumer.
   * @example
   * const pool = new WorkerPool(8, new JobQueue<PoolJob>(100));
   * const answer = await pool.run(async () => fetchSomething());
   */
  constructor(
    workers: number,
    readonly queue: JobQueue<PoolJob>,
  ) {
    this.workers = checkSize(workers);
  }

  get size(): number {
    return this.workers;
  }

  /**
   * Grows or shrinks the pool. Growing starts queued jobs at once; shrinking
   * lets running jobs finish and starts no new one until `busy` is below `n`.
   */
  resize(n: number): void {
    this.workers = checkSize(n);
    this.drain();
  }

  /** Runs the job on a free worker, else queues it, else rejects it. */
  submit(job: PoolJob): Admission {
    if (this.busy < this.workers && this.queue.isEmpty()) {
      this.busy++;
      job.run();
      return 'started';
    }
    const entry = this.queue.offer(job);
    if (entry === undefined) {
      this.rejected++;
      return 'rejected';
    }
    job.queueEntry = entry;
    return 'queued';
  }

  /** Takes a queued job out of the queue in O(1). `false` if it is not queued. */
  cancel(job: PoolJob): boolean {
    const entry = job.queueEntry;
    if (entry === undefined) return false;
    job.queueEntry = undefined;
    return this.queue.remove(entry);
  }

  /** A running job is finished: frees its worker for the oldest queued job. */
  release(): void {
    if (this.busy === 0) throw new Error('WorkerPool.release() called with no busy worker');
    this.busy--;
    this.completed++;
    this.drain();
  }

  /**
   * Runs a function on the pool and resolves with its result; rejects with
   * `QueueFullError` when the queue is full.
   */
  run<R>(task: () => R | PromiseLike<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const job = new TaskJob(this, task, resolve, reject);
      if (this.submit(job) === 'rejected') reject(new QueueFullError(RETRY_AFTER_SECONDS));
    });
  }

  stats(): PoolStats {
    return {
      workers: this.workers,
      busy: this.busy,
      idle: Math.max(0, this.workers - this.busy),
      queued: this.queue.size,
      completed: this.completed,
      rejected: this.rejected,
    };
  }

  // Starts queued jobs while workers are free. A job that completes
  // synchronously calls release() from inside run(); the flag turns that
  // nested drain into a no-op so the loop here picks the next job instead of
  // the stack growing by one frame per queued job.
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.busy < this.workers) {
        const job = this.queue.poll();
        if (job === undefined) break;
        job.queueEntry = undefined;
        this.busy++;
        job.run();
      }
    } finally {
      this.draining = false;
    }
  }
}

class TaskJob<R> extends QueueItem implements PoolJob {
  queueEntry: QueueEntry<PoolJob> | undefined;

  constructor(
    private readonly pool: WorkerPool,
    private readonly task: () => R | PromiseLike<R>,
    private readonly resolve: (value: R) => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    super();
  }

  run(): void {
    let result: R | PromiseLike<R>;
    try {
      result = this.task();
    } catch (error) {
      this.pool.release();
      this.reject(error);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        this.pool.release();
        this.resolve(value);
      },
      (error: unknown) => {
        this.pool.release();
        this.reject(error);
      },
    );
  }
}

function checkSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`WorkerPool: workers must be a positive integer, got ${String(n)}`);
  }
  return n;
}
