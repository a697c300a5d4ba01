// HttpPoolApp: bootstraps controllers, pool and queue into one per-app
// container, and serves them over node's http server.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { createLogger } from './create-logger';
import { Dispatcher } from './dispatcher';
import { JobQueue } from './job-queue';
import { loadControllers } from './load-controllers';
import { resolveOptions, type HttpPoolOptions, type ResolvedOptions } from './options';
import { PoolRequest } from './pool-request';
import { RouteTable } from './route-table';
import { HTTPPOOL_LOGGER, HTTPPOOL_OPTIONS } from './tokens';
import { WorkerPool, type PoolJob, type PoolStats } from './worker-pool';

export class HttpPoolApp {
  /** The node http server; it listens once `listen()` is called. */
  readonly server: Server;
  /** Serves one request: glue the app into any node http server with it. */
  readonly dispatch: (req: IncomingMessage, res: ServerResponse) => void;
  private closing: Promise<void> | undefined;

  private constructor(
    /** The app's own child container: controllers, pool and queue live here. */
    readonly container: DependencyContainer,
    readonly pool: WorkerPool,
    readonly queue: JobQueue<PoolJob>,
    readonly logger: Logger,
    private readonly dispatcher: Dispatcher,
  ) {
    this.dispatch = dispatcher.dispatch;
    this.server = createServer({ IncomingMessage: PoolRequest }, this.dispatch);
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
    const container = (config.container ?? rootContainer).createChildContainer();
    const logger = createLogger(config.logger);
    container.register<ResolvedOptions>(HTTPPOOL_OPTIONS, { useValue: config });
    container.register<Logger>(HTTPPOOL_LOGGER, { useValue: logger });
    // A caller's container may bring its own (fake) pool or queue: keep them,
    // and let a caller's pool bring the queue it really uses.
    const callerPool = container.isRegistered(WorkerPool, true) ? container.resolve(WorkerPool) : undefined;
    if (!container.isRegistered(JobQueue, true)) {
      const queue = callerPool?.queue instanceof JobQueue ? callerPool.queue : new JobQueue<PoolJob>(config.queueSize);
      container.register(JobQueue, { useValue: queue });
    }
    const queue = container.resolve<JobQueue<PoolJob>>(JobQueue);
    if (callerPool === undefined) {
      container.register(WorkerPool, { useValue: new WorkerPool(config.workers, queue) });
    }
    const pool = container.resolve(WorkerPool);
    const table = RouteTable.build(controllers, container);
    return new HttpPoolApp(container, pool, queue, logger, new Dispatcher(table, pool, logger));
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  listen(port = 0, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        this.logger.info({ address: address.address, port: address.port }, 'httppool listening');
        resolve(address);
      });
    });
  }

  /**
   * Closes gracefully: stops accepting connections, answers new requests on
   * open ones with 503, lets running and queued jobs finish, then resolves.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  stats(): PoolStats {
    return this.pool.stats();
  }

  private async shutDown(): Promise<void> {
    this.dispatcher.beginClose();
    const serverClosed = this.server.listening
      ? new Promise<void>((resolve) => this.server.close(() => resolve()))
      : Promise.resolve();
    await this.dispatcher.whenIdle();
    // Connections that went idle after close() began would otherwise wait out
    // their keep-alive timeout.
    this.server.closeIdleConnections();
    await serverClosed;
  }
}
