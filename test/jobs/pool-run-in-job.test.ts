// pool.run() called from inside the pool's own jobs never deadlocks it: a task
// asked for while a job starts runs on that job's worker; one asked for later
// starts past the pool's size once nothing has moved for `stallMs`. Requests
// themselves never start past the size.

import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject as injectable } from 'tsyringe';
import { JobQueue } from '../../src/jobs/job-queue';
import { WorkerPool, type PoolJob, type PoolStall } from '../../src/jobs/worker-pool';
import { Controller, Get } from '../../src/index';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';

/** A job that holds its worker until the test lets it go, then releases it. */
function heldJob(pool: WorkerPool, onRun: () => void = () => {}): PoolJob & { finish(): void } {
  return {
    run: onRun,
    finish: () => pool.release(),
  };
}

describe('pool.run() inside the pool’s own jobs', () => {
  describe('called while a job starts', () => {
    it('runs at once on the job’s worker, taking no second one', async () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(10));
      let inner: Promise<number> | undefined;
      const busyDuringTask: number[] = [];
      const job = heldJob(pool, () => {
        inner = pool.run(() => {
          busyDuringTask.push(pool.stats().busy);
          return 7;
        });
      });
      expect(pool.submit(job)).to.equal('started');
      expect(await inner).to.equal(7);
      expect(busyDuringTask).to.deep.equal([1]);
      expect(pool.stats()).to.include({ busy: 1, queued: 0, completed: 0 });
      job.finish();
      expect(pool.stats()).to.include({ busy: 0, completed: 1 });
    });

    it('does so for a job the pool starts from its queue', async () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(10));
      const first = heldJob(pool);
      pool.submit(first);
      let inner: Promise<string> | undefined;
      const second = heldJob(pool, () => {
        inner = pool.run(() => 'inner');
      });
      expect(pool.submit(second)).to.equal('queued');
      first.finish();
      expect(await inner).to.equal('inner');
      expect(pool.stats()).to.include({ busy: 1, queued: 0 });
      second.finish();
    });

    it('leaves another pool’s run() to that pool', () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(10));
      const other = new WorkerPool(1, new JobQueue<PoolJob>(10));
      const blocker = deferred<void>();
      void other.run(() => blocker.promise);
      let ran = false;
      const job = heldJob(pool, () => {
        void other.run(() => {
          ran = true;
        });
      });
      pool.submit(job);
      expect(ran).to.equal(false);
      expect(other.stats()).to.include({ busy: 1, queued: 1 });
      blocker.resolve();
      job.finish();
    });
  });

  describe('called after the job’s first await', () => {
    it('starts the task past the pool’s size once no worker has been freed for stallMs, and says so', async () => {
      const stalls: PoolStall[] = [];
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(10), { stallMs: 30, onStall: (s) => stalls.push(s) });
      const answers: Array<Promise<number>> = [];
      const jobs = [1, 2].map((n) =>
        heldJob(pool, () => {
          answers.push(
            (async () => {
              await Promise.resolve();
              const value = await pool.run(() => n * 10);
              pool.release();
              return value;
            })(),
          );
        }),
      );
      for (const job of jobs) pool.submit(job);
      // Job 1 holds the only worker and waits for its task; job 2 waits behind the task.
      await sleep(5);
      expect(pool.stats()).to.include({ busy: 1, queued: 2 });
      // Job 2 starts once job 1 has its answer and frees the worker.
      await sleepUntil(() => answers.length === 2);
      expect(await Promise.all(answers)).to.deep.equal([10, 20]);
      expect(pool.stats()).to.include({ busy: 0, queued: 0, completed: 4 });
      expect(stalls).to.deep.equal([
        { waitedMs: 30, workers: 1, busy: 2, queuedTasks: 0 },
        { waitedMs: 30, workers: 1, busy: 2, queuedTasks: 0 },
      ]);
    });

    it('does not start anything past the size while workers are still being freed', async () => {
      const stalls: PoolStall[] = [];
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(10), { stallMs: 40, onStall: (s) => stalls.push(s) });
      const first = heldJob(pool);
      pool.submit(first);
      const busyDuringTask: number[] = [];
      const task = pool.run(() => busyDuringTask.push(pool.stats().busy));
      await sleep(10);
      first.finish();
      await task;
      expect(busyDuringTask).to.deep.equal([1]);
      expect(stalls).to.deep.equal([]);
    });

    it('never starts a request (any job but a run() task) past the size', async () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(10), { stallMs: 10 });
      const first = heldJob(pool);
      pool.submit(first);
      let started = false;
      pool.submit(
        heldJob(pool, () => {
          started = true;
        }),
      );
      await sleep(40);
      expect(started).to.equal(false);
      expect(pool.stats()).to.include({ busy: 1, queued: 1 });
      first.finish();
      expect(started).to.equal(true);
      pool.release();
    });

    it('with stallMs 0, lets the task wait for a freed worker however long', async () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(10), { stallMs: 0 });
      const first = heldJob(pool);
      pool.submit(first);
      let ran = false;
      const task = pool.run(() => {
        ran = true;
      });
      await sleep(150);
      expect(ran).to.equal(false);
      first.finish();
      await task;
      expect(ran).to.equal(true);
    });

    for (const bad of [-1, 1.5, NaN]) {
      it(`refuses stallMs ${String(bad)} with a RangeError`, () => {
        expect(() => new WorkerPool(1, new JobQueue<PoolJob>(1), { stallMs: bad })).to.throw(RangeError, /stallMs/);
      });
    }
  });

  describe('in an app', () => {
    const startApp = appStarter();

    @Controller()
    class Reports {
      constructor(@injectable(WorkerPool) private readonly pool: WorkerPool) {}

      @Get('/at-once')
      atOnce(): Promise<{ sum: number }> {
        return this.pool.run(() => ({ sum: 1 + 2 }));
      }

      @Get('/after-await')
      async afterAwait(): Promise<{ sum: number }> {
        await sleep(1);
        return this.pool.run(() => ({ sum: 3 + 4 }));
      }
    }

    for (const [path, sum] of [
      ['/at-once', 3],
      ['/after-await', 7],
    ] as const) {
      it(`answers four concurrent ${path} requests on one worker, each 200`, async () => {
        const { logger, lines } = captureLogs('warn');
        const { url, app } = await startApp({ controllers: [Reports], workers: 1, handlerTimeoutMs: 5_000, logger });
        const responses = await Promise.all([1, 2, 3, 4].map(() => fetch(`${url}${path}`)));
        expect(responses.map((r) => r.status)).to.deep.equal([200, 200, 200, 200]);
        for (const response of responses) expect(await response.json()).to.deep.equal({ sum });
        expect(app.stats()).to.include({ busy: 0, queued: 0 });
        const stallWarnings = lines.filter((line) => line.level === LEVELS.warn && /pool\.run\(\)/.test(line.msg));
        if (path === '/at-once') expect(stallWarnings).to.deep.equal([]);
        else expect(stallWarnings.map((line) => line.stalls)).to.deep.equal([1]);
      });
    }
  });
});

async function sleepUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(1);
}
