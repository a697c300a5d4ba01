// JobSupervisor: owns every live job from the moment the dispatcher hands it
// over until it is done.
//
//   admit ──► pool.submit ──► started ─────────────────────► jobStarted ──► jobEnded
//               │      └────► queued (queue deadline) ──────────┘  (handler deadline)
//               ├───────────► rejected: 503 queue full
//               └───────────► anything else, or a throw: 500, logged naming the pool
//
//   a 503's Retry-After: the queue's expected drain time (RetryAfter)
//   deadline passed: queued → 503 (shed: queue_timeout), running → 504
//                    (or, once headers went out, the connection cut)
//   close: new requests 503 (shed: shutting_down); wait for the live jobs;
//          past shutdownTimeoutMs, answer the rest 503
//
// jobEnded is the one place a worker goes back to the pool, and the one place
// a job leaves the live set, whichever way it ended.

import { sendError, sendPrebuilt } from '../answers/error-answer';
import { HandlerTimeoutError, QueueFullError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import { sendContinue } from '../http/expect-continue';
import { ShedConnections } from '../http/shed-connections';
import type { RequestRecorder } from '../observe/request-recorder';
import type { ResolvedRoute } from '../routing/route-table';
import type { Logger } from 'pino';
import { Deadlines } from './deadlines';
import { HttpJob, type JobOwner } from './http-job';
import type { AdaptiveConcurrency } from './adaptive-concurrency';
import { Codel, type ResolvedCodel } from './codel';
import { RetryAfter } from './retry-after';
import { queueFull, queueTimeout, shuttingDown } from './shedding';
import type { JobQueue, QueueOrder } from './job-queue';
import type { Admission, PoolJob, WorkerPool } from './worker-pool';

/** The part of the pool the supervisor uses; a test can fake just this. */
export type JobScheduler = Pick<WorkerPool, 'submit' | 'cancel' | 'release'>;

/** What a supervisor is made of; the app builds it at bootstrap. */
export interface SupervisorParts {
  pool: JobScheduler;
  recorder: RequestRecorder;
  logger: Logger;
  /** How long a job may wait in the queue (0: forever). */
  queueTimeoutMs: number;
  /** How long a handler may run unless its route says otherwise (0: forever). */
  handlerTimeoutMs: number;
  /** How many jobs wait in the queue now: with the completion rate, it tells shed clients when to come back. */
  queueDepth: () => number;
  /** The queue's bound: sheddable routes are refused once it is half full. */
  queueSize: number;
  /** CoDel on the queue, when the `codel` option is on. */
  codel?: ResolvedCodel | undefined;
  /** The pool's queue: with CoDel's adaptive LIFO, its order is switched and its stale head shed. */
  queue?: (Pick<JobQueue<PoolJob>, 'peek' | 'size'> & { order: QueueOrder }) | undefined;
  /** The `holdShedConnections` option. */
  holdShedConnections?: boolean;
  /** With `workers: 'auto'`: told each job's run time and each refusal, asked for more room when the queue is full. */
  concurrency?: Pick<AdaptiveConcurrency, 'ran' | 'needMore' | 'refused'> | undefined;
}

export class JobSupervisor implements JobOwner {
  private closing = false;
  private idleWaiters: Array<() => void> = [];
  /** Every live job, queued or running, with its deadline. */
  private readonly live = new Deadlines<HttpJob>((job) => this.expire(job));
  private readonly pool: JobScheduler;
  private readonly recorder: RequestRecorder;
  private readonly logger: Logger;
  private readonly queueTimeoutMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly retryAfter: RetryAfter;
  private readonly queueDepth: () => number;
  /** Queue depth from which sheddable routes are refused. */
  private readonly sheddableDepth: number;
  private readonly codel: Codel | undefined;
  /** Set with adaptive LIFO only. */
  private readonly lifoQueue: SupervisorParts['queue'];
  private readonly shedConnections: ShedConnections | undefined;
  private readonly concurrency: SupervisorParts['concurrency'];

  constructor(parts: SupervisorParts) {
    this.pool = parts.pool;
    this.recorder = parts.recorder;
    this.logger = parts.logger;
    this.queueTimeoutMs = parts.queueTimeoutMs;
    this.handlerTimeoutMs = parts.handlerTimeoutMs;
    this.retryAfter = new RetryAfter(parts.queueDepth);
    this.queueDepth = parts.queueDepth;
    this.sheddableDepth = Math.ceil(parts.queueSize / 2);
    this.codel = parts.codel === undefined ? undefined : new Codel(parts.codel);
    this.lifoQueue = parts.codel?.adaptiveLifo === true ? parts.queue : undefined;
    this.shedConnections = parts.holdShedConnections === true ? new ShedConnections() : undefined;
    this.concurrency = parts.concurrency;
  }

  /** True once `beginClose()` ran: the app takes no new work. */
  get isClosing(): boolean {
    return this.closing;
  }

  /** How many jobs are queued or running. */
  get size(): number {
    return this.live.size;
  }

  /**
   * Takes a routed request over as a job: it runs now, waits in the queue, or
   * is shed with 503. The caller is done with it.
   */
  admit(route: ResolvedRoute, req: HttpRequest, res: HttpResponse, receivedAt: number): void {
    const job = new HttpJob(this, route, req, res, receivedAt);
    const now = performance.now();
    // Watched as queued before it is submitted: submit may run it, and a
    // handler that completes at once ends the job before submit returns.
    // From now, not from receivedAt: a validated body may have taken a while to arrive.
    job.queuedAt = now;
    this.live.watch(job.deadline, this.queueTimeoutMs, now);
    let admission: Admission;
    try {
      // Sheddable work never takes the last half of the queue from the rest.
      const shedFirst = route.priority === 'sheddable' && this.queueDepth() >= this.sheddableDepth;
      admission = shedFirst ? 'rejected' : this.pool.submit(job);
      // The pool grew for it (its queued jobs started): it now has a place in the queue.
      if (admission === 'rejected' && !shedFirst && this.concurrency?.needMore() === true) {
        admission = this.pool.submit(job);
      }
    } catch (error) {
      this.misadmitted(job, 'threw', { err: error });
      return;
    }
    if (admission === 'started' || admission === 'queued') return;
    if (admission === 'rejected' && route.priority === 'critical' && this.makeRoomFor(job)) return;
    if (admission === 'rejected') {
      job.drop();
      this.codel?.shed();
      this.concurrency?.refused();
      this.recorder.shed('queue_full');
      this.refuse(res, this.retryAfter.seconds());
      return;
    }
    const answer = String(admission);
    this.misadmitted(job, `returned ${answer}, not 'started', 'queued' or 'rejected'`, { admission: answer });
  }

  // The pool answered submit() with something no pool should (a stub
  // returning undefined, a fake that throws). Never a crash or a hang: a job
  // it did not run leaves the live set (and the pool's queue, should it sit
  // there) and is answered 500; one it did run goes on and ends as any other.
  private misadmitted(job: HttpJob, what: string, detail: Record<string, unknown>): void {
    const outcome = job.queued ? 'answering 500' : 'the job it started runs on';
    this.logger.error(
      { ...detail, pool: poolName(this.pool), route: job.route.name, reqId: job.req.id },
      `pool.submit() ${what}: ${outcome}`,
    );
    if (!job.queued) return;
    job.drop();
    sendError(job.res, new Error(`pool.submit() ${what}`)); // a bare 500: the cause is in the log
  }

  /** Answers the queue-full 503: with `holdShedConnections`, an early retry's once its window has passed. */
  private refuse(res: HttpResponse, retryAfterSeconds: number): void {
    const answer = (): void => sendPrebuilt(res, queueFull(retryAfterSeconds));
    if (this.shedConnections === undefined) answer();
    else this.shedConnections.refuse(res, retryAfterSeconds, answer);
  }

  /**
   * A critical job met a full queue: the newest queued job that is not
   * critical gives up its place (answered 503, as if it had met the full
   * queue itself) and the critical one is queued; true if it was. A scan of
   * the live jobs, only on this rare path.
   */
  private makeRoomFor(job: HttpJob): boolean {
    const jobs = this.live.toArray();
    let victim: HttpJob | undefined;
    for (const other of jobs) if (other.queued && other !== job && other.route.priority !== 'critical') victim = other;
    if (victim === undefined) return false;
    victim.req.log.warn({ route: victim.route.name, for: job.route.name }, 'queue full: shed for a critical request');
    this.recorder.shed('queue_full');
    victim.endWith(new QueueFullError(this.retryAfter.seconds()));
    let admission: Admission;
    try {
      admission = this.pool.submit(job);
    } catch (error) {
      this.misadmitted(job, 'threw', { err: error });
      return true;
    }
    if (admission === 'started' || admission === 'queued') return true;
    return false;
  }

  /**
   * Answers a request that came while the app closes (503, `Connection:
   * close`) when it was not yet a job; true if it did.
   */
  turnAwayIfClosing(req: HttpRequest, res: HttpResponse, route: string, receivedAt: number): boolean {
    if (!this.closing) return false;
    res.shouldKeepAlive = false;
    this.recorder.shed('shutting_down');
    sendError(res, shuttingDown());
    this.recorder.ended(req, res, route, { receivedAt, startedAt: undefined, endedAt: undefined });
    return true;
  }

  /** Stops taking new work: requests from now on get 503 and `Connection: close`. */
  beginClose(): void {
    this.closing = true;
    this.endKeepAlive();
  }

  /** Every live job's answer closes its connection, where its headers have not gone out yet. */
  endKeepAlive(): void {
    for (const job of this.live.toArray()) if (!job.res.headersSent) job.res.shouldKeepAlive = false;
  }

  /** Resolves once no job is queued or running. */
  whenIdle(): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Shutdown ran out of time: answers every job still queued or running with 503. */
  abandonAll(): void {
    // Queued jobs first: ending a running one frees a worker, which would
    // otherwise start the next queued job just as everything is being cut.
    const jobs = this.live.toArray().sort((a, b) => Number(b.queued) - Number(a.queued));
    for (const job of jobs) {
      const answer = job.res.headersSent ? 'response cut (headers already sent)' : 'answering 503';
      job.req.log.warn({ route: job.route.name, queued: job.queued }, `shutdown timeout: ${answer}`);
      this.recorder.shed('shutting_down');
      job.endWith(shuttingDown());
    }
    this.live.stop();
  }

  jobStarted(job: HttpJob): boolean {
    const now = job.startedAt as number;
    if (this.codel !== undefined && this.codelDrops(this.codel, job, now)) return false;
    sendContinue(job.res);
    this.recorder.started(now - job.receivedAt);
    this.live.watch(job.deadline, job.route.timeoutMs ?? this.handlerTimeoutMs, now);
    return true;
  }

  // CoDel as a worker takes `job`: true if it was dropped instead (a
  // standing queue, and it waited past twice the target: its client has
  // likely given up). With adaptive LIFO the queue's order follows overload,
  // and while newest-first the stale jobs at the head are shed, which a
  // worker taking from the tail would never reach.
  private codelDrops(codel: Codel, job: HttpJob, now: number): boolean {
    const waited = now - job.queuedAt;
    const queue = this.lifoQueue;
    // Taking from the tail, waits say nothing of how long the queue stood; that it is not empty yet does.
    const standing = queue?.order === 'lifo' && queue.size > 0 ? Number.POSITIVE_INFINITY : waited;
    const drop = codel.shouldDrop(waited, standing);
    if (queue !== undefined) {
      queue.order = codel.servesNewestFirst ? 'lifo' : 'fifo';
      if (queue.order === 'lifo') this.shedStaleHead(codel, queue, now);
    }
    if (drop) this.shedDelayed(job, waited);
    return drop;
  }

  private shedStaleHead(codel: Codel, queue: Pick<JobQueue<PoolJob>, 'peek'>, now: number): void {
    for (let head = queue.peek(); head instanceof HttpJob; head = queue.peek()) {
      const waited = now - head.queuedAt;
      if (!codel.isStale(waited)) return;
      this.shedDelayed(head, waited);
    }
  }

  private shedDelayed(job: HttpJob, waited: number): void {
    this.codel?.shed();
    this.concurrency?.refused();
    this.recorder.shed('queue_delay');
    job.endWith(queueTimeout(Math.round(waited), this.retryAfter.seconds()));
  }

  jobEnded(job: HttpJob): void {
    this.live.unwatch(job.deadline);
    if (job.started) {
      job.endedAt = performance.now();
      this.retryAfter.completed(job.endedAt);
      const runMs = job.endedAt - (job.startedAt as number);
      this.recorder.ran(job.route.path, runMs);
      // A job that ended inside its start ran synchronously throughout.
      this.concurrency?.ran(runMs, job.syncMs ?? runMs);
      this.pool.release();
    } else {
      // Not a completion: a job shed, timed out or left without running says nothing of how fast the queue drains.
      this.pool.cancel(job);
    }
    if (this.live.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  requestEnded(job: HttpJob): void {
    this.recorder.ended(job.req, job.res, job.route.path, job);
  }

  // A deadline passed: a queued job is answered 503 without running; a running
  // one 504 (or, with its headers out already, its connection is cut: the
  // client gets a truncated answer, counted as cut), and its worker goes to
  // the next job. Logged through the request's logger, with its reqId.
  private expire(job: HttpJob): void {
    if (job.queued) {
      const timeoutMs = this.queueTimeoutMs;
      job.req.log.warn({ route: job.route.name, timeoutMs }, 'queue timeout: answering 503');
      this.recorder.shed('queue_timeout');
      job.endWith(queueTimeout(timeoutMs, this.retryAfter.seconds()));
    } else {
      const timeoutMs = job.route.timeoutMs ?? this.handlerTimeoutMs;
      const answer = !job.res.headersSent
        ? 'answering 504'
        : job.res.writableEnded
          ? 'the response was already ended: worker freed'
          : 'response cut (headers already sent)';
      job.req.log.warn({ route: job.route.name, timeoutMs }, `handler timeout: ${answer}`);
      job.endWith(new HandlerTimeoutError(timeoutMs));
    }
  }
}

// A pool's name for a log line: its class (`Object` for a plain fake object).
function poolName(pool: JobScheduler): string {
  const name = (pool as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : typeof pool;
}
