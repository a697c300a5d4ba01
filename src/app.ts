// HttpPoolApp: composes the app at bootstrap (options, container, route
// table, static files, metrics, supervisor, dispatcher) and serves it over
// node's http server.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import type { InjectOptions, Response as InjectResponse } from 'light-my-request';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { createAppContainer } from './app-container';
import { AppClosedError } from './errors';
import { AppHooks } from './hooks/app-hooks';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { OpenApiServer } from './openapi/openapi-server';
import { HealthChecks } from './observe/health-checks';
import type { ThreadPool, ThreadStats } from './threads/thread-pool';
import { closeOnSignals } from './shutdown-signals';
import type { AppMetrics } from './observe/app-metrics';
import { createLogger } from './observe/create-logger';
import { Dispatcher } from './http/dispatcher';
import type { JobQueue } from './jobs/job-queue';
import { JobSupervisor } from './jobs/job-supervisor';
import { AdaptiveConcurrency, type ConcurrencyStats } from './jobs/adaptive-concurrency';
import { LoopDelay } from './observe/loop-delay';
import { loadControllers } from './routing/load-controllers';
import { resolveOptions, type HttpPoolOptions, type ResolvedOptions } from './options';
import { PoolRequest } from './http/pool-request';
import { PoolResponse } from './http/pool-response';
import { RequestRecorder, type RequestCounts } from './observe/request-recorder';
import { RouteTable } from './routing/route-table';
import type { StaticStats } from './static/file-cache';
import { StaticFiles } from './static/static-files';
import { inHttpPoolCluster } from './cluster/cluster-messages';
import { ClusterStatus } from './status/cluster-status';
import { StatusPage } from './status/status-page';
import type { SamplerSource } from './status/status-sampler';
import type { PoolJob, PoolStats, WorkerPool } from './jobs/worker-pool';

/**
 * `app.stats()`: the pool's figures, responses by status, shed requests by
 * reason, and the static files' cache under `static` (zeros without mounts):
 * the figures `/metrics` shows, as JSON.
 *
 * @example
 * const stats: AppStats = app.stats();
 * // { workers, busy, …, responses: { 200: 5, 503: 2 }, shed: { queue_full: 2, … }, static: { hits, … } }
 */
export interface AppStats extends PoolStats, RequestCounts {
  /** The process these figures are from (in a cluster, one of several). */
  pid: number;
  static: StaticStats;
  /** The thread pool's figures, when the threads option is on. */
  threads?: ThreadStats;
  /** With `workers: 'auto'`: the current limit (also `workers`), its bounds and what set it. */
  concurrency?: ConcurrencyStats;
}

const NO_STATIC_STATS: StaticStats = { hits: 0, misses: 0, evictions: 0, entries: 0, bytes: 0 };

/** Interval of the timer that keeps the process alive while an injected request is answered. */
const KEEP_ALIVE_MS = 60_000;

function noop(): void {}

/** How often node checks headersTimeout and requestTimeout on open connections. */
const CONNECTIONS_CHECK_MS = 1_000;

export class HttpPoolApp {
  /** The node http server; it listens once `listen()` is called. */
  readonly server: Server;
  /** Serves one request: glue the app into any node http server with it. */
  readonly dispatch: (req: IncomingMessage, res: ServerResponse) => void;
  private closing: Promise<void> | undefined;
  /** Stops listening for `shutdownSignals`; set while the app listens for them. */
  private detachSignals: (() => void) | undefined;
  /** Open connections: `close()` ends those that never sent a byte, which node does not count as idle. */
  private readonly sockets = new Set<Socket>();

  private constructor(
    /** The app's own child container: controllers, pool and queue live here. */
    readonly container: DependencyContainer,
    readonly pool: WorkerPool,
    readonly queue: JobQueue<PoolJob>,
    readonly logger: Logger,
    /** The app's Prometheus registry when `metrics` is on: register your own metrics here. */
    readonly metrics: Registry | undefined,
    private readonly config: ResolvedOptions,
    private readonly dispatcher: Dispatcher,
    private readonly jobs: JobSupervisor,
    private readonly recorder: RequestRecorder,
    private readonly staticFiles: StaticFiles | undefined,
    private readonly health: HealthChecks | undefined,
    private readonly threads: ThreadPool | undefined,
    private readonly concurrency: AdaptiveConcurrency | undefined,
    private readonly loopDelay: LoopDelay | undefined,
    private readonly statusPage: StatusPage | undefined,
  ) {
    this.dispatch = dispatcher.dispatch;
    this.server = createServer(
      {
        IncomingMessage: PoolRequest,
        ServerResponse: PoolResponse,
        // The dispatcher checks Host itself, to answer in the JSON error shape.
        requireHostHeader: false,
        maxHeaderSize: config.maxHeaderSize,
        headersTimeout: config.headersTimeout,
        requestTimeout: config.requestTimeout,
        // node checks those two timeouts on this interval (default 30 s, which
        // would let a slow sender hold a socket far past headersTimeout).
        connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
      },
      this.dispatch,
    );
    this.server.keepAliveTimeout = config.keepAliveTimeout;
    this.server.on('connect', dispatcher.refuseConnect);
    this.server.on('checkExpectation', dispatcher.refuseExpectation);
    this.server.on('checkContinue', dispatcher.dispatchExpectingContinue);
    this.server.on('clientError', dispatcher.refuseMalformed);
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /**
   * Checks the options, loads the controllers, builds the routing map and the
   * app's container. Every declaration mistake throws here.
   *
   * @example
   * const app = await HttpPoolApp.bootstrap({ controllers: [TestController], workers: 300, queueSize: 100 });
   * await app.listen(9000);
   */
  static async bootstrap(options: HttpPoolOptions = {}): Promise<HttpPoolApp> {
    const config = resolveOptions(options);
    const controllers = await loadControllers(config.controllers);
    const logger = createLogger(config.logger);
    const { container, pool, queue, threads } = createAppContainer(config, logger, options);
    const table = RouteTable.build(controllers, container, config);
    const openapi =
      config.openapi === undefined
        ? undefined
        : new OpenApiServer(config.openapi, buildOpenApiDocument(table.routes, config.openapi));
    const uiMount = config.openapi === undefined ? undefined : OpenApiServer.uiMount(config.openapi);
    const mounts = uiMount === undefined ? config.static : [...config.static, uiMount];
    const staticFiles =
      mounts.length === 0
        ? undefined
        : await StaticFiles.create(
            mounts,
            config.staticCache,
            table.routes.map((route) => route.path),
          );
    const metrics = config.metrics === undefined ? undefined : createMetrics(config, pool, staticFiles, threads);
    const hooks = AppHooks.of(config.hooks);
    const recorder = new RequestRecorder(logger, metrics, hooks);
    const { queueTimeoutMs, handlerTimeoutMs, queueSize, codel, holdShedConnections } = config;
    const queueDepth = (): number => queue.size;
    const loopDelay = config.adaptiveWorkers === undefined ? undefined : new LoopDelay();
    const concurrency =
      config.adaptiveWorkers === undefined || loopDelay === undefined
        ? undefined
        : new AdaptiveConcurrency(config.adaptiveWorkers, pool, () => loopDelay.take());
    const jobs = new JobSupervisor({
      pool,
      recorder,
      logger,
      queueTimeoutMs,
      handlerTimeoutMs,
      queueDepth,
      queueSize,
      codel,
      queue,
      holdShedConnections,
      concurrency,
    });
    const health =
      config.health === undefined
        ? undefined
        : new HealthChecks(config.health, {
            get isClosing() {
              return jobs.isClosing;
            },
            // Shedding now: the queue is full, or a request was shed within the last second.
            isShedding: () => pool.stats().queued >= config.queueSize || performance.now() - recorder.lastShedAt < 1000,
          });
    // The page reads app.stats(), as a user would; the app exists by its first tick.
    const built: { app?: HttpPoolApp } = {};
    const statusPage =
      config.statusPage === undefined
        ? undefined
        : await StatusPage.create(
            config.statusPage,
            statusSource(() => (built.app as HttpPoolApp).stats()),
          );
    const dispatcher = new Dispatcher({
      table,
      jobs,
      logger,
      config,
      recorder,
      staticFiles,
      metrics,
      hooks,
      openapi,
      health,
      statusPage,
    });
    const app = new HttpPoolApp(
      container,
      pool,
      queue,
      logger,
      metrics?.registry,
      config,
      dispatcher,
      jobs,
      recorder,
      staticFiles,
      health,
      threads,
      concurrency,
      loopDelay,
      statusPage,
    );
    built.app = app;
    return app;
  }

  /**
   * Sends a request through the app without a socket (light-my-request, as
   * fastify's `inject`): the same dispatch as a request from the network, so
   * routing, validation, the pool, deadlines and static files all apply.
   * Deadlines fire whether or not the app listens.
   *
   * @example
   * const res = await app.inject({ method: 'POST', url: '/users', payload: { name: 'Ada' } });
   * expect(res.statusCode).to.equal(201);
   * expect(res.json()).to.include({ name: 'Ada' });
   */
  async inject(options: InjectOptions | string): Promise<InjectResponse> {
    // Loaded on first use: a production app never pays for it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { inject } = require('light-my-request') as typeof import('light-my-request');
    // The deadline sweep's timer is unref'd so it never holds a server's
    // process open; without a listening server, this keeps the process alive
    // until the answer, so a hung handler is answered 504 instead of the
    // process exiting with the request pending.
    const keepAlive = setInterval(noop, KEEP_ALIVE_MS);
    try {
      return await inject(this.dispatch, options);
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Resolves a controller, a service or any token from the app's container:
   * the instance its controllers were given.
   *
   * @example
   * const users = app.get(UserService);
   */
  get<T>(token: InjectionToken<T>): T {
    return this.container.resolve(token);
  }

  /**
   * Starts listening; resolves with the bound address (port 0 picks a free
   * one). An app that was closed cannot listen again: it rejects with
   * `AppClosedError`, as it does when `close()` is called before it listens.
   */
  listen(port = 0, host?: string): Promise<AddressInfo> {
    if (this.closing !== undefined) return Promise.reject(new AppClosedError());
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, backlog: this.config.backlog }, () => {
        this.server.off('error', reject);
        // close() came while the port was being bound: it found nothing listening.
        if (this.closing !== undefined) {
          this.server.close();
          reject(new AppClosedError());
          return;
        }
        const address = this.server.address() as AddressInfo;
        this.logger.info({ address: address.address, port: address.port }, 'httppool listening');
        if (this.config.shutdownSignals.length > 0 && this.detachSignals === undefined) {
          this.detachSignals = closeOnSignals(this.config.shutdownSignals, () => this.close(), this.logger);
        }
        resolve(address);
      });
    });
  }

  /**
   * Closes gracefully: stops accepting connections, answers new requests on
   * open ones with 503 and `Connection: close` (or, for `shutdownHandoffMs`,
   * serves them with `Connection: close` first), lets running and queued jobs
   * finish for up to `shutdownTimeoutMs`, then answers what is left with 503,
   * closes every connection, and resolves.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /**
   * The pool's figures, responses by status, shed requests by reason, and the
   * static files' cache: a plain object, fresh on each call.
   *
   * @example
   * const { busy, queued, static: { hits, misses } } = app.stats();
   */
  stats(): AppStats {
    return {
      pid: process.pid,
      ...this.pool.stats(),
      ...this.recorder.snapshot(),
      static: this.staticFiles?.stats() ?? { ...NO_STATIC_STATS },
      ...(this.threads === undefined ? {} : { threads: this.threads.stats() }),
      ...(this.concurrency === undefined ? {} : { concurrency: this.concurrency.stats() }),
    };
  }

  private async shutDown(): Promise<void> {
    const delay = this.config.health?.shutdownDelayMs ?? 0;
    // Not ready from now on, yet serving as usual for `delay` ms: the balancer's time to notice and stop sending.
    this.health?.beginDraining();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    // An open stream is an open response: ended now, it cannot hold the drain; the browser retries elsewhere.
    this.statusPage?.close();
    const handOffMs = this.config.shutdownHandoffMs;
    const serverClosed = this.stopAccepting(handOffMs > 0);
    // Until no connection is left or the time is up, whichever comes first.
    if (handOffMs > 0) await within(serverClosed, performance.now() + handOffMs);
    this.jobs.beginClose();
    const budget = this.config.shutdownTimeoutMs;
    const deadline = budget === 0 ? undefined : performance.now() + budget;
    if (!(await within(this.jobs.whenIdle(), deadline))) this.jobs.abandonAll();
    // Every job is answered. Idle keep-alive connections close now rather than
    // at their keep-alive timeout; one still sending a request (a slow upload,
    // a half-sent head) gets what is left of the budget, then is cut.
    this.server.closeIdleConnections();
    for (const socket of this.sockets) if (socket.bytesRead === 0) socket.destroy();
    if (!(await within(serverClosed, deadline))) this.server.closeAllConnections();
    await serverClosed;
    await this.threads?.close();
    this.loopDelay?.stop();
    this.detachSignals?.();
  }

  /**
   * No new connections; resolves once every connection is gone. Without a
   * hand-over, node's server.close() also closes the idle ones now. Handing
   * over leaves them open (closing one races a request the client may be
   * sending on it): each connection's next answer closes it, an idle one ends
   * at its keep-alive timeout, and the clients move to another process or
   * instance.
   */
  private stopAccepting(handOff: boolean): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    if (!handOff) return new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dispatcher.handOff();
    this.jobs.endKeepAlive();
    // net's close, not http's: http's closes the idle connections too.
    return new Promise<void>((resolve) => netClose.call(this.server, () => resolve()));
  }
}

const netClose = NetServer.prototype.close;

// prom-client loads only for an app that turns metrics on (~40 ms at startup).
function createMetrics(
  config: ResolvedOptions,
  pool: WorkerPool,
  staticFiles: StaticFiles | undefined,
  threads: ThreadPool | undefined,
): AppMetrics {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AppMetrics } = require('./observe/app-metrics') as typeof import('./observe/app-metrics');
  return new AppMetrics(
    () => pool.stats(),
    config.metrics,
    staticFiles && (() => staticFiles.stats()),
    threads && (() => threads.stats()),
  );
}

/** Where the status page's figures come from: this app's, and in a cluster the other processes' too. */
function statusSource(stats: () => AppStats): SamplerSource {
  if (!inHttpPoolCluster()) return { stats };
  const cluster = new ClusterStatus();
  return {
    stats,
    share: (sample) => cluster.share(sample),
    others: () => cluster.others(),
    stop: () => cluster.stop(),
  };
}

/** Waits for `promise` until `deadline` (a performance.now() time; none: forever); true if it settled. */
async function within(promise: Promise<void>, deadline: number | undefined): Promise<boolean> {
  if (deadline === undefined) {
    await promise;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - performance.now()));
  });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
