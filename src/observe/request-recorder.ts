// RequestRecorder: what one request leaves behind when it ends — an access
// line, metrics, and the plain counts behind `app.stats()`.
//
// Every request ends here exactly once: an answer that never became a job
// (404, 405, 413, a shed 503, a static file) when the dispatcher has sent it,
// a job when its response closes.

import type { Logger } from 'pino';
import type { AppHooks } from '../hooks/app-hooks';
import type { ShedReason } from '../jobs/shedding';
import { AccessLog } from './access-log';
import type { AppMetrics } from './app-metrics';
import { OverloadLog } from './overload-log';
import { RecentWaits, type RecentWaitStats } from './recent-waits';
import type { HttpRequest, HttpResponse } from '../http/http-types';

/** Route label for requests no route matched. */
export const UNMATCHED = '(unmatched)';

/** Method label for requests node's parser rejected before it read a method. */
export const UNPARSED = '(unparsed)';

/** When a request's phases began and ended (performance.now() times). */
export interface RequestTimes {
  receivedAt: number;
  /** When a worker took the job; undefined if it never ran. */
  startedAt: number | undefined;
  /** When the job released its worker; undefined if it never ran or still runs. */
  endedAt: number | undefined;
}

export interface RequestCounts {
  /** Requests answered, by status code. */
  responses: Record<string, number>;
  /** Requests answered 503 without their work, by reason. */
  shed: Record<ShedReason, number>;
  /** How long jobs started in the last 10 s waited for a worker (ms, from arrival). */
  queueWait: RecentWaitStats;
  /** True while the app sheds (from the first shed after a quiet second until a quiet second). */
  overloaded: boolean;
}

export class RequestRecorder {
  private readonly counts: Pick<RequestCounts, 'responses' | 'shed'> = {
    responses: {},
    shed: { queue_full: 0, queue_timeout: 0, queue_delay: 0, shutting_down: 0, input_full: 0 },
  };
  private readonly waits = new RecentWaits();

  private readonly accessLog: AccessLog;
  private readonly overload: OverloadLog;
  /** When a request was last shed (performance.now()), for readiness while shedding. */
  lastShedAt = Number.NEGATIVE_INFINITY;

  constructor(
    logger: Logger,
    private readonly metrics: AppMetrics | undefined,
    private readonly hooks?: AppHooks | undefined,
  ) {
    this.accessLog = new AccessLog(logger);
    this.overload = new OverloadLog(logger);
  }

  /** A request has ended: `route` is its route pattern, or UNMATCHED. */
  ended(req: HttpRequest, res: HttpResponse, route: string, times: RequestTimes): void {
    // What the client got: the status of an answer the server ended; 0 for
    // one it never ended, which was cut, before its headers went out (nothing
    // reached the client) or after (a truncated answer, such as a deadline
    // passing after a partial write). Not writableFinished: app.inject's
    // responses never report it, and the dispatcher records its own answers
    // as soon as it has ended them.
    const status = res.writableEnded ? res.statusCode : 0;
    this.count(route, req.method as string, status);
    this.logAccess(req, route, status, times);
    this.hooks?.responded(req, res, {
      route,
      statusCode: status,
      durationMs: round(performance.now() - times.receivedAt),
    });
  }

  /**
   * An answer written on the raw socket, for a request node gave no response
   * object: CONNECT (`req` given, logged like any other) or one its parser
   * rejected (no `req`: counted under the UNPARSED method, logged where it failed).
   */
  answeredRaw(req: HttpRequest | undefined, status: number, receivedAt: number): void {
    this.count(UNMATCHED, req?.method ?? UNPARSED, status);
    if (req !== undefined) {
      this.logAccess(req, UNMATCHED, status, { receivedAt, startedAt: undefined, endedAt: undefined });
    }
  }

  private count(route: string, method: string, status: number): void {
    this.counts.responses[status] = (this.counts.responses[status] ?? 0) + 1;
    this.metrics?.recordRequest(route, method, status);
  }

  /**
   * One access line; shed requests and timeouts, the signal of overload, at
   * warn, and only so many a second (OverloadLog): under overload there are
   * thousands, and writing each would cost the capacity that is short.
   */
  private logAccess(req: HttpRequest, route: string, status: number, times: RequestTimes): void {
    // A 500's own error line (with the stack) was written where it failed.
    const level = status === 503 || status === 504 ? 'warn' : 'info';
    if (!this.accessLog.enabled(level)) return;
    if (level === 'warn' && !this.overload.allowLine()) return;
    // Read the clock only for the access line: without it nothing here needs the time.
    const now = performance.now();
    const { receivedAt, startedAt, endedAt } = times;
    this.accessLog.write(level, {
      reqId: req.id,
      method: req.method as string,
      url: req.url as string,
      route,
      status,
      ms: round(now - receivedAt),
      queueMs: startedAt === undefined ? undefined : round(startedAt - receivedAt),
      runMs: startedAt === undefined ? undefined : round((endedAt ?? now) - startedAt),
    });
  }

  shed(reason: ShedReason): void {
    this.counts.shed[reason]++;
    this.lastShedAt = performance.now();
    // Turning requests away while closing is not overload.
    if (reason !== 'shutting_down') this.overload.shed(reason);
    this.metrics?.recordShed(reason);
  }

  /** A worker took a job after it waited `ms` in the queue (0 when it started at once). */
  started(ms: number): void {
    this.waits.record(ms);
    this.metrics?.recordQueueWait(ms);
  }

  /** A job held its worker for `ms`. */
  ran(route: string, ms: number): void {
    this.metrics?.recordHandlerDuration(route, ms);
  }

  snapshot(): RequestCounts {
    return {
      responses: { ...this.counts.responses },
      shed: { ...this.counts.shed },
      queueWait: this.waits.stats(),
      overloaded: this.overload.isOverloaded,
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
