// Dispatcher: takes a request from node, finds its route and hands it to the
// pool as an HttpJob; answers what cannot run (404, 405, 400, shed 503s).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { MalformedUrlError, MethodNotAllowedError, NotFoundError, QueueFullError, ShuttingDownError } from './errors';
import { sendError, statusOf } from './error-response';
import type { HttpResponse } from './http-types';
import { HttpJob, type JobHost } from './http-job';
import { adoptRequest } from './pool-request';
import type { RouteTable } from './route-table';
import type { WorkerPool } from './worker-pool';

/** The part of the pool the dispatcher uses; a test can fake just this. */
export type JobScheduler = Pick<WorkerPool, 'submit' | 'cancel' | 'release'>;

/** Seconds a shed client is told to wait before trying again. */
const RETRY_AFTER_SECONDS = 1;

const kJob = Symbol('httppool.job');
type JobResponse = HttpResponse & { [kJob]: HttpJob };

export class Dispatcher implements JobHost {
  private closing = false;
  /** Jobs queued or running: to drain on close, and to tell their clients we are closing. */
  private readonly jobs = new Set<HttpJob>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly table: RouteTable,
    private readonly pool: JobScheduler,
    private readonly logger: Logger,
  ) {}

  /** Serves one request; usable as a node `'request'` listener. */
  readonly dispatch = (request: IncomingMessage, response: ServerResponse): void => {
    const req = adoptRequest(request, this.logger);
    const res = response as HttpResponse;
    if (this.closing) {
      res.shouldKeepAlive = false;
      sendError(res, new ShuttingDownError());
      return;
    }
    const match = this.table.find(req.method as string, req.url as string);
    if (match.kind !== 'found') {
      const path = (req.url as string).split('?', 1)[0] as string;
      sendError(
        res,
        match.kind === 'not-found'
          ? new NotFoundError(req.method as string, path)
          : match.kind === 'method-not-allowed'
            ? new MethodNotAllowedError(req.method as string, path, match.allow)
            : new MalformedUrlError(),
      );
      return;
    }
    req.params = match.params;
    req.query = match.query;

    this.admit(new HttpJob(this, match.route, req, res));
  };

  /** Hands a job to the pool: it runs now, waits in the queue, or is shed with 503. */
  admit(job: HttpJob): void {
    this.jobs.add(job);
    (job.res as JobResponse)[kJob] = job;
    job.res.once('close', onResponseClose);
    if (this.pool.submit(job) === 'rejected') {
      job.drop();
      sendError(job.res, new QueueFullError(RETRY_AFTER_SECONDS));
    }
  }

  /** Stops taking new work: requests from now on get 503 and `Connection: close`. */
  beginClose(): void {
    this.closing = true;
    for (const job of this.jobs) if (!job.res.headersSent) job.res.shouldKeepAlive = false;
  }

  /** Resolves once no job is queued or running. */
  whenIdle(): Promise<void> {
    if (this.jobs.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  answerError(job: HttpJob, error: unknown): void {
    if (statusOf(error) >= 500) {
      job.req.log.error({ err: error, route: job.route.name }, 'handler failed');
    }
    sendError(job.res, error);
  }

  reportLateError(job: HttpJob, error: unknown): void {
    job.req.log.error({ err: error, route: job.route.name }, 'handler failed after its job was complete');
  }

  withdraw(job: HttpJob): void {
    this.pool.cancel(job);
  }

  jobDone(job: HttpJob, ran: boolean): void {
    if (ran) this.pool.release();
    this.jobs.delete(job);
    if (this.jobs.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

function onResponseClose(this: JobResponse): void {
  this[kJob].clientGone();
}
