// HttpJob: one request's run through the pool, from queued to answered.
//
//   queued ──run()──► running ──complete() / promise settles / throw──► done
//     │                  │                                              ▲
//     │                  └── deadline, body over the limit, shutdown ───┤
//     └── client went away, queue deadline, shutdown: never runs ───────┘
//
// `done` is entered once, and only a way out of `running` releases the
// worker, so the worker is freed exactly once however the job ends:
// complete() twice, complete() then a rejection, a throw after a timeout.

import type { Expirable } from './deadlines';
import type { LiveLinks } from './live-jobs';
import type { HttpError } from '../errors';
import type { Complete, HttpRequest, HttpResponse } from '../http/http-types';
import type { QueueEntry } from './job-queue';
import { QueueItem } from './linked-list';
import { abortRequest, type BodyOverflowListener } from '../http/pool-request';
import type { ResponseWatcher } from '../http/pool-response';
import type { RequestTimes } from '../observe/request-recorder';
import type { ResolvedRoute } from '../routing/route-table';
import { sendJson } from '../answers/send-json';
import type { PoolJob } from './worker-pool';

/** What a job needs from the dispatcher that runs it. */
export interface JobHost {
  /** The job took a worker and its handler is about to run. */
  jobStarted(job: HttpJob): void;
  /** Answers a failed job (or closes its connection) and logs the error. */
  answerError(job: HttpJob, error: unknown): void;
  /** Logs an error that came after the job was already answered. */
  reportLateError(job: HttpJob, error: unknown): void;
  /** Takes a queued job out of the pool's queue. */
  withdraw(job: HttpJob): void;
  /** The job's response closed: the request is over for the client. */
  requestEnded(job: HttpJob): void;
  /** The job is done: `ran` says whether it held a worker to give back. */
  jobDone(job: HttpJob, ran: boolean): void;
}

const QUEUED = 0;
const RUNNING = 1;
const DONE = 2;

export class HttpJob
  extends QueueItem
  implements PoolJob, Expirable, LiveLinks, BodyOverflowListener, RequestTimes, ResponseWatcher
{
  queueEntry: QueueEntry<PoolJob> | undefined = undefined;
  deadline = 0;
  deadlinePrev: Expirable | null = null;
  deadlineNext: Expirable | null = null;
  deadlineList: Expirable['deadlineList'] = null;
  livePrev: LiveLinks | null = null;
  liveNext: LiveLinks | null = null;
  isLive = false;
  /** Set when the job was ended from outside (timeout, shutdown): later errors are expected noise. */
  endedEarly = false;
  /** Set when the client went away while the job ran: its failures (a cut body read) are no server error. */
  clientLeft = false;
  startedAt: number | undefined = undefined;
  endedAt: number | undefined = undefined;
  private state = QUEUED;
  readonly complete: Complete;

  constructor(
    private readonly host: JobHost,
    readonly route: ResolvedRoute,
    readonly req: HttpRequest,
    readonly res: HttpResponse,
    /** When the dispatcher received the request (performance.now()). */
    readonly receivedAt: number,
  ) {
    super();
    this.complete = (error?: unknown) => {
      if (error === undefined || error === null) this.finish();
      else this.fail(error);
    };
  }

  get queued(): boolean {
    return this.state === QUEUED;
  }

  run(): void {
    this.state = RUNNING;
    this.host.jobStarted(this);
    let result: unknown;
    try {
      result = this.route.handler.call(this.route.controller, this.res, this.req, this.complete);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.settle(value),
        (error: unknown) => this.fail(error),
      );
    } else if (result !== undefined || this.route.completesOnReturn) {
      this.settle(result);
    }
    // Otherwise the handler took `complete` and will call it.
  }

  /**
   * The response closed. If it never finished, the client went away: a queued
   * job leaves the queue unrun; a running one sees its signal abort.
   */
  responseClosed(): void {
    if (this.state !== DONE && !this.res.writableFinished) {
      if (this.state === QUEUED) {
        this.host.withdraw(this);
        this.drop();
      } else {
        this.clientLeft = true;
        abortRequest(this.req, new DOMException('The client closed the connection', 'AbortError'));
      }
    }
    this.host.requestEnded(this);
  }

  /** node reported an error on the response: a write after the end, most likely. Logged, never fatal. */
  responseFailed(error: Error): void {
    this.req.log.warn({ err: error, route: this.route.name }, 'response error (a write after the end?)');
  }

  /** The job ends without running and without an answer (it was shed, or its client left). */
  drop(): void {
    if (this.state !== QUEUED) return;
    this.state = DONE;
    this.host.jobDone(this, false);
  }

  /**
   * Ends the job from outside — a deadline passed, or the app is shutting
   * down — answering `error` if nothing was sent. A running handler sees its
   * signal abort and loses its worker; whatever it does afterwards is ignored.
   */
  endWith(error: HttpError): void {
    if (this.state === DONE) return;
    const ran = this.state === RUNNING;
    if (!ran) this.host.withdraw(this);
    this.state = DONE;
    this.endedEarly = true;
    abortRequest(this.req, new DOMException(error.message, 'TimeoutError'));
    this.host.answerError(this, error);
    this.host.jobDone(this, ran);
  }

  /** The request body passed `bodyLimit` while the handler read it. */
  bodyOverflow(error: HttpError): void {
    if (this.state === RUNNING) this.fail(error);
  }

  // The handler returned (or resolved) a value: send it as JSON if nothing was written.
  private settle(value: unknown): void {
    if (this.state === DONE) return;
    if (value !== undefined && !this.res.headersSent && !this.res.writableEnded) {
      try {
        sendJson(this.res, this.res.statusCode, value);
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    this.finish();
  }

  private finish(): void {
    if (this.state === DONE) return;
    this.state = DONE;
    if (!this.res.writableEnded) this.res.end();
    this.host.jobDone(this, true);
  }

  private fail(error: unknown): void {
    if (this.state === DONE) {
      this.host.reportLateError(this, error);
      return;
    }
    this.state = DONE;
    this.host.answerError(this, error);
    this.host.jobDone(this, true);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value instanceof Promise ||
    (value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function')
  );
}
