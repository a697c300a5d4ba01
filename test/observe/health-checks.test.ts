// The health option: liveness and readiness for load balancers, answered
// outside the pool; readiness 503 while the app drains and, as an option,
// while it sheds.

import { expect } from 'chai';
import { Controller, Get, HttpPoolApp, RouteDefinitionError } from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { rejectionOf, waitFor } from '../helpers/wait-for';

let hold: Deferred<void> = deferred();

@Controller()
class WorkController {
  @Get('/hold')
  async held() {
    await hold.promise;
    return 'held';
  }
}

describe('health checks', () => {
  const startApp = appStarter({ beforeClose: () => hold.resolve() });
  beforeEach(() => {
    hold = deferred();
  });

  /** Fills the only worker and the one queue slot. */
  async function fill(url: string, app: HttpPoolApp): Promise<Promise<Response>[]> {
    const running = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().busy === 1, 'the only worker busy');
    const queued = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().queued === 1, 'the queue full');
    return [running, queued];
  }

  it('answer live and ready outside the pool, with the only worker busy and the queue full', async () => {
    const { url, app } = await startApp({ controllers: [WorkController], health: true, workers: 1, queueSize: 1 });
    const held = await fill(url, app);
    const live = await fetch(`${url}/livez`);
    expect(live.status).to.equal(200);
    expect(live.headers.get('cache-control')).to.equal('no-store');
    expect(await live.json()).to.deep.equal({ status: 'live' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status, 'shedding does not make it unready by default').to.equal(200);
    expect(await ready.json()).to.deep.equal({ status: 'ready' });
    hold.resolve();
    await Promise.all(held);
  });

  it('with notReadyWhileShedding, readiness is 503 while the queue is full or a request was shed in the last second', async () => {
    const { url, app } = await startApp({
      controllers: [WorkController],
      health: { notReadyWhileShedding: true, readyPath: '/ready' },
      workers: 1,
      queueSize: 1,
    });
    expect((await fetch(`${url}/ready`)).status).to.equal(200);
    const held = await fill(url, app);
    const shedding = await fetch(`${url}/ready`);
    expect(shedding.status).to.equal(503);
    expect(await shedding.json()).to.deep.equal({ status: 'shedding' });
    expect((await fetch(`${url}/hold`)).status, 'shed').to.equal(503);
    hold.resolve();
    await Promise.all(held);
    expect((await fetch(`${url}/ready`)).status, 'shed within the last second').to.equal(503);
    await waitFor(() => app.stats().shed.queue_full === 1, 'one shed counted');
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await fetch(`${url}/ready`)).status, 'a second later').to.equal(200);
  });

  it('with shutdownDelayMs, close() answers readiness 503 while it still serves, then drains', async () => {
    const { url, app } = await startApp({ controllers: [WorkController], health: { shutdownDelayMs: 300 } });
    expect((await fetch(`${url}/readyz`)).status).to.equal(200);
    const started = performance.now();
    const closing = app.close();
    const draining = await fetch(`${url}/readyz`);
    expect(draining.status).to.equal(503);
    expect(await draining.json()).to.deep.equal({ status: 'draining' });
    expect((await fetch(`${url}/livez`)).status).to.equal(200);
    hold.resolve();
    expect(await (await fetch(`${url}/hold`)).text(), 'routes still served during the delay').to.equal('held');
    await closing;
    expect(performance.now() - started).to.be.at.least(290);
    await fetch(`${url}/readyz`).then(
      () => expect.fail('still accepting after close()'),
      (error: Error) => expect(error).to.be.an('error'),
    );
  });

  it('answer through inject(), and HEAD with headers only', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [WorkController], health: true, logger: false });
    try {
      expect((await app.inject({ url: '/livez' })).json()).to.deep.equal({ status: 'live' });
      const head = await app.inject({ method: 'HEAD', url: '/readyz' });
      expect(head.statusCode).to.equal(200);
      expect(head.body).to.equal('');
    } finally {
      await app.close();
    }
  });

  it('are refused at bootstrap where a route would be hidden, or an option is wrong', async () => {
    @Controller()
    class AtLivez {
      @Get('/livez')
      live() {
        return 'mine';
      }
    }
    const refused = (await rejectionOf(
      HttpPoolApp.bootstrap({ controllers: [AtLivez], health: true, logger: false }),
    )) as Error;
    expect(refused).to.be.instanceOf(RouteDefinitionError);
    expect(refused.message).to.match(/is at the path of the liveness check/);
    for (const [value, message] of [
      [{ live: '/l' }, /Unknown option "health.live"/],
      [{ livePath: 'livez' }, /"health.livePath" must be a path/],
      [{ livePath: '/x', readyPath: '/x' }, /must differ/],
      [{ notReadyWhileShedding: 'yes' }, /must be a boolean/],
      [{ shutdownDelayMs: -1 }, /"health.shutdownDelayMs" must be a whole number/],
    ] as const) {
      expect(
        ((await rejectionOf(HttpPoolApp.bootstrap({ health: value as never, logger: false }))) as Error).message,
        JSON.stringify(value),
      ).to.match(message);
    }
  });
});
