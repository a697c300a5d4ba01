// RetryAfter on a clock the test moves, and over HTTP: a shed client is told
// the queue's expected drain time, clamped to 1–30 s.

import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get } from '../../src/index';
import { RetryAfter } from '../../src/jobs/retry-after';
import { appStarter } from '../helpers/start-app';
import { inFlight, waitFor } from '../helpers/wait-for';

describe('RetryAfter', () => {
  let now = 0;
  let queued = 0;
  const clock = (): number => now;
  beforeEach(() => {
    now = 5000;
    queued = 0;
  });

  function completeOver(retry: RetryAfter, count: number, ms: number): void {
    for (let i = 0; i < count; i++) {
      now += ms / count;
      retry.completed(now);
    }
  }

  it('says 1 s before anything was measured', () => {
    queued = 1000;
    expect(new RetryAfter(() => queued, clock).seconds()).to.equal(1);
  });

  it('is the queue depth over the completion rate, rounded up', () => {
    const retry = new RetryAfter(() => queued, clock);
    completeOver(retry, 100, 1000); // 100 a second
    now += 1; // the window closes with the next reading
    queued = 250;
    expect(retry.seconds()).to.equal(3);
    queued = 50;
    expect(retry.seconds()).to.equal(1);
  });

  it('follows a slower rate within a few seconds (a moving average over 1 s windows)', () => {
    const retry = new RetryAfter(() => queued, clock);
    completeOver(retry, 100, 1000);
    queued = 100;
    const told: number[] = [];
    for (let second = 0; second < 4; second++) {
      completeOver(retry, 10, 1000); // now 10 a second
      now += 1;
      told.push(retry.seconds());
    }
    // 100 → 55 → 32.5 → 21 → 15.6 a second: 100 queued drain in 2, 4, 5, 7 s.
    expect(told).to.deep.equal([2, 4, 5, 7]);
  });

  it('clamps to 30 s, and says 30 s when nothing completes while jobs wait', () => {
    const retry = new RetryAfter(() => queued, clock);
    completeOver(retry, 2, 1000);
    now += 1;
    queued = 1000;
    expect(retry.seconds()).to.equal(30);
    now += 5000; // stuck: nothing done for 5 s with 1000 waiting
    expect(retry.seconds()).to.equal(30);
  });

  it('forgets the rate of an app that sat idle, rather than calling it slow', () => {
    const retry = new RetryAfter(() => queued, clock);
    completeOver(retry, 2, 1000);
    now += 60_000; // an idle minute, nothing queued
    retry.completed(now);
    queued = 500;
    expect(retry.seconds()).to.equal(1);
  });
});

@Controller()
class SlowController {
  @Get('/slow')
  async slow(): Promise<string> {
    await sleep(300);
    return 'done';
  }
}

describe('Retry-After over HTTP', () => {
  const startApp = appStarter();

  it('tells a shed client the queue drain time once a slow rate was measured', async function () {
    this.timeout(8000);
    const { app, url } = await startApp({
      controllers: [SlowController],
      workers: 1,
      queueSize: 8,
      shutdownTimeoutMs: 100,
    });
    const first = await fetch(`${url}/slow`); // the window starts measuring from here
    expect(first.status).to.equal(200);
    const held = Array.from({ length: 9 }, () => inFlight(fetch(`${url}/slow`)));
    await waitFor(() => app.pool.stats().queued === 8, 'the queue full');
    const early = await fetch(`${url}/slow`);
    expect(early.status).to.equal(503);
    expect(early.headers.get('retry-after')).to.equal('1'); // no second measured yet
    // Sixty more shed while the queue is full: turned away, not done, so they must not count as a drain.
    const sheds = Array.from({ length: 60 }, () => inFlight(fetch(`${url}/slow`)));
    const statuses = await Promise.all(sheds.map(async (response) => (await response).status));
    expect(statuses.filter((status) => status === 503).length).to.be.at.least(50);
    await sleep(1300); // four done: about 3 a second
    const refill = Array.from({ length: 4 }, () => inFlight(fetch(`${url}/slow`)));
    await waitFor(() => app.pool.stats().queued === 8, 'the queue full again');
    const shed = await fetch(`${url}/slow`);
    expect(shed.status).to.equal(503);
    // 8 queued at ~3 a second: about 3 s, and more than the 1 s said before anything was measured.
    expect(Number(shed.headers.get('retry-after'))).to.be.within(2, 5);
    void Promise.allSettled([...held, ...refill, ...sheds]);
  });
});
