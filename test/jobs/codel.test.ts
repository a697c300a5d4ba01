// CoDel on a clock the test moves, and over HTTP: a standing queue drops the
// jobs that waited past twice the target; a burst that drains is left alone.

import { expect } from 'chai';
import { checkCodel, Codel } from '../../src/jobs/codel';
import { WaitController } from '../helpers/wait-controller';
import { appStarter } from '../helpers/start-app';

describe('Codel', () => {
  let now = 0;
  const codel = (): Codel => new Codel({ targetMs: 5, intervalMs: 100 }, () => now);
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

  it('checks the option', () => {
    expect(checkCodel(true)).to.deep.equal({ targetMs: 5, intervalMs: 100 });
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
});
