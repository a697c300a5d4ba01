// Deadlines over HTTP: queueTimeoutMs, handlerTimeoutMs and a route's timeoutMs.

import { expect } from 'chai';
import { Controller, Get, type Complete, type HttpRequest, type HttpResponse } from '../../src/index';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { inFlight, waitFor } from '../helpers/wait-for';

let gate: Deferred<void> = deferred();
let runs: string[] = [];
let aborts: string[] = [];
let lateCompleted: Deferred<void> = deferred();

@Controller()
class TimedController {
  @Get('/hold')
  async hold(): Promise<string> {
    runs.push('hold');
    await gate.promise;
    return 'held';
  }

  @Get('/queued')
  queued(): string {
    runs.push('queued');
    return 'ran';
  }

  // Takes `complete` and never calls it: only a deadline can end it.
  @Get('/stuck')
  stuck(_res: HttpResponse, req: HttpRequest, _complete: Complete): void {
    runs.push('stuck');
    req.signal.addEventListener('abort', () => aborts.push((req.signal.reason as DOMException).name));
  }

  @Get('/stuck-100', { timeoutMs: 100 })
  stuck100(_res: HttpResponse, req: HttpRequest, complete: Complete): void {
    this.stuck(_res, req, complete);
  }

  // No deadline for this route even when the app has one.
  @Get('/patient', { timeoutMs: 0 })
  async patient(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 250));
    return 'patient';
  }

  // Completes after its deadline: the late complete() must change nothing.
  @Get('/late')
  late(res: HttpResponse, _req: HttpRequest, complete: Complete): void {
    runs.push('late');
    setTimeout(() => {
      res.end('too late');
      complete();
      lateCompleted.resolve();
    }, 200);
  }
}

describe('deadlines', () => {
  const startApp = appStarter({ beforeClose: () => gate.resolve() });

  beforeEach(() => {
    gate = deferred();
    runs = [];
    aborts = [];
    lateCompleted = deferred();
  });

  it('queueTimeoutMs: a job that waited too long is answered 503 with Retry-After and never runs', async () => {
    const { app, url } = await startApp({ controllers: [TimedController], workers: 1, queueTimeoutMs: 100 });
    const holding = inFlight(fetch(`${url}/hold`));
    await waitFor(() => app.pool.stats().busy === 1, 'the worker held');
    const started = performance.now();
    const response = await fetch(`${url}/queued`);
    const waited = performance.now() - started;
    expect(response.status).to.equal(503);
    expect(response.headers.get('retry-after')).to.equal('1');
    expect(await response.json()).to.deep.equal({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Request waited more than 100 ms for a worker',
    });
    expect(waited).to.be.at.least(95);
    expect(app.pool.stats()).to.include({ queued: 0, busy: 1 });
    gate.resolve();
    expect(await (await holding).text()).to.equal('held');
    expect(runs).to.deep.equal(['hold']);
  });

  it('handlerTimeoutMs: 504, req.signal aborts with TimeoutError, the worker goes to the next job', async () => {
    const logs = captureLogs('warn');
    const { app, url } = await startApp({
      controllers: [TimedController],
      workers: 1,
      handlerTimeoutMs: 100,
      logger: logs.logger,
    });
    const stuck = inFlight(fetch(`${url}/stuck`));
    await waitFor(() => app.pool.stats().busy === 1, 'the stuck handler running');
    const next = inFlight(fetch(`${url}/queued`));
    const response = await stuck;
    expect(response.status).to.equal(504);
    expect(await response.json()).to.deep.equal({
      statusCode: 504,
      error: 'Gateway Timeout',
      message: 'Handler did not finish within 100 ms',
    });
    expect(await (await next).text()).to.equal('ran');
    expect(aborts).to.deep.equal(['TimeoutError']);
    expect(app.pool.stats()).to.include({ busy: 0, completed: 2 });
    const warning = logs.lines.find((line) => line.level === LEVELS.warn);
    expect(warning).to.include({
      route: 'TimedController.stuck',
      timeoutMs: 100,
      msg: 'handler timeout: answering 504',
    });
  });

  it('a deadline is honoured close to its time, not early', async () => {
    const { url } = await startApp({ controllers: [TimedController], handlerTimeoutMs: 200 });
    const started = performance.now();
    const response = await fetch(`${url}/stuck`);
    const elapsed = performance.now() - started;
    expect(response.status).to.equal(504);
    expect(elapsed).to.be.at.least(195);
    // The sweep runs every 20 ms; the rest of the margin is for a loaded CI machine.
    expect(elapsed).to.be.below(200 + 400);
  });

  it("a route's timeoutMs overrides the app's, both ways", async () => {
    const { url } = await startApp({ controllers: [TimedController], handlerTimeoutMs: 150 });
    const [short, none] = await Promise.all([fetch(`${url}/stuck-100`), fetch(`${url}/patient`)]);
    expect(short.status).to.equal(504);
    expect(((await short.json()) as { message: string }).message).to.contain('100 ms');
    expect(none.status).to.equal(200);
    expect(await none.text()).to.equal('patient');
  });

  it('handlerTimeoutMs 0 means no deadline', async () => {
    const { app, url } = await startApp({ controllers: [TimedController], handlerTimeoutMs: 0 });
    const holding = inFlight(fetch(`${url}/hold`));
    await waitFor(() => app.pool.stats().busy === 1, 'the handler running');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(app.pool.stats().busy).to.equal(1);
    gate.resolve();
    expect((await holding).status).to.equal(200);
  });

  it('a handler that completes after its deadline changes nothing: one 504, the worker freed once', async () => {
    const { app, url } = await startApp({ controllers: [TimedController], workers: 1, handlerTimeoutMs: 100 });
    const response = await fetch(`${url}/late`);
    expect(response.status).to.equal(504);
    await lateCompleted.promise;
    expect(app.pool.stats()).to.include({ busy: 0, completed: 1 });
    expect((await fetch(`${url}/queued`)).status).to.equal(200);
    expect(app.pool.stats()).to.include({ busy: 0, completed: 2 });
  });
});
