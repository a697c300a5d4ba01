// Dispatcher: the front door. It takes a request from node, finds its route,
// answers what cannot become a job (404, 405, 400, 413 by declared length,
// metrics, static files) and hands the rest to the supervisor, once.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { AnswerHeaders } from '../answers/answer-headers';
import { sendError, statusOf } from '../answers/error-answer';
import {
  ExpectationFailedError,
  ForbiddenError,
  MalformedRequestError,
  MalformedUrlError,
  MethodNotAllowedError,
  NotFoundError,
} from '../errors';
import type { GuardChain } from '../guards/guard-chain';
import { declaredTooLarge, declaresBody, limitBody } from '../input/body-limit';
import { InputAdmission } from '../input/input-admission';
import type { RouteInput } from '../input/route-input';
import { INPUT_FULL } from '../jobs/shedding';
import type { JobSupervisor } from '../jobs/job-supervisor';
import type { AppMetrics } from '../observe/app-metrics';
import { UNMATCHED, type RequestRecorder, type RequestTimes } from '../observe/request-recorder';
import type { ResolvedOptions } from '../options';
import type { ResolvedRoute, RouteTable } from '../routing/route-table';
import type { StaticFiles } from '../static/static-files';
import { answerClientError } from './answer-client-error';
import { CorsPolicy } from './cors-policy';
import { filterErrorsOf, type ErrorFilterChain } from '../filters/error-filter-chain';
import { hookResponse, type AppHooks } from '../hooks/app-hooks';
import type { OpenApiServer } from '../openapi/openapi-server';
import type { HealthChecks } from '../observe/health-checks';
import type { StatusPage } from '../status/status-page';
import { awaitContinue } from './expect-continue';
import type { HttpRequest, HttpResponse } from './http-types';
import { adoptRequest, type RequestSettings } from './pool-request';
import { adoptResponse } from './pool-response';
import { refuseTunnel } from './refuse-tunnel';

/** What a dispatcher is made of; the app builds it at bootstrap. */
export interface DispatcherParts {
  table: RouteTable;
  jobs: JobSupervisor;
  logger: Logger;
  config: ResolvedOptions;
  recorder: RequestRecorder;
  staticFiles?: Pick<StaticFiles, 'serve' | 'serveUnrouted'> | undefined;
  metrics?: AppMetrics | undefined;
  hooks?: AppHooks | undefined;
  openapi?: OpenApiServer | undefined;
  health?: HealthChecks | undefined;
  statusPage?: StatusPage | undefined;
}

/** Route label for static files in logs and metrics. */
const STATIC = '(static)';
/** Route label for the status page, its stream and its assets. */
const STATUS_PAGE = '(status page)';
/** Route label for CORS preflights, answered before routing. */
const PREFLIGHT = '(cors preflight)';

export class Dispatcher {
  private readonly table: RouteTable;
  private readonly jobs: JobSupervisor;
  private readonly logger: Logger;
  private readonly config: ResolvedOptions;
  private readonly recorder: RequestRecorder;
  /** Static mounts, answered before routing and without a worker: a busy pool must never shed a stylesheet. */
  private readonly staticFiles: Pick<StaticFiles, 'serve' | 'serveUnrouted'> | undefined;
  private readonly metrics: AppMetrics | undefined;
  private readonly metricsPath: string | undefined;
  private readonly answerHeaders: AnswerHeaders;
  private readonly requestSettings: RequestSettings;
  private readonly cors: CorsPolicy | undefined;
  /** The app-wide error filters, for answers given before (or without) a route. */
  private readonly appErrorFilters: ErrorFilterChain | undefined;
  private readonly hooks: AppHooks | undefined;
  private readonly openapi: OpenApiServer | undefined;
  private readonly health: HealthChecks | undefined;
  private readonly statusPage: StatusPage | undefined;
  /** Whether routing must set a request's body limit (some route's differs from the app's). */
  private readonly routedBodyLimit: boolean;
  /** Bodies being read and validated before their requests become jobs. */
  private readonly input: InputAdmission;
  /** close() is handing connections over: every answer from now on closes its connection. */
  private handingOff = false;

  constructor(parts: DispatcherParts) {
    this.table = parts.table;
    this.jobs = parts.jobs;
    this.logger = parts.logger;
    this.config = parts.config;
    this.recorder = parts.recorder;
    this.staticFiles = parts.staticFiles;
    this.metrics = parts.metrics;
    this.metricsPath = parts.metrics === undefined ? undefined : parts.config.metrics?.path;
    const { headers, requestIdHeader, bodyLimit, cookies, cors } = parts.config;
    const idHeader = requestIdHeader === false ? undefined : requestIdHeader;
    this.answerHeaders = new AnswerHeaders(headers, idHeader);
    // Until a request is routed its route's limit is unknown: the largest any route allows, then its own.
    const largest = Math.max(bodyLimit, ...parts.table.routes.map((route) => route.bodyLimit ?? 0));
    this.requestSettings = { logger: parts.logger, bodyLimit: largest, idHeader, cookieSecrets: cookies.secrets };
    this.routedBodyLimit = parts.table.routes.some((route) => route.bodyLimit !== undefined);
    this.cors = cors === undefined ? undefined : new CorsPolicy(cors);
    this.appErrorFilters = parts.table.appErrorFilterChain();
    this.hooks = parts.hooks;
    this.openapi = parts.openapi;
    this.health = parts.health;
    this.statusPage = parts.statusPage;
    this.input = new InputAdmission(parts.config.inputLimits);
  }

  /** From now on every answer carries `Connection: close`: the client reconnects elsewhere. */
  handOff(): void {
    this.handingOff = true;
  }

  /** Answers CONNECT with a 405 on the raw socket; node's `'connect'` listener for `app.server`. */
  readonly refuseConnect = (request: IncomingMessage, socket: Duplex): void => {
    const receivedAt = performance.now();
    const req = adoptRequest(request, this.requestSettings);
    // node never hands CONNECT to 'request', so no route can answer it.
    const allow = this.table.methodsServed.filter((method) => method !== 'CONNECT');
    if (this.staticFiles !== undefined)
      for (const method of ['GET', 'HEAD']) if (!allow.includes(method)) allow.push(method);
    refuseTunnel(req, socket, allow, this.answerHeaders);
    this.recorder.answeredRaw(req, 405, receivedAt);
  };

  /** Answers what node's parser rejected (or a timeout) on the raw socket; node's `'clientError'` listener. */
  readonly refuseMalformed = (error: Error, socket: Duplex): void => {
    answerClientError(error, socket, this.logger, this.config.maxHeaderSize, this.answerHeaders, (status) =>
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
    if (this.hooks?.hasRequestHooks === true) {
      this.hookRequest(this.hooks, req, res, receivedAt);
      return;
    }
    this.afterHooks(req, res, receivedAt);
  };

  /** The onRequest hooks, in order; one may answer the request itself (ending the response) or throw. */
  private hookRequest(hooks: AppHooks, req: HttpRequest, res: HttpResponse, receivedAt: number): void {
    const done = (): void => {
      if (res.writableEnded || res.destroyed) {
        this.recorder.ended(req, res, UNMATCHED, timesOf(receivedAt));
        return;
      }
      this.afterHooks(req, res, receivedAt);
    };
    const failed = (error: unknown): void => {
      if (this.clientGone(req, res, UNMATCHED, receivedAt)) return;
      if (statusOf(error) >= 500) req.log.error({ err: error }, 'an onRequest hook failed');
      this.answerUnread(req, res, UNMATCHED, receivedAt, error);
    };
    let pending: Promise<void> | undefined;
    try {
      pending = hooks.request(req, res);
    } catch (error) {
      failed(error);
      return;
    }
    if (pending === undefined) done();
    else pending.then(done, failed);
  }

  // CORS, then the rest of dispatch.
  private afterHooks(req: HttpRequest, res: HttpResponse, receivedAt: number): void {
    if (this.cors !== undefined) {
      this.applyCors(this.cors, req, res, receivedAt);
      return;
    }
    this.serve(req, res, receivedAt);
  }

  /**
   * CORS headers first, on every answer that follows; a preflight the policy
   * answers ends here, before routing, without a worker.
   */
  private applyCors(cors: CorsPolicy, req: HttpRequest, res: HttpResponse, receivedAt: number): void {
    const preflight = cors.answers(req);
    if (preflight) res.once('close', () => this.recorder.ended(req, res, PREFLIGHT, timesOf(receivedAt)));
    cors.apply(req, res, (error) => {
      if (error !== undefined && error !== null) {
        req.log.error({ err: error }, 'the cors origin function failed');
        if (preflight) sendError(res, error);
        else this.answer(req, res, UNMATCHED, receivedAt, error);
        return;
      }
      this.serve(req, res, receivedAt);
    });
  }

  // Everything after the head checks and CORS: /metrics, the closing check, static files, routing.
  private serve(req: HttpRequest, res: HttpResponse, receivedAt: number): void {
    const url = req.url as string;
    // Outside the pool, and before the shutdown check: it must answer when the pool cannot.
    if (this.metricsPath !== undefined && isPath(url, this.metricsPath)) {
      this.serveMetrics(req, res, receivedAt);
      return;
    }
    if ((this.openapi !== undefined || this.health !== undefined) && (req.method === 'GET' || req.method === 'HEAD')) {
      const path = url.split('?', 1)[0] as string;
      if (this.health?.serve(req, res, path) === true || this.openapi?.serve(req, res, path) === true) {
        this.recorder.ended(req, res, path, timesOf(receivedAt));
        return;
      }
    }
    // A prefix test first: every other request passes by without a split or a closure.
    if (this.statusPage !== undefined && url.startsWith(this.statusPage.path)) {
      const path = url.split('?', 1)[0] as string;
      const ended = (): void => this.recorder.ended(req, res, STATUS_PAGE, timesOf(receivedAt));
      if (this.statusPage.serve(req, res, path, ended)) return;
    }
    if (this.jobs.turnAwayIfClosing(req, res, UNMATCHED, receivedAt)) return;
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
      // The mount at `/` serves what no route takes: routes win there.
      if (match.kind === 'not-found' && this.staticFiles !== undefined && this.staticFiles.serveUnrouted(req, res)) {
        res.once('close', () => this.recorder.ended(req, res, STATIC, timesOf(receivedAt)));
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
    // From here on the route's error filters answer its errors, the 413 below included.
    if (match.route.errorFilters !== undefined) filterErrorsOf(res, match.route.errorFilters);
    if (this.routedBodyLimit) limitBody(req, match.route.bodyLimit ?? this.config.bodyLimit);
    const tooLarge = declaredTooLarge(req);
    if (tooLarge !== undefined) {
      res.shouldKeepAlive = false;
      this.answer(req, res, match.route.path, receivedAt, tooLarge);
      return;
    }
    req.params = match.params;
    req.query = match.query;
    const guards = match.route.guards;
    if (guards !== undefined) {
      this.admitIfAllowed(guards, match.route, req, res, receivedAt);
      return;
    }
    this.admitChecked(match.route, req, res, receivedAt);
  }

  // A request its guards let through: read its input if it declares any, then make it a job.
  private admitChecked(route: ResolvedRoute, req: HttpRequest, res: HttpResponse, receivedAt: number): void {
    if (route.input !== undefined) {
      this.admitOnceRead(route, req, res, receivedAt);
      return;
    }
    this.jobs.admit(route, req, res, receivedAt);
  }

  /**
   * Guards are asked before anything else is spent on the request: before its
   * body is read (so no `100 Continue` and no upload for a refusal) and
   * before it takes a worker or a queue slot.
   */
  private admitIfAllowed(
    guards: GuardChain,
    route: ResolvedRoute,
    req: HttpRequest,
    res: HttpResponse,
    receivedAt: number,
  ): void {
    let pending: Promise<void> | undefined;
    try {
      pending = guards.check(req);
    } catch (error) {
      this.refuse(route, req, res, receivedAt, error);
      return;
    }
    if (pending === undefined) {
      this.admitChecked(route, req, res, receivedAt);
      return;
    }
    pending.then(
      () => {
        // The client left while a guard thought: there is no one to run it for.
        if (this.clientGone(req, res, route.path, receivedAt)) return;
        if (this.jobs.isClosing) res.shouldKeepAlive = false;
        this.admitChecked(route, req, res, receivedAt);
      },
      (error: unknown) => this.refuse(route, req, res, receivedAt, error),
    );
  }

  private refuse(route: ResolvedRoute, req: HttpRequest, res: HttpResponse, receivedAt: number, error: unknown): void {
    if (this.clientGone(req, res, route.path, receivedAt)) return;
    if (error instanceof ForbiddenError && error.returned !== undefined) {
      req.log.warn(
        { route: route.name, guard: error.guard, returned: error.returned },
        'guard returned neither true nor false: refused',
      );
    } else if (statusOf(error) >= 500) {
      req.log.error({ err: error, route: route.name }, 'a guard failed');
    }
    this.answerUnread(req, res, route.path, receivedAt, error);
  }

  /** Records a request whose client left while it waited (for a guard, a hook, its input); true if it had. */
  private clientGone(req: HttpRequest, res: HttpResponse, route: string, receivedAt: number): boolean {
    if (!res.destroyed) return false;
    this.recorder.ended(req, res, route, timesOf(receivedAt));
    return true;
  }

  /**
   * Answers a refusal decided before the body was read. A body never read
   * would have to be received and dropped before the connection could carry
   * another request: close it instead.
   */
  private answerUnread(req: HttpRequest, res: HttpResponse, route: string, receivedAt: number, error: unknown): void {
    if (!req.complete && declaresBody(req)) res.shouldKeepAlive = false;
    this.answer(req, res, route, receivedAt, error);
  }

  // Readies node's request for a handler; every response carries its id and the default headers.
  private adopt(request: IncomingMessage, res: HttpResponse): HttpRequest {
    const req = adoptRequest(request, this.requestSettings);
    adoptResponse(res);
    if (this.handingOff) res.shouldKeepAlive = false;
    this.answerHeaders.apply(res, req);
    if (this.appErrorFilters !== undefined) filterErrorsOf(res, this.appErrorFilters);
    if (this.hooks !== undefined) hookResponse(res, this.hooks);
    return req;
  }

  /**
   * A route that declares input has it read and validated first, and only then
   * becomes a job: a slow upload or a bad body never holds a worker. A client
   * awaiting `100 Continue` gets it from `read` once its body will be read, so
   * a 400 or 415 decided from the head costs it no upload.
   */
  private admitOnceRead(route: ResolvedRoute, req: HttpRequest, res: HttpResponse, receivedAt: number): void {
    const input = route.input as RouteInput;
    // Only a body's reading is bounded: params and a query are checked at once.
    const bytes = input.readsBody ? this.bodyBytes(route, req) : undefined;
    if (bytes !== undefined && !this.input.tryAdmit(bytes)) {
      this.recorder.shed('input_full');
      this.answerUnread(req, res, route.path, receivedAt, INPUT_FULL.error);
      return;
    }
    input.read(req, res).then(
      () => {
        if (bytes !== undefined) this.input.release(bytes);
        // The client left while its input was read: there is no one to run it for.
        if (this.clientGone(req, res, route.path, receivedAt)) return;
        // It arrived before close() began, so it still runs, on its last request.
        if (this.jobs.isClosing) res.shouldKeepAlive = false;
        this.jobs.admit(route, req, res, receivedAt);
      },
      (error: unknown) => {
        if (bytes !== undefined) this.input.release(bytes);
        if (this.clientGone(req, res, route.path, receivedAt)) return;
        if (statusOf(error) >= 500) req.log.error({ err: error, route: route.name }, 'reading request input failed');
        this.answer(req, res, route.path, receivedAt, error);
      },
    );
  }

  /**
   * What a body counts against `inputLimits.bytes`: its declared length, or
   * for a chunked one the most its route allows; a multipart body nothing
   * (its files stream under their own limits).
   */
  private bodyBytes(route: ResolvedRoute, req: HttpRequest): number {
    if (req.headers['content-type']?.toLowerCase().startsWith('multipart/') === true) return 0;
    const declared = Number(req.headers['content-length']);
    return Number.isSafeInteger(declared) && declared >= 0 ? declared : (route.bodyLimit ?? this.config.bodyLimit);
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
}

/** Times of a request answered without a job. */
function timesOf(receivedAt: number): RequestTimes {
  return { receivedAt, startedAt: undefined, endedAt: undefined };
}

/** `url` is `path`, with or without a query string. */
function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 63); // '?'
}
