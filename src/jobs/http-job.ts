// HttpJob: one request's run through the pool, from queued to answered.
//
//   queued ──run()──► running ──complete() / promise settles / throw──► done
//     │                  │                                              ▲
//     │                  ├── deadline, body over the limit, shutdown ───┤
//     │                  └── response ended, complete() never called ───┤
//     └── client went away, queue deadline, shutdown: never runs ───────┘
//
// A returned stream is part of the job's work: the job, and its worker, last
// until the stream is written out (or fails, or the client leaves, or the
// handler deadline passes: each destroys it).
//
// The job runs its handler, reads what the handler did (a `complete` call, a
// returned value, a settled promise, a throw) and answers it. `done` is
// entered once, and entering it tells the owner (the supervisor), which gives
// the worker back if the job took one: so a worker is freed exactly once
// however the job ends, complete() twice, complete() then a rejection, a throw
// after a timeout.

import { sendError, statusOf } from '../answers/error-answer';
import { sendValue } from '../answers/send-value';
import type { HttpError } from '../errors';
import type { Complete, HttpRequest, HttpResponse } from '../http/http-types';
import { abortRequest } from '../http/pool-request';
import { watchResponse, type ResponseWatcher } from '../http/pool-response';
import type { Readable } from 'node:stream';
import { holdBodyOverflow, type BodyOverflowListener } from '../input/body-limit';
import type { RequestTimes } from '../observe/request-recorder';
import type { ResolvedRoute } from '../routing/route-table';
import { Deadline } from './deadlines';
import type { QueueEntry } from './job-queue';
import { QueueItem } from './linked-list';
import type { PoolJob } from './worker-pool';

/** What a job tells the supervisor that owns it. */
export interface JobOwner {
  /** The job took a worker; its handler runs next unless this answers false (the owner ended the job instead). */
  jobStarted(job: HttpJob): boolean;
  /** The job is done, run or not: the one moment its worker, if it took one, goes back. */
  jobEnded(job: HttpJob): void;
  /** The job's response closed: the request is over for the client. */
  requestEnded(job: HttpJob): void;
}

const QUEUED = 0;
const RUNNING = 1;
const DONE = 2;

export class HttpJob extends QueueItem implements PoolJob, BodyOverflowListener, RequestTimes, ResponseWatcher {
  /** @internal Owned by the pool: the job's place in its queue. */
  queueEntry: QueueEntry<PoolJob> | undefined = undefined;
  /** @internal Owned by the supervisor: the job's place among live jobs, with its deadline. */
  readonly deadline = new Deadline<HttpJob>(this);
  /** Set when the job was ended from outside (timeout, shutdown): later errors are expected noise. */
  endedEarly = false;
  /** Set when the client went away while the job ran: its failures (a cut body read) are no server error. */
  clientLeft = false;
  /** Set when the handler returned nothing and declared `complete`: only complete(), or its response closing once ended, ends it. */
  private awaitsComplete = false;
  /** A stream the handler returned, while it is piped into the response. */
  private stream: Readable | undefined = undefined;
  startedAt: number | undefined = undefined;
  /** How long its start held the thread (the handler's synchronous part), in ms; undefined until the start returns. */
  syncMs: number | undefined = undefined;
  /** When it was handed to the pool (after its input was read), performance.now(). */
  queuedAt = 0;
  endedAt: number | undefined = undefined;
  private state = QUEUED;
  readonly complete: Complete;

  constructor(
    private readonly owner: JobOwner,
    readonly route: ResolvedRoute,
    readonly req: HttpRequest,
    readonly res: HttpResponse,
    /** When the request was received (performance.now()). */
    readonly receivedAt: number,
  ) {
    super();
    this.complete = (error?: unknown) => {
      if (error === undefined || error === null) this.finish();
      else this.fail(error);
    };
    watchResponse(res, this);
    holdBodyOverflow(req, this);
  }

  get queued(): boolean {
    return this.state === QUEUED;
  }

  /** Whether the job has ended, run or not. */
  get done(): boolean {
    return this.state === DONE;
  }

  /** Whether the job took a worker (and so has one to give back when done). */
  get started(): boolean {
    return this.startedAt !== undefined;
  }

  run(): void {
    this.state = RUNNING;
    const startedAt = performance.now();
    this.startedAt = startedAt;
    if (!this.owner.jobStarted(this)) return;
    this.start();
    this.syncMs = performance.now() - startedAt;
  }

  private start(): void {
    const interceptors = this.route.interceptors;
    if (interceptors !== undefined) {
      interceptors
        .run(this.req, this.res, () => this.callHandler())
        .then(
          (value) => this.settle(value),
          (error: unknown) => this.fail(error),
        );
      return;
    }
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
    } else {
      // The handler took `complete` and will call it (or forget to: see responseClosed).
      this.awaitsComplete = true;
    }
  }

  /**
   * The handler, as the innermost step of its interceptors: a promise of
   * the value it returns, resolves or leaves with `complete()`, or of what
   * it throws, rejects or passes to `complete(err)`, whichever comes first.
   */
  private callHandler(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const complete: Complete = (error?: unknown) => {
        if (error === undefined || error === null) resolve(undefined);
        else reject(error);
      };
      const result = this.route.handler.call(this.route.controller, this.res, this.req, complete);
      if (isThenable(result)) result.then(resolve, reject);
      else if (result !== undefined || this.route.completesOnReturn) resolve(result);
      else this.awaitsComplete = true; // as in run(): see responseClosed
    });
  }

  /**
   * The response closed. If it never finished, the client went away: a queued
   * job ends unrun; a running one sees its signal abort. If its handler still
   * owes `complete()` but ended the response, it forgot: the job ends now
   * rather than hold its worker until the deadline (node emits 'close' right
   * after 'finish', so this costs no listener of its own).
   */
  responseClosed(): void {
    if (this.state === QUEUED) {
      this.drop();
    } else if (this.state === RUNNING) {
      if (!this.res.writableFinished) {
        this.clientLeft = true;
        abortRequest(this.req, new DOMException('The client closed the connection', 'AbortError'));
      }
      if (this.state === RUNNING && this.stream !== undefined) {
        // The returned stream is written out, or its client left: the job is over either way.
        if (!this.res.writableFinished) this.stream.destroy();
        this.state = DONE;
        this.owner.jobEnded(this);
      }
      // Still running: the abort's listeners may have called complete().
      if (this.state === RUNNING && this.awaitsComplete && this.res.writableEnded) {
        this.req.log.warn(
          { route: this.route.name },
          'handler ended the response without calling complete(): worker freed',
        );
        this.state = DONE;
        this.owner.jobEnded(this);
      }
    }
    this.owner.requestEnded(this);
  }

  /** node reported an error on the response: a write after the end, most likely. Logged, never fatal. */
  responseFailed(error: Error): void {
    this.req.log.warn({ err: error, route: this.route.name }, 'response error (a write after the end?)');
  }

  /** The job ends without running and without an answer (it was shed, or its client left). */
  drop(): void {
    if (this.state !== QUEUED) return;
    this.state = DONE;
    this.owner.jobEnded(this);
  }

  /**
   * Ends the job from outside — a deadline passed, or the app is shutting
   * down — answering `error` if nothing was sent. A running handler sees its
   * signal abort and loses its worker; whatever it does afterwards is ignored.
   */
  endWith(error: HttpError): void {
    if (this.state === DONE) return;
    this.state = DONE;
    this.endedEarly = true;
    abortRequest(this.req, new DOMException(error.message, 'TimeoutError'));
    this.stream?.destroy();
    this.answerError(error);
    this.owner.jobEnded(this);
  }

  /** The request body passed `bodyLimit` while the handler read it. */
  bodyOverflow(error: HttpError): void {
    if (this.state === RUNNING) this.fail(error);
  }

  // The handler returned (or resolved) a value: send it, by its type, if nothing was written.
  private settle(value: unknown): void {
    if (this.state === DONE) return;
    if (value !== undefined && !this.res.headersSent && !this.res.writableEnded) {
      let stream: Readable | undefined;
      try {
        stream = sendValue(this.res, value);
      } catch (error) {
        this.fail(error);
        return;
      }
      if (stream !== undefined) {
        this.pipe(stream);
        return;
      }
    }
    this.finish();
  }

  // Writes a returned stream with back-pressure (pipe waits for 'drain'); the
  // job ends when the response closes (see responseClosed) or the stream fails.
  private pipe(stream: Readable): void {
    if (this.req.method === 'HEAD') {
      stream.destroy(); // HEAD gets the headers only: nothing to read the stream for
      this.finish();
      return;
    }
    this.stream = stream;
    stream.once('error', (error: unknown) => {
      stream.unpipe(this.res);
      this.fail(error);
    });
    stream.pipe(this.res);
  }

  private finish(): void {
    if (this.state === DONE) return;
    this.state = DONE;
    if (!this.res.writableEnded) this.res.end();
    this.owner.jobEnded(this);
  }

  private fail(error: unknown): void {
    if (this.state === DONE) {
      // The answer went out (or was cut) already: a failure now is a bug
      // worth seeing, unless it is the abort we raised ourselves.
      const level = this.ownAbort(error) ? 'debug' : 'error';
      this.req.log[level]({ err: error, route: this.route.name }, 'handler failed after its job had ended');
      return;
    }
    this.state = DONE;
    this.stream?.destroy();
    this.answerError(error);
    this.owner.jobEnded(this);
  }

  // Answers a failed job (or closes its connection) and logs a server error.
  private answerError(error: unknown): void {
    const answered = this.res.writableEnded;
    if (statusOf(error) >= 500) {
      this.req.log[this.failureLevel(error, answered)]({ err: error, route: this.route.name }, 'handler failed');
    }
    // A response already ended went out whole: there is nothing to repair,
    // and cutting it could truncate what is still being written.
    if (!answered) sendError(this.res, error);
  }

  /**
   * How loud a handler's failure is. Expected noise, at debug (any client
   * could otherwise flood the error log):
   * - the answer we chose ourselves when ending a job from outside (504 at a
   *   deadline, 503 at shutdown): warned about where that was decided;
   * - the abort we raised ourselves on `req.signal` (a deadline, shutdown, or
   *   the client leaving), rethrown by the handler;
   * - any failure while the answer was still unfinished and the client had
   *   gone (a body read or a write cut short): nobody is left to answer. The
   *   socket check covers a read that fails before the response's 'close'.
   * Everything else is at error: in particular any failure after the response
   * was ended, whatever the client did with its socket since.
   */
  private failureLevel(error: unknown, answered: boolean): 'debug' | 'error' {
    if (this.endedEarly || this.ownAbort(error)) return 'debug';
    if (!answered && (this.clientLeft || this.req.socket.destroyed)) return 'debug';
    return 'error';
  }

  // Whether `error` is the abort of the request's own signal: its reason, or
  // an AbortError (node's APIs wrap the reason as its `cause`) once it aborted.
  private ownAbort(error: unknown): boolean {
    if (!this.endedEarly && !this.clientLeft) return false;
    const signal = this.req.signal;
    if (!signal.aborted) return false;
    if (error === signal.reason) return true;
    const failure = error as { name?: unknown; cause?: unknown } | null;
    return (
      typeof failure === 'object' &&
      failure !== null &&
      (failure.cause === signal.reason || failure.name === 'AbortError')
    );
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value instanceof Promise ||
    (value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function')
  );
}
