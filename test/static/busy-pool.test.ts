// Static files take no pool worker: with the one worker held and the queue
// full, a route is shed with 503 while files are still served.

import { expect } from 'chai';
import { Controller, Get } from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { inFlight, waitFor } from '../helpers/wait-for';
import { get, patterned, tempFolders } from './fixtures';

let gate: Deferred<void> = deferred();

@Controller()
class HeldController {
  @Get('/held')
  async held() {
    await gate.promise;
    return { done: true };
  }
}

describe('static: a busy pool', () => {
  const makeFolder = tempFolders();
  const startApp = appStarter({ beforeClose: () => gate.resolve() });

  beforeEach(() => {
    gate = deferred();
  });

  it('still serves files, cached and streamed, while routes are shed with 503', async () => {
    const big = patterned(300 * 1024);
    const root = await makeFolder({ 'site.css': 'body{}', 'big.bin': big });
    const { app, url, port } = await startApp({
      controllers: [HeldController],
      workers: 1,
      queueSize: 1,
      static: [{ prefix: '/s', root }],
    });
    const running = inFlight(fetch(`${url}/held`));
    await waitFor(() => app.pool.stats().busy === 1, 'the worker to be held');
    const queued = inFlight(fetch(`${url}/held`));
    await waitFor(() => app.pool.stats().queued === 1, 'the queue to fill');
    expect((await fetch(`${url}/held`)).status).to.equal(503);

    for (let i = 0; i < 3; i++) {
      const css = await get(port, '/s/site.css');
      expect(css.status).to.equal(200);
      expect(css.body.toString()).to.equal('body{}');
    }
    const streamed = await get(port, '/s/big.bin');
    expect(streamed.body.equals(big)).to.equal(true);
    expect((await get(port, '/s/missing.css')).status).to.equal(404);
    expect(app.stats()).to.include({ busy: 1, queued: 1, completed: 0, rejected: 1 });
    expect(app.stats().static).to.include({ misses: 2, hits: 2 });

    gate.resolve();
    expect((await running).status).to.equal(200);
    expect((await queued).status).to.equal(200);
  });
});
