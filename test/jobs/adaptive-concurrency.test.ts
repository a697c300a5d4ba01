// workers: 'auto' — the gradient limit on a clock and an event-loop delay the
// test sets, then over HTTP: the pool grows while jobs stay fast and shrinks
// when they slow down, every request answered once.

import { expect } from 'chai';
import {
  AdaptiveConcurrency,
  BUSY_LOOP,
  checkAdaptiveWorkers,
  COSTLY_ANSWER_MS,
  LOOP_TARGET_MS,
  MATERIAL_CPU_SHARE,
  WINDOW_MS,
  WINDOW_SAMPLES,
} from '../../src/jobs/adaptive-concurrency';
import { resolveOptions } from '../../src/options';
import { WaitController } from '../helpers/wait-controller';
import { appStarter } from '../helpers/start-app';

/** A pool that records its sizes; `inFlight` is what the test says runs. */
class SizedPool {
  sizes: number[] = [];
  inFlight = 0;
  resize(n: number): void {
    this.sizes.push(n);
  }
}

describe('AdaptiveConcurrency', () => {
  let now: number;
  let loop: { p99Ms: number; busy: number };
  let pool: SizedPool;
  const limiter = (min = 4, max = 1000): AdaptiveConcurrency =>
    new AdaptiveConcurrency(
      { min, max },
      pool,
      () => loop,
      () => now,
    );
  /**
   * One window of completed jobs, each of `runMs`, with the pool used up to
   * `inFlight`. Each held the thread for `cpuMs` (all of its run unless told:
   * the loop is the jobs'), and `refused` requests were answered 503 beside them.
   */
  const window = (
    limit: AdaptiveConcurrency,
    runMs: number,
    inFlight = limit.limit,
    { cpuMs = runMs, refused = 0 }: { cpuMs?: number; refused?: number } = {},
  ): void => {
    pool.inFlight = inFlight;
    for (let i = 0; i < refused; i++) limit.refused();
    for (let i = 0; i < WINDOW_SAMPLES; i++) {
      now += WINDOW_MS / WINDOW_SAMPLES;
      limit.ran(runMs, cpuMs);
    }
  };
  /** A window's worth of answers that each cost the loop 1/10 of COSTLY_ANSWER_MS. */
  const cheapAnswers = (WINDOW_MS / COSTLY_ANSWER_MS) * 10;
  /** The loads of a loop busy with HTTP work: jobs that take ~none of it, many 503s beside them. */
  const httpBound = { cpuMs: 0.001, refused: cheapAnswers };
  beforeEach(() => {
    now = 1000;
    loop = { p99Ms: 0, busy: 0.5 };
    pool = new SizedPool();
  });

  it('starts at min and sizes the pool to it', () => {
    const limit = limiter(6, 50);
    expect(limit.limit).to.equal(6);
    expect(pool.sizes).to.deep.equal([6]);
  });

  it('doubles while the pool is used up and nothing slows (slow start), up to max', () => {
    const limit = limiter(4, 40);
    for (let i = 0; i < 5; i++) window(limit, 10);
    expect(pool.sizes).to.deep.equal([4, 8, 16, 32, 40]);
  });

  it('does not grow a pool that did not use its limit', () => {
    const limit = limiter(4, 40);
    window(limit, 10, 2);
    window(limit, 10, 3);
    expect(limit.limit).to.equal(4);
  });

  it('waits for a whole window: enough jobs and enough time', () => {
    const limit = limiter(4, 40);
    pool.inFlight = 4;
    for (let i = 0; i < WINDOW_SAMPLES * 3; i++) limit.ran(10, 10); // many jobs, no time
    expect(limit.limit).to.equal(4);
    now += WINDOW_MS;
    limit.ran(10, 10);
    expect(limit.limit).to.equal(8);
  });

  it('shrinks by the gradient once jobs run slower than 1.25 × the baseline, at most by half a window', () => {
    const limit = limiter(4, 1000);
    for (let i = 0; i < 4; i++) window(limit, 10); // 4 → 64
    expect(limit.limit).to.equal(64);
    window(limit, 12.5); // at the tolerance: no congestion, and a used-up pool grows
    expect(limit.limit).to.equal(128);
    window(limit, 20); // gradient 1.25 × 10 / 20 = 0.625
    expect(limit.limit).to.equal(80);
    window(limit, 100); // gradient 0.125, clamped to 0.5
    expect(limit.limit).to.equal(40);
    expect(limit.stats()).to.include({ limit: 40, runMs: 100 });
  });

  it('after the first congestion, grows by √limit a window instead of doubling', () => {
    const limit = limiter(4, 1000);
    for (let i = 0; i < 4; i++) window(limit, 10); // 64
    window(limit, 40); // halves: 32
    expect(limit.limit).to.equal(32);
    window(limit, 10);
    expect(limit.limit).to.equal(32 + 6);
    window(limit, 10);
    expect(limit.limit).to.equal(38 + 7);
  });

  it('starts slow start again when the jobs run in under half the baseline: the work changed', () => {
    const limit = limiter(4, 1000);
    for (let i = 0; i < 3; i++) window(limit, 10); // 32
    window(limit, 40); // 16
    window(limit, 4); // a faster handler took over: doubling again
    expect(limit.limit).to.equal(32);
    window(limit, 4);
    expect(limit.limit).to.equal(64);
    expect(limit.stats().baselineMs).to.equal(4);
  });

  it('shrinks when the event loop is late, even while the jobs it measures stay fast', () => {
    const limit = limiter(4, 1000);
    for (let i = 0; i < 3; i++) window(limit, 10); // 32
    loop = { p99Ms: LOOP_TARGET_MS * 2, busy: 1 };
    window(limit, 10);
    expect(limit.limit).to.equal(16);
    expect(limit.stats().loopDelayMs).to.equal(LOOP_TARGET_MS * 2);
  });

  it('takes a late loop for congestion only when the jobs keep it busy: a 503 costs it as much as a 200', () => {
    const limit = limiter(4, 1000);
    for (let i = 0; i < 3; i++) window(limit, 10); // 32
    loop = { p99Ms: LOOP_TARGET_MS * 2, busy: 1 };
    const cpuMs = (MATERIAL_CPU_SHARE * (WINDOW_MS / WINDOW_SAMPLES)) / 2; // half the share that counts
    window(limit, 10, 32, { cpuMs, refused: cheapAnswers });
    expect(limit.limit).to.equal(64);
    window(limit, 10, 64, { cpuMs: cpuMs * 4, refused: cheapAnswers }); // twice the share that counts
    expect(limit.limit).to.equal(32);
  });

  it('takes the loop for the jobs when it spends far more on each answer than an answer costs (CPU after an await)', () => {
    const limit = limiter(4, 1000);
    for (let i = 0; i < 3; i++) window(limit, 10); // 32
    loop = { p99Ms: LOOP_TARGET_MS * 2, busy: 1 };
    window(limit, 10, 32, { cpuMs: 0.001 }); // 16 answers in 50 ms of a busy loop: ~3 ms each
    expect(limit.limit).to.equal(16);
  });

  it('does not read slower jobs on a loop busy with other work as congestion, but does on a loop with room', () => {
    const limit = limiter(4, 1000);
    for (let i = 0; i < 3; i++) window(limit, 10); // 32
    loop = { p99Ms: 0, busy: BUSY_LOOP };
    window(limit, 20, 32, httpBound); // the loop resumed them late: still slow start
    expect(limit.limit).to.equal(64);
    loop = { p99Ms: 0, busy: BUSY_LOOP / 2 };
    window(limit, 20, 64, httpBound); // nothing else delays them: gradient 1.25 × 10 / 20
    expect(limit.limit).to.equal(40);
  });

  it('never goes below min', () => {
    const limit = limiter(4, 1000);
    window(limit, 10);
    for (let i = 0; i < 5; i++) window(limit, 1000);
    expect(limit.limit).to.equal(4);
  });

  it('forgets a baseline slowly: a handler that stays slower becomes the new normal', () => {
    const limit = limiter(4, 1000);
    window(limit, 10);
    const baselineBefore = limit.stats().baselineMs;
    for (let i = 0; i < 200; i++) window(limit, 15, 1); // 10 s of windows, each within tolerance, the pool not used up
    const { baselineMs } = limit.stats();
    expect(baselineBefore).to.equal(10);
    expect(baselineMs).to.be.greaterThan(10).and.below(15);
  });

  it('forgets ten times slower while the pool is used up: the slowdown is partly its own', () => {
    const idle = limiter(4, 4); // max = min, so the limit stays and only the baseline moves
    const busy = limiter(4, 4);
    window(idle, 10, 1);
    window(busy, 10, 4);
    for (let i = 0; i < 200; i++) {
      window(idle, 15, 1);
      window(busy, 15, 4);
    }
    const learned = (limit: AdaptiveConcurrency): number => limit.stats().baselineMs - 10;
    expect(learned(busy)).to.be.greaterThan(0);
    expect(learned(busy) * 5).to.be.below(learned(idle));
  });

  it('needMore doubles the limit at each call until the first congestion, then, while the jobs keep the loop busy, grows one step a window, never past max', () => {
    loop = { p99Ms: 0, busy: 1 };
    const limit = limiter(4, 40);
    expect(limit.needMore()).to.equal(true);
    expect(limit.needMore()).to.equal(true);
    expect(limit.limit).to.equal(16);
    window(limit, 10); // 32
    window(limit, 100); // congested: 16
    expect(limit.needMore()).to.equal(false);
    expect(limit.limit).to.equal(16);
    window(limit, 10, 4); // healthy again, not used up: stays 16
    expect(limit.needMore()).to.equal(true); // past slow start: √16
    expect(limit.limit).to.equal(20);
    expect(limit.needMore()).to.equal(false); // once a window
    window(limit, 10); // used up, but it already grew this window
    expect(limit.limit).to.equal(20);
    for (let i = 0; i < 4; i++) {
      limit.needMore();
      window(limit, 10, 4);
    }
    expect(limit.limit).to.equal(40);
    expect(limit.needMore()).to.equal(false); // at max
  });

  it('needMore takes a step at every call past slow start while the loop is not held by the jobs', () => {
    const limit = limiter(4, 1000);
    for (let i = 0; i < 3; i++) window(limit, 10); // 32
    window(limit, 100); // congested: 16, past slow start
    loop = { p99Ms: 0, busy: 1 };
    window(limit, 10, 4, httpBound); // healthy, and the loop busy with HTTP work, not the jobs
    expect(limit.limit).to.equal(16);
    expect(limit.needMore()).to.equal(true); // +√16
    expect(limit.needMore()).to.equal(true); // +⌈√20⌉
    expect(limit.limit).to.equal(25);
  });

  it('checks the option', () => {
    expect(checkAdaptiveWorkers('auto')).to.deep.equal({ min: 4, max: 10_000 });
    expect(checkAdaptiveWorkers({ max: 64 })).to.deep.equal({ min: 4, max: 64 });
    expect(checkAdaptiveWorkers({ min: 16 })).to.deep.equal({ min: 16, max: 10_000 });
    expect(checkAdaptiveWorkers(8)).to.equal(undefined);
    expect(() => checkAdaptiveWorkers({ min: 10, max: 5 })).to.throw(RangeError, 'min (10) must not exceed max (5)');
    expect(() => checkAdaptiveWorkers({ most: 5 })).to.throw(TypeError, 'Unknown option "workers.most"');
    expect(() => resolveOptions({ workers: 'many' as 'auto' })).to.throw(
      RangeError,
      'Option "workers" must be a positive integer',
    );
    expect(resolveOptions({ workers: { min: 2, max: 9 } })).to.deep.include({
      workers: 2,
      adaptiveWorkers: { min: 2, max: 9 },
    });
  });
});

describe("workers: 'auto' over HTTP", () => {
  const startApp = appStarter();

  /** `clients` loops of requests to `path` for `ms`; resolves with every status. */
  async function load(url: string, clients: number, ms: number): Promise<number[]> {
    const until = performance.now() + ms;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < until) statuses.push((await fetch(url)).status);
      }),
    );
    return statuses;
  }

  it('grows while jobs stay fast, shrinks as they slow down, and answers every request', async function () {
    this.timeout(10_000);
    const { app, url } = await startApp({
      controllers: [WaitController],
      workers: { min: 2, max: 200 },
      queueSize: 500,
    });
    expect(app.stats().workers).to.equal(2);
    // 40 clients on a 40 ms job need 40 workers; the clients in this process can make that many.
    const fast = await load(`${url}/wait/40`, 40, 1000);
    const grown = app.stats().concurrency?.limit ?? 0;
    expect(grown).to.be.at.least(32);
    expect(app.stats().workers).to.equal(grown);
    // Five times slower, the same 40 clients: past the tolerance, so the limit must come down.
    const slow = await load(`${url}/wait/200`, 40, 1200);
    const shrunk = app.stats().concurrency?.limit ?? 0;
    expect(shrunk).to.be.below(grown);
    expect(app.stats().concurrency?.runMs).to.be.at.least(150);
    const statuses = [...fast, ...slow];
    expect(statuses.filter((status) => status !== 200 && status !== 503)).to.deep.equal([]);
    const answered = Object.values(app.stats().responses).reduce((sum, count) => sum + count, 0);
    expect(answered).to.equal(statuses.length);
  });

  it('a burst past the queue grows the pool instead of being shed, while nothing is slow', async () => {
    const { app, url } = await startApp({ controllers: [WaitController], workers: 'auto', queueSize: 10 });
    // 200 at once on 4 workers and a queue of 10: a fixed pool would shed 186 of them.
    const statuses = await Promise.all(Array.from({ length: 200 }, async () => (await fetch(`${url}/wait/20`)).status));
    expect(statuses.filter((status) => status === 200).length).to.equal(200);
    expect(app.stats().workers).to.be.at.least(16);
    expect(app.stats().shed.queue_full).to.equal(0);
  });
});
