// Route priorities under overload: sheddable requests are refused once the
// queue is half full, normal ones when it is full, and a critical one meeting
// a full queue takes the place of the newest queued job that is not critical.

import { expect } from 'chai';
import { Controller, Get } from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { inFlight, rejectionOf, waitFor } from '../helpers/wait-for';

let gate: Deferred<void> = deferred();
const served: string[] = [];

@Controller()
class PriorityController {
  @Get('/normal/:n')
  async normal(_res: unknown, req: { params: { n: string } }): Promise<string> {
    await gate.promise;
    served.push(`normal ${req.params.n}`);
    return 'normal';
  }

  @Get('/report', { priority: 'sheddable' })
  async report(): Promise<string> {
    await gate.promise;
    served.push('report');
    return 'report';
  }

  @Get('/checkout', { priority: 'critical' })
  async checkout(): Promise<string> {
    await gate.promise;
    served.push('checkout');
    return 'checkout';
  }
}

describe('route priorities', () => {
  const startApp = appStarter({ beforeClose: () => gate.resolve() });
  beforeEach(() => {
    gate = deferred();
    served.length = 0;
  });

  it('refuses sheddable work once the queue is half full, normal work when it is full, and makes room for critical work', async () => {
    const { app, url } = await startApp({ controllers: [PriorityController], workers: 1, queueSize: 4 });
    const get = (path: string): Promise<Response> => inFlight(fetch(`${url}${path}`));
    const running = get('/normal/0');
    await waitFor(() => app.pool.stats().busy === 1, 'the worker busy');
    const queued = [get('/normal/1'), get('/normal/2')];
    await waitFor(() => app.pool.stats().queued === 2, 'the queue half full');
    expect((await fetch(`${url}/report`)).status).to.equal(503); // sheddable: half full is full for it
    queued.push(get('/normal/3'), get('/normal/4'));
    await waitFor(() => app.pool.stats().queued === 4, 'the queue full');
    expect((await fetch(`${url}/normal/5`)).status).to.equal(503); // normal: full
    const critical = get('/checkout');
    // The newest normal job gives its place up to the critical one.
    expect((await queued[3])?.status).to.equal(503);
    expect(app.pool.stats().queued).to.equal(4);
    gate.resolve();
    expect((await critical).status).to.equal(200);
    expect((await running).status).to.equal(200);
    for (const response of queued.slice(0, 3)) expect((await response).status).to.equal(200);
    expect(served).to.have.members(['normal 0', 'normal 1', 'normal 2', 'normal 3', 'checkout']);
    expect(app.stats().shed.queue_full).to.equal(3);
    expect(app.stats().responses).to.include({ 200: 5, 503: 3 });
  });

  it('sheds a critical request only when every queued job is critical too', async () => {
    const { app, url } = await startApp({ controllers: [PriorityController], workers: 1, queueSize: 2 });
    const running = inFlight(fetch(`${url}/checkout`));
    await waitFor(() => app.pool.stats().busy === 1, 'the worker busy');
    const queued = [inFlight(fetch(`${url}/checkout`)), inFlight(fetch(`${url}/checkout`))];
    await waitFor(() => app.pool.stats().queued === 2, 'the queue full of critical jobs');
    expect((await fetch(`${url}/checkout`)).status).to.equal(503);
    gate.resolve();
    for (const response of [running, ...queued]) expect((await response).status).to.equal(200);
  });

  it('refuses an unknown priority at bootstrap, naming the route', async () => {
    @Controller()
    class Bad {
      @Get('/x', { priority: 'urgent' as never })
      x(): string {
        return 'x';
      }
    }
    const error = await rejectionOf(startApp({ controllers: [Bad] }));
    expect((error as Error).message).to.equal(
      `Route Bad.x: priority must be 'critical', 'normal' or 'sheddable', got "urgent"`,
    );
  });
});
