// The app's container: one tsyringe child container per app, holding its
// options, logger, pool and queue, where controllers and their services are
// resolved. It is made once, at bootstrap.
//
// A caller may pass `container` with their own registrations; the app's is a
// child of it, so their services (and fakes, in tests) are what controllers
// get. Of the scheduler's two parts, only a `WorkerPool` the caller registers
// becomes the app's (it brings the queue it was built with), checked here and
// named in a log line: a fake must have the methods the app calls, and a real
// pool must agree with `workers` / `queueSize` when those are given. A
// `JobQueue` the caller registers stays theirs: controllers that inject it
// get it, and the app's requests wait in a queue of the app's own.

import type { Logger } from 'pino';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { InvalidProviderError } from './errors';
import { JobQueue } from './jobs/job-queue';
import { WorkerPool, type PoolJob, type PoolStall } from './jobs/worker-pool';
import { ThreadPool } from './threads/thread-pool';
import type { HttpPoolOptions, ResolvedOptions } from './options';
import { HTTPPOOL_LOGGER, HTTPPOOL_OPTIONS } from './tokens';

/** The app's container and the two singletons it schedules requests with. */
export interface AppContainer {
  container: DependencyContainer;
  pool: WorkerPool;
  queue: JobQueue<PoolJob>;
  threads: ThreadPool | undefined;
}

/** What the app calls on its pool: a registered fake must have each. */
const SCHEDULER_METHODS = ['submit', 'cancel', 'release', 'stats'] as const;

/**
 * Makes the app's child container and registers what the app provides.
 * `given` is the caller's options as passed, to tell a size they asked for
 * from a default.
 */
export function createAppContainer(
  config: ResolvedOptions,
  logger: Logger,
  given: Pick<HttpPoolOptions, 'workers' | 'queueSize'> = {},
): AppContainer {
  const container = (config.container ?? rootContainer).createChildContainer();
  container.register<ResolvedOptions>(HTTPPOOL_OPTIONS, { useValue: config });
  container.register<Logger>(HTTPPOOL_LOGGER, { useValue: logger });
  const callerPool = container.isRegistered(WorkerPool, true) ? container.resolve(WorkerPool) : undefined;
  if (callerPool !== undefined) {
    checkCallerPool(callerPool, given);
    const workers = callerPool.stats()?.workers;
    const queueSize = callerPool.queue instanceof JobQueue ? callerPool.queue.maxSize : undefined;
    logger.info(
      { workers, queueSize, pool: callerPool.constructor.name },
      "httppool: scheduling requests on the WorkerPool registered in the caller's container",
    );
  }
  const queue = callerPool?.queue instanceof JobQueue ? callerPool.queue : new JobQueue<PoolJob>(config.queueSize);
  // A caller's JobQueue registration wins for injection; the app's pool does not use it.
  if (!container.isRegistered(JobQueue, true)) container.register(JobQueue, { useValue: queue });
  const pool = callerPool ?? new WorkerPool(config.workers, queue, { onStall: stallWarner(logger) });
  if (callerPool === undefined) container.register(WorkerPool, { useValue: pool });
  const threads = registerThreads(container, config);
  return { container, pool, queue, threads };
}

// The app's thread pool, when the threads option is on (a caller's registration wins, as a fake for tests);
// without it, injecting ThreadPool is a bootstrap error that says how to turn it on.
function registerThreads(container: DependencyContainer, config: ResolvedOptions): ThreadPool | undefined {
  if (container.isRegistered(ThreadPool, true)) return undefined;
  if (config.threads === undefined) {
    container.register(ThreadPool, {
      useFactory: () => {
        throw new InvalidProviderError(
          'ThreadPool is injected, but the app has no threads: turn them on with the threads option (threads: true)',
        );
      },
    });
    return undefined;
  }
  const threads = new ThreadPool(config.threads);
  container.register(ThreadPool, { useValue: threads });
  return threads;
}

const STALL_WARNING_INTERVAL_MS = 10_000;

// One warn line per interval at most, counting the stalls it stands for: a
// handler that stalls on every request would otherwise log ten lines a second.
function stallWarner(logger: Logger): (stall: PoolStall) => void {
  let lastWarnedAt = -Infinity;
  let stalls = 0;
  return (stall) => {
    stalls++;
    const now = performance.now();
    if (now - lastWarnedAt < STALL_WARNING_INTERVAL_MS) return;
    lastWarnedAt = now;
    logger.warn(
      { ...stall, stalls },
      `pool.run(): a task waited ${stall.waitedMs} ms with every worker busy and none freed, and started beyond the pool's size. ` +
        "A handler that awaits pool.run() after an await holds its worker while the task waits for one: call it before the handler's first await (it then runs on the handler's worker), or size the pool for it",
    );
    stalls = 0;
  };
}

function checkCallerPool(pool: WorkerPool, given: Pick<HttpPoolOptions, 'workers' | 'queueSize'>): void {
  const candidate = pool as unknown as Record<string, unknown> | null;
  const missing = SCHEDULER_METHODS.filter((method) => typeof candidate?.[method] !== 'function');
  if (missing.length > 0) {
    throw new InvalidProviderError(
      `The WorkerPool registered in the caller's container cannot schedule requests: it has no ${missing
        .map((method) => `${method}()`)
        .join(', ')}. Register a WorkerPool (or a subclass, such as FakePool from 'httppool/testing'), ` +
        'or leave WorkerPool unregistered and the app makes its own.',
    );
  }
  const workers = pool.stats()?.workers;
  if (given.workers !== undefined && workers !== given.workers) {
    throw new InvalidProviderError(
      `Option "workers" is ${given.workers}, but the WorkerPool registered in the caller's container has ${workers} workers: pass one or the other`,
    );
  }
  const queue = pool.queue as unknown;
  if (given.queueSize !== undefined && queue instanceof JobQueue && queue.maxSize !== given.queueSize) {
    throw new InvalidProviderError(
      `Option "queueSize" is ${given.queueSize}, but the WorkerPool registered in the caller's container queues up to ${queue.maxSize}: pass one or the other`,
    );
  }
}
