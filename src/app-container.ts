// The app's container: one tsyringe child container per app, holding its
// options, logger, pool and queue, where controllers and their services are
// resolved. It is made once, at bootstrap.
//
// A caller may pass `container` with their own registrations; the app's is a
// child of it, so their services (and fakes, in tests) are what controllers
// get. A caller's `WorkerPool` or `JobQueue` registration is kept, and becomes
// the app's: a registered pool brings the queue it was built with.

import type { Logger } from 'pino';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { JobQueue } from './jobs/job-queue';
import { WorkerPool, type PoolJob } from './jobs/worker-pool';
import type { ResolvedOptions } from './options';
import { HTTPPOOL_LOGGER, HTTPPOOL_OPTIONS } from './tokens';

/** The app's container and the two singletons it schedules requests with. */
export interface AppContainer {
  container: DependencyContainer;
  pool: WorkerPool;
  queue: JobQueue<PoolJob>;
}

/** Makes the app's child container and registers what the app provides. */
export function createAppContainer(config: ResolvedOptions, logger: Logger): AppContainer {
  const container = (config.container ?? rootContainer).createChildContainer();
  container.register<ResolvedOptions>(HTTPPOOL_OPTIONS, { useValue: config });
  container.register<Logger>(HTTPPOOL_LOGGER, { useValue: logger });
  const callerPool = container.isRegistered(WorkerPool, true) ? container.resolve(WorkerPool) : undefined;
  if (!container.isRegistered(JobQueue, true)) {
    const queue = callerPool?.queue instanceof JobQueue ? callerPool.queue : new JobQueue<PoolJob>(config.queueSize);
    container.register(JobQueue, { useValue: queue });
  }
  const queue = container.resolve<JobQueue<PoolJob>>(JobQueue);
  if (callerPool === undefined) container.register(WorkerPool, { useValue: new WorkerPool(config.workers, queue) });
  return { container, pool: container.resolve(WorkerPool), queue };
}
