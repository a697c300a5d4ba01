// RecentWaits on a clock the test moves, and app.stats()'s queueWait and
// overloaded over HTTP.

import { expect } from 'chai';
import { Controller, Get } from '../../src/index';
import { RecentWaits } from '../../src/observe/recent-waits';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { inFlight, waitFor } from '../helpers/wait-for';

describe('RecentWaits', () => {
  let now = 0;
  beforeEach(() => {
    now = 50_000;
  });

  it('gives p50 and p99 of the waits recorded in the last 10 s, zeros when there are none', () => {
    const waits = new RecentWaits(() => now);
    expect(waits.stats()).to.deep.equal({ p50: 0, p99: 0, jobs: 0 });
    for (let ms = 1; ms <= 100; ms++) waits.record(ms);
    expect(waits.stats()).to.deep.equal({ p50: 51, p99: 100, jobs: 100 });
    now += 10_001;
    waits.record(7);
    expect(waits.stats()).to.deep.equal({ p50: 7, p99: 7, jobs: 1 });
  });

  it('keeps the last 1,024 jobs only', () => {
    const waits = new RecentWaits(() => now);
    for (let i = 0; i < 2000; i++) waits.record(i < 1000 ? 1000 : 1);
    expect(waits.stats()).to.deep.equal({ p50: 1, p99: 1000, jobs: 1024 });
  });
});

let gate: Deferred<void> = deferred();

@Controller()
class GatedController {
  @Get('/gated')
  async gated(): Promise<string> {
    await gate.promise;
    return 'done';
  }
}

describe('app.stats(): queueWait and overloaded', () => {
  const startApp = appStarter({ beforeClose: () => gate.resolve() });
  beforeEach(() => {
    gate = deferred();
  });

  it('show the queue wait of recent jobs, and overload while the app sheds', async () => {
    const { app, url } = await startApp({ controllers: [GatedController], workers: 1, queueSize: 1 });
    expect(app.stats()).to.include({ overloaded: false });
    const first = inFlight(fetch(`${url}/gated`));
    await waitFor(() => app.pool.stats().busy === 1, 'the worker busy');
    const second = inFlight(fetch(`${url}/gated`));
    await waitFor(() => app.pool.stats().queued === 1, 'the queue full');
    expect((await fetch(`${url}/gated`)).status).to.equal(503);
    expect(app.stats().overloaded).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    gate.resolve();
    await Promise.all([first, second]);
    const { queueWait } = app.stats();
    expect(queueWait.jobs).to.equal(2);
    expect(queueWait.p99).to.be.at.least(50); // the second waited for the first
  });
});
