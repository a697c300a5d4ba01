// FakePool: a WorkerPool a test drives by hand. It records every job the app
// gives it and starts none until told to, so a test can hold the only worker
// busy and watch the next request queue, be shed or time out, without sleeps.
//
//   submit ──► queued (held) ──start()──► running ──release()──► done
//      └────► rejected, once `queueSize` jobs are held (the app answers 503)

import { JobQueue, type QueueEntry } from '../jobs/job-queue';
import { WorkerPool, type Admission, type PoolJob, type PoolStats } from '../jobs/worker-pool';

export interface FakePoolOptions {
  /** How many jobs may be held before the next is rejected (default 100). */
  queueSize?: number;
  /**
   * Start jobs as they come while fewer than this many run, as a real pool of
   * this size would (default 0: every job is held until `start()`).
   */
  autoStart?: number;
}

/** What the fake pool knows of one job it was given. */
export interface FakeJob {
  readonly job: PoolJob;
  /** The request behind the job (`'GET /users/1'`), or undefined for a `run()` task. */
  readonly request: string | undefined;
  state: 'queued' | 'running' | 'done' | 'cancelled' | 'rejected';
}

interface Waiter {
  count: number;
  resolve(): void;
}

export class FakePool extends WorkerPool {
  /** Every job submitted, oldest first, with what became of it. */
  readonly jobs: FakeJob[] = [];
  private readonly autoStart: number;
  private readonly held: JobQueue<FakeJob>;
  private readonly entries = new Map<PoolJob, { record: FakeJob; entry?: QueueEntry<FakeJob> | undefined }>();
  private readonly running: FakeJob[] = [];
  private completedCount = 0;
  private rejectedCount = 0;
  private waiters: Waiter[] = [];

  constructor(options: FakePoolOptions = {}) {
    const queueSize = options.queueSize ?? 100;
    super(Math.max(1, options.autoStart ?? 1), new JobQueue<PoolJob>(queueSize));
    this.autoStart = options.autoStart ?? 0;
    this.held = new JobQueue<FakeJob>(queueSize);
  }

  /** Jobs held, not yet started. */
  get queued(): readonly FakeJob[] {
    return this.jobs.filter((job) => job.state === 'queued');
  }

  override submit(job: PoolJob): Admission {
    const record: FakeJob = { job, request: describeJob(job), state: 'queued' };
    this.jobs.push(record);
    this.notify();
    if (this.running.length < this.autoStart && this.held.isEmpty()) {
      this.entries.set(job, { record });
      this.begin(record);
      return 'started';
    }
    const entry = this.held.offer(record);
    if (entry === undefined) {
      record.state = 'rejected';
      this.rejectedCount++;
      return 'rejected';
    }
    this.entries.set(job, { record, entry });
    return 'queued';
  }

  /**
   * Starts the oldest held job (or `job`) on a worker and returns it. Throws
   * when nothing is held: a test that expected a job should know at once.
   */
  start(job?: PoolJob): FakeJob {
    const record = job === undefined ? this.held.poll() : this.takeHeld(job);
    if (record === undefined) throw new Error('FakePool.start(): no job is held');
    const slot = this.entries.get(record.job);
    if (slot !== undefined) slot.entry = undefined;
    this.begin(record);
    return record;
  }

  /** Starts every held job, oldest first. */
  startAll(): FakeJob[] {
    const started: FakeJob[] = [];
    while (!this.held.isEmpty()) started.push(this.start());
    return started;
  }

  /** Resolves once `count` jobs in all have been submitted (at once if they have). */
  submitted(count: number): Promise<void> {
    if (this.jobs.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  override cancel(job: PoolJob): boolean {
    const slot = this.entries.get(job);
    if (slot?.entry === undefined) return false;
    this.held.remove(slot.entry);
    slot.entry = undefined;
    slot.record.state = 'cancelled';
    this.entries.delete(job);
    return true;
  }

  override release(): void {
    // release() does not say whose worker it is: the running job that has
    // ended is (an HTTP job knows it is done); a run() task cannot say, so
    // the oldest running one is taken for it.
    const record = this.running.find((candidate) => isDone(candidate.job)) ?? this.running[0];
    if (record === undefined) throw new Error('FakePool.release() called with no running job');
    this.running.splice(this.running.indexOf(record), 1);
    record.state = 'done';
    this.entries.delete(record.job);
    this.completedCount++;
    while (this.running.length < this.autoStart && !this.held.isEmpty()) this.start();
  }

  override stats(): PoolStats {
    const workers = Math.max(this.autoStart, this.running.length, 1);
    return {
      workers,
      busy: this.running.length,
      idle: Math.max(0, workers - this.running.length),
      queued: this.held.size,
      completed: this.completedCount,
      rejected: this.rejectedCount,
    };
  }

  private begin(record: FakeJob): void {
    record.state = 'running';
    this.running.push(record);
    record.job.run();
  }

  private takeHeld(job: PoolJob): FakeJob | undefined {
    const slot = this.entries.get(job);
    if (slot?.entry === undefined) return undefined;
    this.held.remove(slot.entry);
    return slot.record;
  }

  private notify(): void {
    const ready = this.waiters.filter((waiter) => this.jobs.length >= waiter.count);
    this.waiters = this.waiters.filter((waiter) => this.jobs.length < waiter.count);
    for (const waiter of ready) waiter.resolve();
  }
}

function isDone(job: PoolJob): boolean {
  return (job as { done?: boolean }).done === true;
}

function describeJob(job: PoolJob): string | undefined {
  const req = (job as { req?: { method?: string; url?: string } }).req;
  return req === undefined ? undefined : `${req.method ?? '?'} ${req.url ?? '?'}`;
}
