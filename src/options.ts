// HttpPoolOptions: what a user may set, checked loudly and resolved once.

import cluster from 'node:cluster';
import {
  checkAdaptiveWorkers,
  type AdaptiveWorkersOptions,
  type ResolvedAdaptiveWorkers,
} from './jobs/adaptive-concurrency';
import { checkCodel, type CodelOptions, type ResolvedCodel } from './jobs/codel';
import { checkInputLimits, type InputLimitsOptions, type ResolvedInputLimits } from './input/input-admission';
import os from 'node:os';
import type { Logger, LoggerOptions } from 'pino';
import { checkDefaultHeaders, checkRequestIdHeader } from './answers/answer-headers';
import { isErrorFilter, type ErrorFilter } from './filters/error-filter';
import { isGuard, type Guard } from './guards/guard';
import { checkHooks, type HooksOptions } from './hooks/app-hooks';
import { checkHealthOptions, type HealthOptions, type ResolvedHealth } from './observe/health-checks';
import { checkThreadsOptions, type ResolvedThreads, type ThreadsOptions } from './threads/thread-pool';
import { checkOpenApiOptions, type OpenApiOptions, type ResolvedOpenApi } from './openapi/openapi-options';
import { isInterceptor, type InterceptorLike } from './interceptors/interceptor';
import { checkCookieOptions, type ResolvedCookieOptions } from './http/cookies';
import { checkCorsOptions, type CorsOptions } from './http/cors-policy';
import type { MetricsOptions } from './observe/app-metrics';
import { checkStatusPageOptions, type ResolvedStatusPage, type StatusPageOptions } from './status/status-page-options';
import type { DependencyContainer } from 'tsyringe';
import { checkControllers, type ControllerFolder, type ControllerSource } from './routing/controller-sources';
import type { Constructor, UnknownProperties } from './routing/route-metadata';
import {
  checkStaticCache,
  checkStaticMounts,
  DEFAULT_STATIC_CACHE,
  type ResolvedStaticCache,
  type ResolvedStaticMount,
  type StaticCacheOptions,
  type StaticMountOptions,
} from './static/static-options';

export interface HttpPoolOptions {
  /**
   * Controller classes, or folders whose modules export them (default: none).
   * A folder is a path, or `{ dir, include, exclude }` to pick its files by
   * RegExp or function; test and spec files, `.d.ts` and `.map` are never loaded.
   */
  controllers?: string | ControllerFolder | ReadonlyArray<Constructor | string | ControllerFolder>;
  /**
   * How many jobs run at once (default 100). Change at run time with
   * `app.pool.resize(n)`. `'auto'` (or `{ min, max }`, default 4 and 1000)
   * lets the count follow the jobs' run times and the event loop's delay.
   */
  workers?: number | 'auto' | AdaptiveWorkersOptions;
  /** How many jobs may wait for a worker before requests are shed with 503 (default 1000). */
  queueSize?: number;
  /** The container to make the app's child container from (default: tsyringe's root). */
  container?: DependencyContainer;
  /** A pino logger, pino options, or `false` for none (default: pino at level info). */
  logger?: Logger | LoggerOptions | false;
  /** Longest wait in the queue before a job is answered 503 without running, in ms; 0 for none (default 5000). */
  queueTimeoutMs?: number;
  /** Longest run of a handler before it is answered 504, in ms; 0 for none (default 30000). Route option `timeoutMs` overrides it. */
  handlerTimeoutMs?: number;
  /** Largest request body in bytes; past it, 413 (default 1 MiB). */
  bodyLimit?: number;
  /** How long `close()` lets jobs finish before answering the rest 503, in ms (default 10000). */
  shutdownTimeoutMs?: number;
  /**
   * How long `close()` first hands its connections over, in ms: it stops
   * accepting, and answers what arrives on open connections as usual but
   * with `Connection: close`, so each client reconnects to another process
   * or instance, until no connection is left or the time is up; then it
   * drains as `shutdownTimeoutMs` says. Default 0 (no hand-over: new requests
   * on open connections are answered 503), and `keepAliveTimeout` + 1 s in a
   * cluster process, where another process always takes the port.
   */
  shutdownHandoffMs?: number;
  /**
   * How much body reading may be in flight at once, before requests become
   * jobs: `{ requests, bytes }` (default 32 bodies, 4 MiB). Past it a request
   * that declares a body is shed with 503 and `Retry-After`, its body unread.
   */
  inputLimits?: InputLimitsOptions;
  /**
   * CoDel on the job queue: `true` (target 5 ms, interval 100 ms) or `{
   * targetMs, intervalMs, adaptiveLifo }`; with `adaptiveLifo`, an
   * overloaded queue serves its newest job first and sheds its stale head. While the smallest wait in an interval stays
   * above the target, a job that waited more than twice the target is
   * answered 503 as a worker reaches it, instead of run late (default off).
   */
  codel?: boolean | CodelOptions;
  /**
   * A retry on a kept-alive connection within the Retry-After of that
   * connection's queue-full 503, which would be shed again, gets its 503
   * only once the window has passed; one that finds room is served at once
   * (default true; `false` answers every 503 at once).
   */
  holdShedConnections?: boolean;
  /**
   * Signals that close the app gracefully once it listens: `true` for SIGTERM
   * and SIGINT, or a list (default: none). After `close()` the signal is
   * raised again, so the process ends as it would have; a second signal while
   * closing ends it at once.
   */
  shutdownSignals?: boolean | readonly NodeJS.Signals[];
  /** Largest request head in bytes; past it node answers 431 (default 16 KiB). */
  maxHeaderSize?: number;
  /** Longest time to receive a request's head, in ms (default 10000). */
  headersTimeout?: number;
  /** Longest time to receive a whole request, in ms (default 30000). */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open, in ms (default 5000). */
  keepAliveTimeout?: number;
  /**
   * How many connections the kernel may hold, not yet accepted, for `listen()`
   * (default 511, node's). Past it new clients' SYNs are dropped and retried
   * after 1 s, 3 s…: raise it for thousands of clients connecting at once.
   * Linux caps it at `net.core.somaxconn`.
   */
  backlog?: number;
  /** Body or query properties a route's input class does not declare: `'strip'` them (default) or `'reject'` with 400. Route option `unknownProperties` overrides it. */
  unknownProperties?: UnknownProperties;
  /** Folders served under URL prefixes, answered without a pool worker (default: none). See docs/static-files.md. */
  static?: readonly StaticMountOptions[];
  /** The static files' memory cache: `maxFileSize` (256 KiB), `maxSize` (64 MiB), `revalidateMs` (1000). */
  staticCache?: StaticCacheOptions;
  /** Prometheus metrics: `true` serves them at `/metrics`, outside the pool; or `{ path, defaultMetrics }` (default: off). */
  metrics?: boolean | MetricsOptions;
  /** Guards every route runs behind, before its controller's and its own `@UseGuards` (default: none). */
  guards?: readonly Guard[];
  /**
   * Error filters asked for every error answer, after a route's own
   * `@UseErrorFilters`: 404s, 405s, sheds and deadlines included (default:
   * none, the JSON error shape).
   */
  errorFilters?: readonly ErrorFilter[];
  /** Interceptors around every route's handler, outside its controller's and its own `@UseInterceptors` (default: none). */
  interceptors?: readonly InterceptorLike[];
  /**
   * App-wide hooks: `onRequest` as a request comes in (before routing; may
   * answer it), `onResponse` once it has ended, `onError` as an error is
   * answered (default: none).
   */
  hooks?: HooksOptions;
  /**
   * Headers every answer carries, such as `{ server: 'my-service' }`: the
   * handlers' and the framework's own (errors, 503s, static files, /metrics).
   * A handler may still change or remove one (default: none).
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * The header that carries the request id: read from the request when the
   * client sends a plain one, and sent on every answer (default
   * `'x-request-id'`); `false` for neither (ids are still made for the logs).
   */
  requestIdHeader?: string | false;
  /**
   * CORS, as the `cors` package applies it: `true` for its defaults (any
   * origin), or its options. Every OPTIONS request is then a preflight,
   * answered without a worker (default: off).
   */
  cors?: boolean | CorsOptions;
  /**
   * `{ secret }` signs cookies set with `{ signed: true }` and checks them in
   * `req.signedCookies`; a list rotates secrets (the first signs, all verify).
   * `req.cookies` and `res.setCookie()` work without it.
   */
  cookies?: { secret: string | readonly string[] };
  /**
   * An OpenAPI 3.1 document of the routes, served outside the pool: `true` at
   * `/openapi.json`, or `{ path, ui, info }`; `ui` adds Swagger UI (from the
   * swagger-ui-dist package) at `/docs` (default: off).
   */
  openapi?: boolean | OpenApiOptions;
  /**
   * Liveness and readiness checks for load balancers, outside the pool:
   * `true` for `/livez` and `/readyz` (503 while draining), or
   * `{ livePath, readyPath, notReadyWhileShedding }` (default: off).
   */
  health?: boolean | HealthOptions;
  /**
   * Worker threads for CPU-bound work, injected into controllers as
   * `ThreadPool`: `true` for `os.availableParallelism()` threads, a count, or
   * `{ count, idleTimeoutMs }` (default: off).
   */
  threads?: boolean | number | ThreadsOptions;
  /**
   * A live status page with charts of the last five minutes, outside the
   * pool: `true` at `/_httppool` for loopback clients only, or
   * `{ path, token, allowRemote }` (default: off). See docs/status-page.md.
   */
  statusPage?: boolean | StatusPageOptions;
}

/**
 * The options as the app runs with them: every default filled in and every
 * value checked. The app registers them in its container under
 * `HTTPPOOL_OPTIONS`, so a controller or service can read them.
 *
 * @example
 * constructor(@inject(HTTPPOOL_OPTIONS) private readonly options: ResolvedOptions) {}
 */
export interface ResolvedOptions {
  controllers: readonly ControllerSource[];
  /** The pool's size; with `workers: 'auto'`, the size it starts at (`min`). */
  workers: number;
  /** The bounds of `workers: 'auto'`; undefined for a fixed size. */
  adaptiveWorkers: ResolvedAdaptiveWorkers | undefined;
  queueSize: number;
  container: DependencyContainer | undefined;
  logger: Logger | LoggerOptions | false;
  queueTimeoutMs: number;
  handlerTimeoutMs: number;
  bodyLimit: number;
  shutdownTimeoutMs: number;
  shutdownHandoffMs: number;
  inputLimits: ResolvedInputLimits;
  codel: ResolvedCodel | undefined;
  holdShedConnections: boolean;
  shutdownSignals: readonly NodeJS.Signals[];
  maxHeaderSize: number;
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  backlog: number;
  unknownProperties: UnknownProperties;
  static: ResolvedStaticMount[];
  staticCache: ResolvedStaticCache;
  metrics: Required<MetricsOptions> | undefined;
  guards: readonly Guard[];
  errorFilters: readonly ErrorFilter[];
  interceptors: readonly InterceptorLike[];
  hooks: Required<HooksOptions>;
  headers: Readonly<Record<string, string>>;
  requestIdHeader: string | false;
  cors: CorsOptions | undefined;
  cookies: ResolvedCookieOptions;
  openapi: ResolvedOpenApi | undefined;
  health: ResolvedHealth | undefined;
  threads: ResolvedThreads | undefined;
  statusPage: ResolvedStatusPage | undefined;
}

export const DEFAULT_OPTIONS = {
  workers: 100,
  queueSize: 1000,
  queueTimeoutMs: 5_000,
  handlerTimeoutMs: 30_000,
  bodyLimit: 1024 * 1024,
  shutdownTimeoutMs: 10_000,
  maxHeaderSize: 16 * 1024,
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  backlog: 511,
  unknownProperties: 'strip',
  staticCache: DEFAULT_STATIC_CACHE,
} as const;

const KNOWN_OPTIONS = new Set([
  'controllers',
  'container',
  'logger',
  'static',
  'metrics',
  'shutdownSignals',
  'guards',
  'errorFilters',
  'interceptors',
  'hooks',
  'headers',
  'requestIdHeader',
  'cors',
  'cookies',
  'openapi',
  'health',
  'threads',
  'shutdownHandoffMs',
  'inputLimits',
  'codel',
  'holdShedConnections',
  'statusPage',
  ...Object.keys(DEFAULT_OPTIONS),
]);

/** Checks every option and merges them with the defaults; throws naming the bad one. */
export function resolveOptions(options: HttpPoolOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`HttpPoolApp options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`Unknown HttpPoolApp option "${key}"`);
  }
  const keepAliveTimeout = checkDuration(options, 'keepAliveTimeout');
  const adaptiveWorkers = checkAdaptiveWorkers(options.workers);
  const resolved: ResolvedOptions = {
    controllers: checkControllers(options.controllers),
    workers:
      adaptiveWorkers?.min ?? checkPositiveInteger('workers', withDefault(options.workers, DEFAULT_OPTIONS.workers)),
    adaptiveWorkers,
    queueSize: checkPositiveInteger('queueSize', withDefault(options.queueSize, DEFAULT_OPTIONS.queueSize)),
    container: checkContainer(options.container),
    logger: checkLogger(options.logger),
    queueTimeoutMs: checkDuration(options, 'queueTimeoutMs'),
    handlerTimeoutMs: checkDuration(options, 'handlerTimeoutMs'),
    bodyLimit: checkPositiveInteger('bodyLimit', withDefault(options.bodyLimit, DEFAULT_OPTIONS.bodyLimit)),
    shutdownTimeoutMs: checkDuration(options, 'shutdownTimeoutMs'),
    shutdownSignals: checkShutdownSignals(options.shutdownSignals),
    maxHeaderSize: checkPositiveInteger(
      'maxHeaderSize',
      withDefault(options.maxHeaderSize, DEFAULT_OPTIONS.maxHeaderSize),
    ),
    headersTimeout: checkDuration(options, 'headersTimeout'),
    requestTimeout: checkDuration(options, 'requestTimeout'),
    keepAliveTimeout,
    backlog: checkPositiveInteger('backlog', withDefault(options.backlog, DEFAULT_OPTIONS.backlog)),
    unknownProperties: checkUnknownProperties(options.unknownProperties),
    static: checkStaticMounts(options.static),
    staticCache: checkStaticCache(options.staticCache),
    metrics: checkMetrics(options.metrics),
    guards: checkList(
      'guards',
      options.guards,
      isGuard,
      'guard classes or instances',
      'a class with a canActivate(req, context) method, or an object with one',
    ),
    errorFilters: checkList(
      'errorFilters',
      options.errorFilters,
      isErrorFilter,
      'filter classes, objects or functions',
      'a class with a catch(error, req, context) method, an object with one, or a function',
    ),
    interceptors: checkList(
      'interceptors',
      options.interceptors,
      isInterceptor,
      'interceptor classes or instances',
      'a class with an intercept(context, next) method, or an object with one',
    ),
    hooks: checkHooks(options.hooks),
    headers: checkDefaultHeaders(options.headers),
    requestIdHeader: checkRequestIdHeader(options.requestIdHeader),
    cors: checkCorsOptions(options.cors),
    cookies: checkCookieOptions(options.cookies),
    openapi: checkOpenApiOptions(options.openapi),
    health: checkHealthOptions(options.health),
    threads: checkThreadsOptions(options.threads),
    shutdownHandoffMs: checkHandoff(options.shutdownHandoffMs, keepAliveTimeout),
    inputLimits: checkInputLimits(options.inputLimits),
    codel: checkCodel(options.codel),
    holdShedConnections: checkBoolean('holdShedConnections', options.holdShedConnections, true),
    statusPage: checkStatusPageOptions(options.statusPage),
  };
  if (resolved.requestIdHeader !== false && resolved.requestIdHeader in resolved.headers) {
    throw new TypeError(
      `Option "headers.${resolved.requestIdHeader}" would overwrite every request id: rename it, or set "requestIdHeader"`,
    );
  }
  if (resolved.requestTimeout !== 0 && resolved.headersTimeout > resolved.requestTimeout) {
    throw new RangeError(
      `Option "headersTimeout" (${resolved.headersTimeout}) must not exceed "requestTimeout" (${resolved.requestTimeout})`,
    );
  }
  return resolved;
}

// Only a missing option takes the default: `null` is a mistake worth reporting.
function withDefault(value: unknown, fallback: number): unknown {
  return value === undefined ? fallback : value;
}

function checkPositiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Option "${name}" must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

type DurationOption =
  | 'queueTimeoutMs'
  | 'handlerTimeoutMs'
  | 'shutdownTimeoutMs'
  | 'headersTimeout'
  | 'requestTimeout'
  | 'keepAliveTimeout';

/** A time in ms: a non-negative integer, where 0 means "no limit" for the deadlines. */
function checkDuration(options: HttpPoolOptions, name: DurationOption): number {
  return checkMilliseconds(name, withDefault(options[name], DEFAULT_OPTIONS[name]));
}

function checkMilliseconds(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Option "${name}" must be a whole number of milliseconds (0 or more), got ${describe(value)}`);
  }
  return value;
}

function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`Option "${name}" must be a boolean, got ${describe(value)}`);
  return value;
}

// In a cluster process another process always takes the port, so handing
// over is the default there: long enough for an idle keep-alive connection to
// time out on its own rather than be closed under a request in flight.
function checkHandoff(value: unknown, keepAliveTimeout: number): number {
  if (value === undefined) return cluster.isWorker ? keepAliveTimeout + 1000 : 0;
  return checkMilliseconds('shutdownHandoffMs', value);
}

/**
 * An option that lists guards, interceptors or error filters: an array whose
 * every item `isItem` accepts; `what` says what the array holds, `item` what
 * one must be.
 */
function checkList<T>(
  name: string,
  value: unknown,
  isItem: (item: unknown) => item is T,
  what: string,
  item: string,
): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new TypeError(`Option "${name}" must be an array of ${what}, got ${describe(value)}`);
  value.forEach((entry: unknown, index) => {
    if (!isItem(entry)) throw new TypeError(`Option "${name}"[${index}] must be ${item}, got ${describe(entry)}`);
  });
  return [...(value as T[])];
}

function checkMetrics(value: unknown): Required<MetricsOptions> | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { path: '/metrics', defaultMetrics: false };
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`Option "metrics" must be a boolean or { path, defaultMetrics }, got ${describe(value)}`);
  }
  const { path = '/metrics', defaultMetrics = false, ...rest } = value as MetricsOptions;
  for (const key of Object.keys(rest)) throw new TypeError(`Unknown option "metrics.${key}"`);
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?')) {
    throw new TypeError(`Option "metrics.path" must be a path starting with '/', got ${describe(path)}`);
  }
  if (typeof defaultMetrics !== 'boolean') {
    throw new TypeError(`Option "metrics.defaultMetrics" must be a boolean, got ${describe(defaultMetrics)}`);
  }
  return { path, defaultMetrics };
}

function checkContainer(value: unknown): DependencyContainer | undefined {
  if (value === undefined) return undefined;
  if (value !== null && typeof (value as DependencyContainer).createChildContainer === 'function') {
    return value as DependencyContainer;
  }
  throw new TypeError(`Option "container" must be a tsyringe container, got ${describe(value)}`);
}

function checkShutdownSignals(value: unknown): readonly NodeJS.Signals[] {
  if (value === undefined || value === false) return [];
  if (value === true) return ['SIGTERM', 'SIGINT'];
  if (Array.isArray(value) && value.every((signal) => typeof signal === 'string' && signal in os.constants.signals)) {
    return [...new Set(value as NodeJS.Signals[])];
  }
  throw new TypeError(
    `Option "shutdownSignals" must be true, false or a list of signal names such as ['SIGTERM'], got ${describe(value)}`,
  );
}

function checkLogger(value: unknown): ResolvedOptions['logger'] {
  if (value === undefined) return {};
  if (value === false || (value !== null && typeof value === 'object')) return value as ResolvedOptions['logger'];
  throw new TypeError(`Option "logger" must be a pino logger, pino options or false, got ${describe(value)}`);
}

function checkUnknownProperties(value: unknown): UnknownProperties {
  if (value === undefined) return DEFAULT_OPTIONS.unknownProperties;
  if (value === 'strip' || value === 'reject') return value;
  throw new TypeError(`Option "unknownProperties" must be 'strip' or 'reject', got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name}`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}
