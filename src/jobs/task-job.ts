// TaskJob: a function given to `WorkerPool.run()`, run as a job on the pool.
//
// Unlike a request, a task has no supervisor: it gives its worker back itself
// when its function settles, then settles run()'s promise.

import type { QueueEntry } from './job-queue';
import { QueueItem } from './linked-list';
import type { PoolJob } from './worker-pool';

/** The part of the pool a task needs: the worker it took goes back here. */
export interface TaskHost {
  release(): void;
}

export class TaskJob<R> extends QueueItem implements PoolJob {
  /** @internal Owned by the pool: the task's place in its queue. */
  queueEntry: QueueEntry<PoolJob> | undefined = undefined;

  constructor(
    /** @internal Where its worker goes back: the pool, or nowhere when it ran on its caller's. */
    public host: TaskHost,
    private readonly task: () => R | PromiseLike<R>,
    private readonly resolve: (value: R) => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    super();
  }

  run(): void {
    let result: R | PromiseLike<R>;
    try {
      result = this.task();
    } catch (error) {
      this.host.release();
      this.reject(error);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        this.host.release();
        this.resolve(value);
      },
      (error: unknown) => {
        this.host.release();
        this.reject(error);
      },
    );
  }
}
