// WorkerPool: admission (start, queue, reject), FIFO hand-over on release,
// cancel, resize, run(), and the cost of a large pool at rest. Every job is
// finished explicitly, with release() or a deferred promise, never by a timer.

import { expect } from 'chai';
import { HttpPoolError, QueueFullError } from '../../src/errors';
import { JobQueue } from '../../src/jobs/job-queue';
import { WorkerPool, type PoolJob, type PoolStats } from '../../src/jobs/worker-pool';
import { deferred } from '../helpers/deferred';
import { rejectionOf } from '../helpers/wait-for';

/** A job that records when it starts and stays busy until the test calls release(). */
function recordingJob(name: string, started: string[]): PoolJob {
  return {
    run() {
      started.push(name);
    },
  };
}

function stats(workers: number, busy: number, queued: number, completed: number, rejected: number): PoolStats {
  return { workers, busy, idle: Math.max(0, workers - busy), queued, completed, rejected };
}

describe('WorkerPool', () => {
  const badSizes: unknown[] = [0, -1, 1.5, NaN, Infinity, '3'];
  const label = (n: unknown): string => (typeof n === 'string' ? JSON.stringify(n) : String(n));

  describe('constructor', () => {
    for (const bad of badSizes) {
      it(`rejects workers ${label(bad)} with a RangeError`, () => {
        expect(() => new WorkerPool(bad as number, new JobQueue<PoolJob>(1))).to.throw(RangeError, /workers/);
      });
    }

    it('starts idle with the given size', () => {
      const pool = new WorkerPool(3, new JobQueue<PoolJob>(5));
      expect(pool.size).to.equal(3);
      expect(pool.stats()).to.deep.equal(stats(3, 0, 0, 0, 0));
    });
  });

  describe('.resize()', () => {
    for (const bad of badSizes) {
      it(`rejects workers ${label(bad)} with a RangeError and keeps the size`, () => {
        const pool = new WorkerPool(2, new JobQueue<PoolJob>(1));
        expect(() => pool.resize(bad as number)).to.throw(RangeError, /workers/);
        expect(pool.size).to.equal(2);
        expect(pool.stats()).to.deep.equal(stats(2, 0, 0, 0, 0));
      });
    }

    it('growing starts queued jobs at once, oldest first', () => {
      const started: string[] = [];
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(5));
      for (const name of ['a', 'b', 'c', 'd']) pool.submit(recordingJob(name, started));
      expect(started).to.deep.equal(['a']);
      expect(pool.stats()).to.deep.equal(stats(1, 1, 3, 0, 0));

      pool.resize(3);
      expect(started).to.deep.equal(['a', 'b', 'c']);
      expect(pool.size).to.equal(3);
      expect(pool.stats()).to.deep.equal(stats(3, 3, 1, 0, 0));

      pool.resize(10);
      expect(started).to.deep.equal(['a', 'b', 'c', 'd']);
      expect(pool.stats()).to.deep.equal(stats(10, 4, 0, 0, 0));
    });

    it('shrinking lets running jobs finish and starts nothing until busy < size', () => {
      const started: string[] = [];
      const pool = new WorkerPool(3, new JobQueue<PoolJob>(5));
      for (const name of ['a', 'b', 'c', 'd', 'e']) pool.submit(recordingJob(name, started));
      expect(pool.stats()).to.deep.equal(stats(3, 3, 2, 0, 0));

      pool.resize(1);
      expect(pool.stats()).to.deep.equal(stats(1, 3, 2, 0, 0));
      expect(pool.stats().idle).to.equal(0);

      pool.release();
      expect(pool.stats()).to.deep.equal(stats(1, 2, 2, 1, 0));
      pool.release();
      expect(pool.stats()).to.deep.equal(stats(1, 1, 2, 2, 0));
      expect(started).to.deep.equal(['a', 'b', 'c']);

      pool.release();
      expect(started).to.deep.equal(['a', 'b', 'c', 'd']);
      expect(pool.stats()).to.deep.equal(stats(1, 1, 1, 3, 0));
    });

    it('a new job submitted while shrinking is queued, not started', () => {
      const started: string[] = [];
      const pool = new WorkerPool(2, new JobQueue<PoolJob>(5));
      pool.submit(recordingJob('a', started));
      pool.submit(recordingJob('b', started));
      pool.resize(1);
      pool.release();
      expect(pool.submit(recordingJob('c', started))).to.equal('queued');
      expect(started).to.deep.equal(['a', 'b']);
      pool.release();
      expect(started).to.deep.equal(['a', 'b', 'c']);
    });
  });

  describe('.submit()', () => {
    it('starts jobs while workers are free, then queues, then rejects, with exact stats', () => {
      const started: string[] = [];
      const pool = new WorkerPool(2, new JobQueue<PoolJob>(2));
      const submit = (name: string) => pool.submit(recordingJob(name, started));

      expect(submit('a')).to.equal('started');
      expect(pool.stats()).to.deep.equal({ workers: 2, busy: 1, idle: 1, queued: 0, completed: 0, rejected: 0 });
      expect(submit('b')).to.equal('started');
      expect(pool.stats()).to.deep.equal({ workers: 2, busy: 2, idle: 0, queued: 0, completed: 0, rejected: 0 });
      expect(submit('c')).to.equal('queued');
      expect(pool.stats()).to.deep.equal({ workers: 2, busy: 2, idle: 0, queued: 1, completed: 0, rejected: 0 });
      expect(submit('d')).to.equal('queued');
      expect(pool.stats()).to.deep.equal({ workers: 2, busy: 2, idle: 0, queued: 2, completed: 0, rejected: 0 });
      expect(submit('e')).to.equal('rejected');
      expect(pool.stats()).to.deep.equal({ workers: 2, busy: 2, idle: 0, queued: 2, completed: 0, rejected: 1 });
      expect(submit('f')).to.equal('rejected');
      expect(pool.stats()).to.deep.equal({ workers: 2, busy: 2, idle: 0, queued: 2, completed: 0, rejected: 2 });
      expect(started).to.deep.equal(['a', 'b']);

      pool.release();
      expect(started).to.deep.equal(['a', 'b', 'c']);
      expect(pool.stats()).to.deep.equal({ workers: 2, busy: 2, idle: 0, queued: 1, completed: 1, rejected: 2 });
      expect(submit('g')).to.equal('queued');
      expect(pool.stats()).to.deep.equal({ workers: 2, busy: 2, idle: 0, queued: 2, completed: 1, rejected: 2 });
    });

    it('runs a started job synchronously, inside submit()', () => {
      const started: string[] = [];
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(1));
      pool.submit(recordingJob('a', started));
      expect(started).to.deep.equal(['a']);
    });

    it('counts a job that releases inside run() as completed', () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(1));
      expect(pool.submit({ run: () => pool.release() })).to.equal('started');
      expect(pool.stats()).to.deep.equal(stats(1, 0, 0, 1, 0));
    });

    it('queues a job submitted from inside a running job behind those already queued', () => {
      const started: string[] = [];
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(5));
      pool.submit(recordingJob('a', started));
      pool.submit({
        run() {
          started.push('b');
          pool.submit(recordingJob('d', started));
        },
      });
      pool.submit(recordingJob('c', started));
      for (let i = 0; i < 3; i++) pool.release();
      expect(started).to.deep.equal(['a', 'b', 'c', 'd']);
      expect(pool.stats()).to.deep.equal(stats(1, 1, 0, 3, 0));
    });
  });

  describe('.release()', () => {
    it('starts the oldest queued job (FIFO)', () => {
      const started: string[] = [];
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(10));
      for (const name of ['a', 'b', 'c', 'd']) pool.submit(recordingJob(name, started));
      expect(started).to.deep.equal(['a']);
      pool.release();
      expect(started).to.deep.equal(['a', 'b']);
      pool.release();
      expect(started).to.deep.equal(['a', 'b', 'c']);
      pool.release();
      expect(started).to.deep.equal(['a', 'b', 'c', 'd']);
      pool.release();
      expect(pool.stats()).to.deep.equal(stats(1, 0, 0, 4, 0));
    });

    it('throws when no worker is busy', () => {
      const pool = new WorkerPool(2, new JobQueue<PoolJob>(1));
      expect(() => pool.release()).to.throw(Error, /no busy worker/);
      pool.submit(recordingJob('a', []));
      pool.release();
      expect(() => pool.release()).to.throw(Error, /no busy worker/);
      expect(pool.stats()).to.deep.equal(stats(2, 0, 0, 1, 0));
    });

    it('runs 1,000 queued jobs that complete synchronously, in order, without nesting', () => {
      const count = 1_000;
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(count));
      pool.submit({ run() {} }); // holds the only worker while the others queue
      const ran: number[] = [];
      // Each job calls release() from inside run(); if release() started the
      // next job from there, runs would nest and the stack would grow per job.
      let depth = 0;
      let maxDepth = 0;
      for (let i = 0; i < count; i++) {
        expect(
          pool.submit({
            run() {
              depth++;
              maxDepth = Math.max(maxDepth, depth);
              ran.push(i);
              pool.release();
              depth--;
            },
          }),
        ).to.equal('queued');
      }
      expect(pool.stats()).to.deep.equal(stats(1, 1, count, 0, 0));

      pool.release();
      expect(ran).to.deep.equal(Array.from({ length: count }, (_, i) => i));
      expect(maxDepth).to.equal(1);
      expect(pool.stats()).to.deep.equal(stats(1, 0, 0, count + 1, 0));
    });
  });

  describe('.cancel()', () => {
    it('removes a queued job, which then never runs', () => {
      const started: string[] = [];
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(5));
      const jobs = ['a', 'b', 'c', 'd'].map((name) => recordingJob(name, started));
      for (const job of jobs) pool.submit(job);
      expect(pool.stats().queued).to.equal(3);

      expect(pool.cancel(jobs[2])).to.equal(true);
      expect(pool.stats()).to.deep.equal(stats(1, 1, 2, 0, 0));
      expect([...pool.queue]).to.deep.equal([jobs[1], jobs[3]]);

      for (let i = 0; i < 3; i++) pool.release();
      expect(started).to.deep.equal(['a', 'b', 'd']);
      expect(pool.stats()).to.deep.equal(stats(1, 0, 0, 3, 0));
    });

    it('removes by the job’s entry without walking or polling the queue (O(1))', () => {
      const queue = new JobQueue<PoolJob>(1_000);
      const pool = new WorkerPool(1, queue);
      const jobs = Array.from({ length: 1_000 }, (_, i) => recordingJob(String(i), []));
      for (const job of jobs) pool.submit(job);
      const target = jobs[500];
      const entry = target.queueEntry;
      expect(entry).to.not.equal(undefined);
      expect(queue.holds(entry!)).to.equal(true);

      const removed: unknown[] = [];
      const remove = queue.remove.bind(queue);
      queue.remove = (e) => {
        removed.push(e);
        return remove(e);
      };
      queue.poll = () => expect.fail('cancel() must not poll the queue');
      queue[Symbol.iterator] = () => expect.fail('cancel() must not iterate the queue');

      expect(pool.cancel(target)).to.equal(true);
      expect(removed).to.deep.equal([entry]);
      expect(removed[0]).to.equal(entry);
      expect(queue.holds(entry!)).to.equal(false);
      expect(queue.size).to.equal(998);
      expect(target.queueEntry).to.equal(undefined);
    });

    it('returns false for a running job', () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(5));
      const running = recordingJob('a', []);
      pool.submit(running);
      expect(pool.cancel(running)).to.equal(false);
      expect(pool.stats()).to.deep.equal(stats(1, 1, 0, 0, 0));
    });

    it('returns false for a job that was queued and has since started', () => {
      const started: string[] = [];
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(5));
      pool.submit(recordingJob('a', started));
      const queued = recordingJob('b', started);
      pool.submit(queued);
      pool.release();
      expect(started).to.deep.equal(['a', 'b']);
      expect(pool.cancel(queued)).to.equal(false);
      expect(pool.stats()).to.deep.equal(stats(1, 1, 0, 1, 0));
    });

    it('returns false for an unknown job and for a job cancelled twice', () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(5));
      expect(pool.cancel(recordingJob('x', []))).to.equal(false);
      pool.submit(recordingJob('a', []));
      const queued = recordingJob('b', []);
      pool.submit(queued);
      expect(pool.cancel(queued)).to.equal(true);
      expect(pool.cancel(queued)).to.equal(false);
      expect(pool.stats()).to.deep.equal(stats(1, 1, 0, 0, 0));
    });

    it('returns false for a rejected job', () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(1));
      pool.submit(recordingJob('a', []));
      pool.submit(recordingJob('b', []));
      const rejected = recordingJob('c', []);
      expect(pool.submit(rejected)).to.equal('rejected');
      expect(pool.cancel(rejected)).to.equal(false);
      expect(pool.stats()).to.deep.equal(stats(1, 1, 1, 0, 1));
    });
  });

  describe('at rest', () => {
    it('a pool of 100,000 workers creates no timers and costs little heap', () => {
      const resourcesBefore = process.getActiveResourcesInfo().sort();
      const heapBefore = process.memoryUsage().heapUsed;
      const pool = new WorkerPool(100_000, new JobQueue<PoolJob>(1_000));
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      const resourcesAfter = process.getActiveResourcesInfo().sort();

      expect(pool.stats()).to.deep.equal(stats(100_000, 0, 0, 0, 0));
      expect(pool.stats().idle).to.equal(100_000);
      expect(resourcesAfter).to.deep.equal(resourcesBefore);
      // A worker at rest is a count, not an object: a few hundred bytes in all.
      expect(heapGrowth).to.be.lessThan(1024 * 1024);
    });
  });

  describe('.run()', () => {
    it('resolves with a synchronous result and frees the worker', async () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(1));
      expect(await pool.run(() => 42)).to.equal(42);
      expect(pool.stats()).to.deep.equal(stats(1, 0, 0, 1, 0));
    });

    it('resolves with an asynchronous result and frees the worker once it settles', async () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(1));
      const result = deferred<string>();
      const run = pool.run(() => result.promise);
      expect(pool.stats()).to.deep.equal(stats(1, 1, 0, 0, 0));
      result.resolve('done');
      expect(await run).to.equal('done');
      expect(pool.stats()).to.deep.equal(stats(1, 0, 0, 1, 0));
    });

    it('rejects with a thrown error and frees the worker', async () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(1));
      const boom = new Error('boom');
      const error = await rejectionOf(
        pool.run(() => {
          throw boom;
        }),
      );
      expect(error).to.equal(boom);
      expect(pool.stats()).to.deep.equal(stats(1, 0, 0, 1, 0));
    });

    it('rejects with a rejected promise’s reason and frees the worker', async () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(1));
      const result = deferred<never>();
      const run = pool.run(() => result.promise);
      const boom = new Error('boom');
      result.reject(boom);
      expect(await rejectionOf(run)).to.equal(boom);
      expect(pool.stats()).to.deep.equal(stats(1, 0, 0, 1, 0));
    });

    it('queues a task while workers are busy and starts it when one frees', async () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(1));
      const first = deferred<string>();
      const calls: string[] = [];
      const a = pool.run(() => {
        calls.push('a');
        return first.promise;
      });
      const b = pool.run(() => {
        calls.push('b');
        return 'b';
      });
      expect(calls).to.deep.equal(['a']);
      expect(pool.stats()).to.deep.equal(stats(1, 1, 1, 0, 0));
      first.resolve('a');
      expect(await a).to.equal('a');
      expect(await b).to.equal('b');
      expect(calls).to.deep.equal(['a', 'b']);
      expect(pool.stats()).to.deep.equal(stats(1, 0, 0, 2, 0));
    });

    it('rejects with QueueFullError when the queue is full, without running the task', async () => {
      const pool = new WorkerPool(1, new JobQueue<PoolJob>(1));
      const first = deferred<number>();
      const a = pool.run(() => first.promise);
      const b = pool.run(() => 2);
      let ranC = false;
      const error = await rejectionOf(
        pool.run(() => {
          ranC = true;
          return 3;
        }),
      );

      expect(error).to.be.instanceOf(QueueFullError);
      expect(error).to.be.instanceOf(HttpPoolError);
      expect(error).to.include({ code: 'HTTPPOOL_QUEUE_FULL', statusCode: 503 });
      expect(pool.stats()).to.deep.equal(stats(1, 1, 1, 0, 1));

      first.resolve(1);
      expect(await a).to.equal(1);
      expect(await b).to.equal(2);
      expect(ranC).to.equal(false);
      expect(pool.stats()).to.deep.equal(stats(1, 0, 0, 2, 1));
    });
  });
});
