// Dispatcher: takes a request from node, finds its route and hands it to the
// pool as an HttpJob; answers what cannot run (404, 405, 400, 413, shed
// 503s); keeps the deadlines of queued and running jobs; drains on close.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { AppMetrics } from '../observe/app-metrics';
import { Deadlines } from '../jobs/deadlines';
import { LiveJobs } from '../jobs/live-jobs';
import {
  ExpectationFailedError,
  HandlerTimeoutError,
  MalformedRequestError,
  MalformedUrlError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  QueueFullError,
  QueueTimeoutError,
  ShuttingDownError,
} from '../errors';
import { prebuild, sendError, sendPrebuilt, statusOf } from '../answers/error-response';
import { answerClientError } from './answer-client-error';
import { awaitContinue, sendContinue } from './expect-continue';
import type { HttpRequest, HttpResponse } from './http-types';
import { HttpJob, type JobHost } from '../jobs/http-job';
import type { ResolvedOptions } from '../options';
import { adoptRequest, watchBodyLimit } from './pool-request';
import { watchResponse } from './pool-response';
import { UNMATCHED, type RequestRecorder, type RequestTimes } from '../observe/request-recorder';
import { refuseTunnel } from './refuse-tunnel';
import type { RouteInput } from '../input/route-input';
import type { ResolvedRoute, RouteTable } from '../routing/route-table';
import type { StaticFiles } from '../static/static-files';
import type { WorkerPool } from '../jobs/worker-pool';

/** The part of the pool the dispatcher uses; a test can fake just this. */
export type JobScheduler = Pick<WorkerPool, 'submit' | 'cancel' | 'release'>;

/** What a dispatcher is made of; the app builds it at bootstrap. */
export interface DispatcherParts {
  table: RouteTable;
  pool: JobScheduler;
  logger: Logger;
  config: ResolvedOptions;
  recorder: RequestRecorder;
  staticFiles?: Pick<StaticFiles, 'serve'> | undefined;
  metrics?: AppMetrics | undefined;
}

/** Route label for static files in logs and metrics. */
const STATIC = '(static)';

/** Seconds a shed client is told to wait before trying again. */
const RETRY_AFTER_SECONDS = 1;

const QUEUE_FULL = prebuild(new QueueFullError(RETRY_AFTER_SECONDS));

export class Dispatcher implements JobHost {
  private closing = false;
  /** Jobs queued or running: to drain on close, and to tell their clients we are closing. */
  private readonly jobs = new LiveJobs<HttpJob>();
  private idleWaiters: Array<() => void> = [];
  private readonly deadlines = new Deadlines<HttpJob>((job) => this.expire(job));

  private readonly table: RouteTable;
  private readonly pool: JobScheduler;
  private readonly logger: Logger;
  private readonly config: ResolvedOptions;
  private readonly recorder: RequestRecorder;
  /** Static mounts, answered before routing and without a worker: a busy pool must never shed a stylesheet. */
  private readonly staticFiles: Pick<StaticFiles, 'serve'> | undefined;
  private readonly metrics: AppMetrics | undefined;
  private readonly metricsPath: string | undefined;

  constructor(parts: DispatcherParts) {
    this.table = parts.table;
    this.pool = parts.pool;
    this.logger = parts.logger;
    this.config = parts.config;
    this.recorder = parts.recorder;
    this.staticFiles = parts.staticFiles;
    this.metrics = parts.metrics;
    this.metricsPath = parts.metrics === undefined ? undefined : parts.config.metrics?.path;
  }

  /** Answers CONNECT with a 405 on the raw socket; node's `'connect'` listener for `app.server`. */
  readonly refuseConnect = (request: IncomingMessage, socket: Duplex): void => {
    const receivedAt = performance.now();
    const req = adoptRequest(request, this.logger, this.config.bodyLimit);
    // node never hands CONNECT to 'request', so no route can answer it.
    const allow = this.table.methodsServed.filter((method) => method !== 'CONNECT');
    if (this.staticFiles !== undefined)
      for (const method of ['GET', 'HEAD']) if (!allow.includes(method)) allow.push(method);
    refuseTunnel(req, socket, allow);
    this.recorder.answeredRaw(req, 405, receivedAt);
  };

  /** Answers what node's parser rejected (or a timeout) on the raw socket; node's `'clientError'` listener. */
  readonly refuseMalformed = (error: Error, socket: Duplex): void => {
    answerClientError(error, socket, this.logger, this.config.maxHeaderSize, (status) =>
      this.recorder.answeredRaw(undefined, status, performance.now()),
    );
  };

  /**
   * Answers a request whose `Expect` is not `100-continue` with a 417; node's
   * `'checkExpectation'` listener for `app.server` (node alone sends a bare 417).
   */
  readonly refuseExpectation = (request: IncomingMessage, response: ServerResponse): void => {
    const receivedAt = performance.now();
    const res = response as HttpResponse;
    const req = this.adopt(request, res);
    res.shouldKeepAlive = false; // its body, if any, was never read
    this.answer(req, res, UNMATCHED, receivedAt, new ExpectationFailedError(String(req.headers.expect)));
  };

  /** Serves a request that sent `Expect: 100-continue`; node's `'checkContinue'` listener for `app.server`. */
  readonly dispatchExpectingContinue = (request: IncomingMessage, response: ServerResponse): void => {
    awaitContinue(response);
    this.dispatch(request, response);
  };

  /** Serves one request; usable as a node `'request'` listener. */
  readonly dispatch = (request: IncomingMessage, response: ServerResponse): void => {
    const receivedAt = performance.now();
    const res = response as HttpResponse;
    const req = this.adopt(request, res);
    // HTTP/1.1 requires Host (RFC 9112 §3.2); app.server leaves the check to
    // us (requireHostHeader: false) so the 400 comes in the JSON error shape.
    if (req.headers.host === undefined && req.httpVersionMinor === 1 && req.httpVersionMajor === 1) {
      res.shouldKeepAlive = false;
      this.answer(req, res, UNMATCHED, receivedAt, new MalformedRequestError('HTTP/1.1 requires a Host header'));
      return;
    }
    const url = req.url as string;
    // Outside the pool, and before the shutdown check: it must answer when the pool cannot.
    if (this.metricsPath !== undefined && isPath(url, this.metricsPath)) {
      this.serveMetrics(req, res, receivedAt);
      return;
    }
    if (this.closing) {
      res.shouldKeepAlive = false;
      this.recorder.shed('shutting_down');
      this.answer(req, res, UNMATCHED, receivedAt, new ShuttingDownError());
      return;
    }
    if (this.staticFiles !== undefined && this.staticFiles.serve(req, res)) {
      res.once('close', () => this.recorder.ended(req, res, STATIC, timesOf(receivedAt)));
      return;
    }
    const match = this.table.find(req.method as string, url);
    if (match.kind !== 'found') {
      if (match.kind === 'method-not-allowed' && req.method === 'OPTIONS') {
        this.answerOptions(req, res, match.allow, receivedAt);
        return;
      }
      const path = url.split('?', 1)[0] as string;
      const error =
        match.kind === 'not-found'
          ? new NotFoundError(req.method as string, path)
          : match.kind === 'method-not-allowed'
            ? new MethodNotAllowedError(req.method as string, path, match.allow)
            : new MalformedUrlError();
      this.answer(req, res, UNMATCHED, receivedAt, error);
      return;
    }
    const declaredLength = req.headers['content-length'];
    if (declaredLength !== undefined && Number(declaredLength) > this.config.bodyLimit) {
      res.shouldKeepAlive = false;
      this.answer(req, res, match.route.path, receivedAt, new PayloadTooLargeError(this.config.bodyLimit));
      return;
    }
    req.params = match.params;
    req.query = match.query;
    if (match.route.input !== undefined) {
      this.admitOnceRead(match.route, req, res, receivedAt);
      return;
    }
    this.admit(new HttpJob(this, match.route, req, res, receivedAt));
  };

  // Readies node's request for a handler; every response carries its id.
  private adopt(request: IncomingMessage, res: HttpResponse): HttpRequest {
    const req = adoptRequest(request, this.logger, this.config.bodyLimit);
    res.setHeader('x-request-id', req.id);
    return req;
  }

  /**
   * A route that declares input has it read and validated first, and only then
   * becomes a job: a slow upload or a bad body never holds a worker.
   */
  private admitOnceRead(route: ResolvedRoute, req: HttpRequest, res: HttpResponse, receivedAt: number): void {
    sendContinue(res);
    (route.input as RouteInput).read(req).then(
      () => {
        // The client left while its input was read: there is no one to run it for.
        if (res.destroyed) {
          this.recorder.ended(req, res, route.path, timesOf(receivedAt));
          return;
        }
        // It arrived before close() began, so it still runs, on its last request.
        if (this.closing) res.shouldKeepAlive = false;
        this.admit(new HttpJob(this, route, req, res, receivedAt));
      },
      (error: unknown) => {
        if (res.destroyed) {
          this.recorder.ended(req, res, route.path, timesOf(receivedAt));
          return;
        }
        if (statusOf(error) >= 500) req.log.error({ err: error, route: route.name }, 'reading request input failed');
        this.answer(req, res, route.path, receivedAt, error);
      },
    );
  }

  /** Hands a job to the pool: it runs now, waits in the queue, or is shed with 503. */
  admit(job: HttpJob): void {
    this.jobs.add(job);
    watchResponse(job.res, job);
    watchBodyLimit(job.req, job);
    switch (this.pool.submit(job)) {
      case 'queued':
        // From now, not from receivedAt: a validated body may have taken a while to arrive.
        this.deadlines.watch(job, this.config.queueTimeoutMs);
        break;
      case 'rejected':
        job.drop();
        this.recorder.shed('queue_full');
        sendPrebuilt(job.res, QUEUE_FULL);
        break;
      case 'started':
        break;
    }
  }

  /** Stops taking new work: requests from now on get 503 and `Connection: close`. */
  beginClose(): void {
    this.closing = true;
    for (const job of this.jobs.toArray()) if (!job.res.headersSent) job.res.shouldKeepAlive = false;
  }

  /** Resolves once no job is queued or running. */
  whenIdle(): Promise<void> {
    if (this.jobs.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Shutdown ran out of time: answers every job still queued or running with 503. */
  abandonAll(): void {
    // Queued jobs first: ending a running one frees a worker, which would
    // otherwise start the next queued job just as everything is being cut.
    const jobs = this.jobs.toArray().sort((a, b) => Number(b.queued) - Number(a.queued));
    for (const job of jobs) {
      this.logger.warn({ route: job.route.name, queued: job.queued }, 'shutdown timeout: answering 503');
      this.recorder.shed('shutting_down');
      job.endWith(new ShuttingDownError());
    }
    this.deadlines.stop();
  }

  jobStarted(job: HttpJob): void {
    sendContinue(job.res);
    const now = performance.now();
    job.startedAt = now;
    this.recorder.started(now - job.receivedAt);
    this.deadlines.watch(job, job.route.timeoutMs ?? this.config.handlerTimeoutMs, now);
  }

  requestEnded(job: HttpJob): void {
    this.recorder.ended(job.req, job.res, job.route.path, job);
  }

  answerError(job: HttpJob, error: unknown): void {
    if (statusOf(error) >= 500) {
      // After a timeout, or once the client left (a body read cut short), the
      // failure is the client's doing or already reported: any client could
      // otherwise flood the error log.
      // The socket check covers a read that fails before the response's 'close' is seen.
      const level = job.endedEarly || job.clientLeft || job.req.socket.destroyed ? 'debug' : 'error';
      job.req.log[level]({ err: error, route: job.route.name }, 'handler failed');
    }
    sendError(job.res, error);
  }

  reportLateError(job: HttpJob, error: unknown): void {
    // After a timeout or shutdown the handler's own failure (often the abort
    // itself) is expected; anything else after completion is a bug worth seeing.
    const level = job.endedEarly ? 'debug' : 'error';
    job.req.log[level]({ err: error, route: job.route.name }, 'handler failed after its job had ended');
  }

  withdraw(job: HttpJob): void {
    this.pool.cancel(job);
  }

  jobDone(job: HttpJob, ran: boolean): void {
    this.deadlines.unwatch(job);
    if (ran) {
      job.endedAt = performance.now();
      this.recorder.ran(job.route.path, job.endedAt - (job.startedAt as number));
      this.pool.release();
    }
    this.jobs.delete(job);
    if (this.jobs.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /**
   * OPTIONS on a path that no route declares it for: 204 with the methods the
   * path answers, as express does (a 405 would tell the client the path
   * cannot be asked what it allows).
   */
  private answerOptions(req: HttpRequest, res: HttpResponse, allow: string[], receivedAt: number): void {
    res.writeHead(204, ['allow', [...allow, 'OPTIONS'].join(', ')]);
    res.end();
    this.recorder.ended(req, res, UNMATCHED, timesOf(receivedAt));
  }

  // Answers a request that never became a job, and records it as ended.
  private answer(req: HttpRequest, res: HttpResponse, route: string, receivedAt: number, error: unknown): void {
    sendError(res, error);
    this.recorder.ended(req, res, route, timesOf(receivedAt));
  }

  private serveMetrics(req: HttpRequest, res: HttpResponse, receivedAt: number): void {
    const path = this.metricsPath as string;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      this.answer(req, res, path, receivedAt, new MethodNotAllowedError(req.method as string, path, ['GET', 'HEAD']));
      return;
    }
    const metrics = this.metrics as AppMetrics;
    metrics.text().then(
      (text) => {
        res.setHeader('content-type', metrics.contentType);
        res.setHeader('content-length', Buffer.byteLength(text));
        res.end(text);
        this.recorder.ended(req, res, path, timesOf(receivedAt));
      },
      (error: unknown) => {
        this.logger.error({ err: error }, 'collecting metrics failed');
        this.answer(req, res, path, receivedAt, error);
      },
    );
  }

  // A deadline passed: a queued job is answered 503 without running; a running
  // one 504, and its worker goes to the next job.
  private expire(job: HttpJob): void {
    if (job.queued) {
      const timeoutMs = this.config.queueTimeoutMs;
      this.logger.warn({ route: job.route.name, timeoutMs }, 'queue timeout: answering 503');
      this.recorder.shed('queue_timeout');
      job.endWith(new QueueTimeoutError(timeoutMs, RETRY_AFTER_SECONDS));
    } else {
      const timeoutMs = job.route.timeoutMs ?? this.config.handlerTimeoutMs;
      this.logger.warn({ route: job.route.name, timeoutMs }, 'handler timeout: answering 504');
      job.endWith(new HandlerTimeoutError(timeoutMs));
    }
  }
}

/** Times of a request answered without a job. */
function timesOf(receivedAt: number): RequestTimes {
  return { receivedAt, startedAt: undefined, endedAt: undefined };
}

/** `url` is `path`, with or without a query string. */
function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 63); // '?'
}
