// WorkerPool: N workers in front of a JobQueue, resizable at run time.
//
// A worker is not a thread, a loop or a promise: it is a slot in a counter. A
// job takes a slot when it starts and gives it back with `release()`, and the
// freed slot goes straight to the oldest queued job. So a pool of 100,000
// workers at rest costs one number, and growing or shrinking it is O(1) plus
// the jobs it lets start.
//
// `run()` is also called from inside jobs: a handler that awaits
// `pool.run(task)` holds a worker while its task waits for one, so once every
// worker is held that way, nothing frees one (workers 1, two requests: both
// time out). Two rules keep that from deadlocking:
// - a task asked for while a job of this pool is starting (a handler's code up
//   to its first `await`) runs at once on that job's worker: its caller holds
//   the worker and waits for the task, so the task takes the caller's place
//   rather than a second one;
// - a task asked for later (after an `await`, where the pool cannot tell who
//   asks) queues as any job does. If it waits `stallMs` with every worker busy
//   and not one freed, the pool is stuck or as good as stuck, and the oldest
//   such task starts beyond the pool's size, and `onStall` hears of it.
//   Requests never start beyond the size: only run() tasks do, and
//   only while nothing else moves.

import { QueueFullError } from '../errors';
import type { JobQueue, QueueEntry } from './job-queue';
import { RETRY_AFTER_SECONDS } from './shedding';
import { TaskJob, type TaskHost } from './task-job';

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

/** A run() task that started beyond the pool's size because nothing else could move. */
export interface PoolStall {
  /** It waited at least this long (`stallMs`) with every worker busy and none freed. */
  waitedMs: number;
  workers: number;
  busy: number;
  /** run() tasks still queued after it started. */
  queuedTasks: number;
}

export interface WorkerPoolOptions {
  /**
   * How long a queued run() task may wait, with every worker busy and none
   * freed, before it starts beyond the pool's size. Default 100; `0` never.
   */
  stallMs?: number;
  /** Told each time a task starts that way. */
  onStall?: (stall: PoolStall) => void;
}

const DEFAULT_STALL_MS = 100;

// A task run on its caller's worker took none, so it gives none back.
const CALLERS_WORKER: TaskHost = { release() {} };

export class WorkerPool {
  private workers: number;
  private busy = 0;
  private completed = 0;
  private rejected = 0;
  private draining = false;
  // > 0 while a job's run() is on the stack: see the header on run().
  private starting = 0;
  private readonly stallMs: number;
  private readonly onStall: ((stall: PoolStall) => void) | undefined;
  private stallTimer: NodeJS.Timeout | undefined = undefined;
  // Releases counted when the stall timer was armed; tasks started past the
  // size give theirs back without counting, so they never look like progress.
  private releasesAtArm = 0;
  private overflowReleases = 0;
  private readonly overflowHost: TaskHost = {
    release: () => {
      this.overflowReleases++;
      this.release();
    },
  };

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
    options: WorkerPoolOptions = {},
  ) {
    this.workers = checkSize(workers);
    const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    if (!Number.isSafeInteger(stallMs) || stallMs < 0) {
      throw new RangeError(`WorkerPool: stallMs must be a non-negative integer, got ${String(stallMs)}`);
    }
    this.stallMs = stallMs;
    this.onStall = options.onStall;
  }

  get size(): number {
    return this.workers;
  }

  /** How many jobs run now. */
  get inFlight(): number {
    return this.busy;
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
      this.startJob(job);
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
   * `QueueFullError` when the queue is full. Called while one of this pool's
   * jobs starts (a handler, up to its first `await`), it runs at once on that
   * job's worker; see the header of this file.
   */
  run<R>(task: () => R | PromiseLike<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.starting > 0) {
        new TaskJob(CALLERS_WORKER, task, resolve, reject).run();
        return;
      }
      const admission = this.submit(new TaskJob(this, task, resolve, reject));
      if (admission === 'rejected') reject(new QueueFullError(RETRY_AFTER_SECONDS));
      else if (admission === 'queued') this.watchForStall();
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
        this.startJob(job);
      }
    } finally {
      this.draining = false;
    }
  }

  private startJob(job: PoolJob): void {
    this.starting++;
    try {
      job.run();
    } finally {
      this.starting--;
    }
  }

  private watchForStall(): void {
    if (this.stallTimer !== undefined || this.stallMs === 0) return;
    this.releasesAtArm = this.completed - this.overflowReleases;
    // Not unref'd: it runs only while a task waits, and a stuck pool should
    // not let the process exit with that task's promise pending.
    this.stallTimer = setTimeout(() => this.checkStall(), this.stallMs);
  }

  private checkStall(): void {
    this.stallTimer = undefined;
    const task = this.oldestQueuedTask();
    if (task === undefined) return;
    const moved = this.completed - this.overflowReleases !== this.releasesAtArm;
    if (!moved && this.busy >= this.workers) {
      this.cancel(task);
      this.busy++;
      task.host = this.overflowHost;
      const queuedTasks = this.queuedTaskCount();
      this.onStall?.({ waitedMs: this.stallMs, workers: this.workers, busy: this.busy, queuedTasks });
      this.startJob(task);
    }
    if (this.oldestQueuedTask() !== undefined) this.watchForStall();
  }

  private oldestQueuedTask(): TaskJob<unknown> | undefined {
    for (const job of this.queue) if (job instanceof TaskJob) return job as TaskJob<unknown>;
    return undefined;
  }

  private queuedTaskCount(): number {
    let count = 0;
    for (const job of this.queue) if (job instanceof TaskJob) count++;
    return count;
  }
}

function checkSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`WorkerPool: workers must be a positive integer, got ${String(n)}`);
  }
  return n;
}
