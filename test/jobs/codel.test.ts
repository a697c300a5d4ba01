// CoDel on a clock the test moves, and over HTTP: a standing queue drops the
// jobs that waited past twice the target; a burst that drains is left alone;
// with adaptive LIFO a standing queue serves its newest first.

import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Controller, Get } from '../../src/index';
import { checkCodel, Codel } from '../../src/jobs/codel';
import { WaitController } from '../helpers/wait-controller';
import { appStarter } from '../helpers/start-app';

// GET /order/:n waits 20 ms; the order in which requests started is kept.
const started: number[] = [];
@Controller()
class OrderController {
  @Get('/order/:n')
  async order(_res: unknown, req: { params: { n: string } }): Promise<string> {
    started.push(Number(req.params.n));
    await sleep(20);
    return 'done';
  }
}

describe('Codel', () => {
  let now = 0;
  const codel = (adaptiveLifo = false): Codel => new Codel({ targetMs: 5, intervalMs: 100, adaptiveLifo }, () => now);
  // Ninety milliseconds of takes that each see a queue that stood `standingMs`, then the next interval's first take.
  const standFor = (queue: Codel, standingMs: number): void => {
    for (let i = 0; i < 9; i++) {
      now += 10;
      queue.shouldDrop(0, standingMs);
    }
    now += 11;
    queue.shouldDrop(0, standingMs);
  };
  beforeEach(() => {
    now = 1000;
  });

  it('drops nothing in the first interval, whatever the waits', () => {
    const queue = codel();
    for (let i = 0; i < 10; i++) {
      now += 5;
      expect(queue.shouldDrop(50)).to.equal(false);
    }
    expect(queue.isOverloaded).to.equal(false);
  });

  it('after an interval whose smallest wait passed the target, drops jobs that waited more than twice it', () => {
    const queue = codel();
    for (let i = 0; i < 9; i++) {
      now += 10;
      queue.shouldDrop(8); // never under 5 ms, for the first 90 ms
    }
    now += 11; // past the interval's end
    expect(queue.shouldDrop(30)).to.equal(false); // the interval's first job decides, and runs
    expect(queue.isOverloaded).to.equal(true);
    expect(queue.shouldDrop(11)).to.equal(true);
    expect(queue.shouldDrop(10)).to.equal(false); // not more than twice the target
  });

  it('leaves a queue alone once one job in an interval waited under the target', () => {
    const queue = codel();
    for (let i = 0; i < 9; i++) {
      now += 10;
      queue.shouldDrop(i === 5 ? 2 : 40); // it emptied once
    }
    now += 11;
    queue.shouldDrop(40);
    expect(queue.isOverloaded).to.equal(false);
    expect(queue.shouldDrop(40)).to.equal(false);
  });

  it('with adaptive LIFO, the standing time decides overload, though each job taken waited nothing', () => {
    const lifo = codel(true);
    standFor(lifo, 8);
    expect(lifo.isOverloaded).to.equal(true);
    expect(lifo.servesNewestFirst).to.equal(true);
    standFor(lifo, Number.POSITIVE_INFINITY); // newest first: never left empty
    expect(lifo.servesNewestFirst).to.equal(true);
    expect(lifo.shouldDrop(1, Number.POSITIVE_INFINITY)).to.equal(false); // the newest, served
    expect(lifo.isStale(11)).to.equal(true); // the head, shed
    expect(lifo.isStale(10)).to.equal(false);
    standFor(lifo, 0); // a take left the queue empty: back to FIFO
    expect(lifo.servesNewestFirst).to.equal(false);
    expect(lifo.isStale(50)).to.equal(false);
  });

  it('without adaptive LIFO, an overloaded queue stays FIFO', () => {
    const fifo = codel(false);
    standFor(fifo, 8);
    expect(fifo.isOverloaded).to.equal(true);
    expect(fifo.servesNewestFirst).to.equal(false);
  });

  it('checks the option', () => {
    expect(checkCodel(true)).to.deep.equal({ targetMs: 5, intervalMs: 100, adaptiveLifo: false });
    expect(checkCodel({ adaptiveLifo: true })).to.deep.equal({ targetMs: 5, intervalMs: 100, adaptiveLifo: true });
    expect(() => checkCodel({ adaptiveLifo: 'yes' })).to.throw(TypeError, '"codel.adaptiveLifo" must be a boolean');
    expect(() => checkCodel('on')).to.throw(TypeError, 'Option "codel" must be a boolean or an object');
    expect(checkCodel(false)).to.equal(undefined);
    expect(() => checkCodel({ target: 5 })).to.throw(TypeError, 'Unknown option "codel.target"');
    expect(() => checkCodel({ intervalMs: 0 })).to.throw(RangeError, 'must be a positive integer, got 0');
  });
});

describe('codel over HTTP', () => {
  const startApp = appStarter();

  it('drops jobs of a standing queue with 503 (shed: queue_delay), each request answered once', async function () {
    this.timeout(10_000);
    const { app, url } = await startApp({
      controllers: [WaitController],
      workers: 2,
      queueSize: 200,
      codel: { targetMs: 5, intervalMs: 50 },
    });
    // 60 requests of 20 ms on 2 workers: a queue that stands for ~600 ms.
    const statuses = await Promise.all(Array.from({ length: 60 }, async () => (await fetch(`${url}/wait/20`)).status));
    const dropped = statuses.filter((status) => status === 503).length;
    expect(dropped).to.be.greaterThan(10);
    expect(statuses.filter((status) => status === 200).length + dropped).to.equal(60);
    expect(app.stats().shed.queue_delay).to.equal(dropped);
  });

  it('leaves a burst that drains within the interval alone', async () => {
    const { app, url } = await startApp({ controllers: [WaitController], workers: 2, codel: true });
    const statuses = await Promise.all(Array.from({ length: 6 }, async () => (await fetch(`${url}/wait/1`)).status));
    expect(statuses).to.deep.equal(Array(6).fill(200));
    expect(app.stats().shed.queue_delay).to.equal(0);
  });

  it('with adaptive LIFO, a standing queue serves the newest first and sheds its stale head, each request answered once', async function () {
    this.timeout(10_000);
    started.length = 0;
    const { app, url } = await startApp({
      controllers: [OrderController],
      workers: 3,
      queueSize: 200,
      codel: { targetMs: 10, intervalMs: 50, adaptiveLifo: true },
    });
    // 100 requests, one every 2 ms, on 3 workers of 20 ms: arrivals at over 3× what they serve.
    const answers: Array<Promise<number>> = [];
    for (let n = 0; n < 100; n++) {
      answers.push(fetch(`${url}/order/${n}`).then((response) => response.status));
      await sleep(2);
    }
    const statuses = await Promise.all(answers);
    const served = statuses.filter((status) => status === 200).length;
    expect(served + statuses.filter((status) => status === 503).length).to.equal(100);
    expect(app.stats().shed.queue_delay).to.equal(100 - served);
    expect(served).to.equal(started.length);
    // FIFO would start them in the order they came; newest-first starts some well ahead of older ones.
    // FIFO would start them in the order they came; newest-first starts a later one before an older one it serves too.
    expect(started.some((n, i) => i > 0 && n < (started[i - 1] as number))).to.equal(true);
    // The last to come were the newest when a worker freed: served, where FIFO would have shed them as stale.
    expect(statuses.slice(-5)).to.include(200);
  });
});
