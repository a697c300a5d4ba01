// FakePool: hold the only worker, watch the next request queue, be shed or
// time out, and start jobs one by one, without sleeps.

import { expect } from 'chai';
import { Controller, Get, type Complete, type HttpRequest, type HttpResponse } from '../../src/index';
import { createTestApp, FakePool } from '../../src/testing/index';
import type { HttpPoolApp } from '../../src/app';

@Controller()
class PagesController {
  @Get('/page/:n')
  page(_res: HttpResponse, req: HttpRequest) {
    return { page: req.params.n };
  }

  @Get('/hang')
  hang(_res: HttpResponse, _req: HttpRequest, _complete: Complete): void {
    // Ends only by its deadline.
  }
}

describe('FakePool', () => {
  const apps: HttpPoolApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  const build = async (pool: FakePool, options: Parameters<typeof createTestApp>[0] = {}) => {
    const app = await createTestApp({ controllers: [PagesController], pool, ...options });
    apps.push(app);
    return app;
  };

  it('holds every request until the test starts it, and records what it was given', async () => {
    const pool = new FakePool();
    const app = await build(pool);
    const first = app.inject('/page/1');
    const second = app.inject('/page/2');
    await pool.submitted(2);
    expect(pool.jobs.map((job) => [job.request, job.state])).to.deep.equal([
      ['GET /page/1', 'queued'],
      ['GET /page/2', 'queued'],
    ]);
    expect(app.stats()).to.include({ busy: 0, queued: 2 });
    pool.start();
    expect((await first).json()).to.deep.equal({ page: '1' });
    expect(pool.jobs.map((job) => job.state)).to.deep.equal(['done', 'queued']);
    pool.start();
    expect((await second).json()).to.deep.equal({ page: '2' });
    expect(app.stats()).to.include({ busy: 0, queued: 0, completed: 2 });
  });

  it('sheds with 503 once queueSize requests are held', async () => {
    const pool = new FakePool({ queueSize: 1 });
    const app = await build(pool);
    const held = app.inject('/page/1');
    await pool.submitted(1);
    const shed = await app.inject('/page/2');
    expect(shed.statusCode).to.equal(503);
    expect(pool.jobs[1]?.state).to.equal('rejected');
    pool.startAll();
    expect((await held).statusCode).to.equal(200);
  });

  it('lets a held request reach its queue deadline: 503, and the job is cancelled', async () => {
    const pool = new FakePool();
    const app = await build(pool, { queueTimeoutMs: 30 });
    const res = await app.inject('/page/1');
    expect(res.statusCode).to.equal(503);
    expect((res.json() as { message: string }).message).to.match(/waited more than 30 ms/);
    expect(pool.jobs[0]?.state).to.equal('cancelled');
  });

  it('with autoStart, runs like a pool of that size: the only worker busy, the next request waits for it', async () => {
    const pool = new FakePool({ autoStart: 1 });
    const app = await build(pool, { handlerTimeoutMs: 50 });
    const hung = app.inject('/hang');
    await pool.submitted(1);
    expect(pool.jobs[0]?.state).to.equal('running');
    const next = app.inject('/page/2');
    await pool.submitted(2);
    expect(pool.jobs[1]?.state).to.equal('queued');
    expect((await hung).statusCode).to.equal(504);
    // The timed-out job gave its worker back, and the held one started on it.
    expect((await next).json()).to.deep.equal({ page: '2' });
    expect(pool.jobs.map((job) => job.state)).to.deep.equal(['done', 'done']);
  });

  it('runs pool.run() tasks only when started, like any job', async () => {
    const pool = new FakePool();
    const result = pool.run(() => 42);
    await pool.submitted(1);
    expect(pool.jobs[0]).to.include({ request: undefined, state: 'queued' });
    pool.start();
    expect(await result).to.equal(42);
    expect(pool.stats()).to.include({ busy: 0, completed: 1 });
  });

  it('start() with nothing held throws at once', () => {
    expect(() => new FakePool().start()).to.throw(/no job is held/);
  });
});
