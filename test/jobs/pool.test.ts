// The pool over HTTP: one worker, one queue slot, and handlers the test
// releases by hand, so which request runs, waits or is shed is deterministic.

import { expect } from 'chai';
import { Controller, Get, type HttpPoolApp, type HttpRequest, type HttpResponse } from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { inFlight, rejectionOf, waitFor } from '../helpers/wait-for';

/** Gates by request name: `/gated/a` waits on `gates.get('a')`. */
const gates = new Map<string, Deferred<void>>();
/** Names of the requests whose handler ran, in order. */
const invoked: string[] = [];

function gate(name: string): Deferred<void> {
  const created = deferred();
  gates.set(name, created);
  return created;
}

@Controller()
class GatedController {
  @Get('/gated/:name')
  async gated(_res: HttpResponse, req: HttpRequest) {
    const name = req.params.name as string;
    invoked.push(name);
    await gates.get(name)?.promise;
    return { name };
  }
}

describe('worker pool over HTTP', () => {
  const startApp = appStarter({
    beforeClose: () => {
      for (const pending of gates.values()) pending.resolve();
    },
  });

  beforeEach(() => {
    gates.clear();
    invoked.length = 0;
  });

  async function startSmallApp() {
    return startApp({ controllers: [GatedController], workers: 1, queueSize: 1 });
  }

  /** Fills the small app: request `a` runs, `b` waits in the queue (aborted through `signal`, if given). */
  async function runAQueueB(app: HttpPoolApp, url: string, signal?: AbortSignal) {
    const first = inFlight(fetch(`${url}/gated/a`));
    await waitFor(() => app.pool.stats().busy === 1, 'a to run');
    const second = inFlight(fetch(`${url}/gated/b`, signal === undefined ? {} : { signal }));
    await waitFor(() => app.pool.stats().queued === 1, 'b to be queued');
    return { first, second };
  }

  it('runs the first request, queues the second and sheds the third with 503 and Retry-After', async () => {
    const { app, url } = await startSmallApp();
    const a = gate('a');
    const b = gate('b');

    const { first, second } = await runAQueueB(app, url);
    expect(invoked).to.deep.equal(['a']);

    const third = await fetch(`${url}/gated/c`);
    expect(third.status).to.equal(503);
    expect(third.headers.get('retry-after')).to.equal('1');
    expect(third.headers.get('content-type')).to.match(/^application\/json/);
    const body = (await third.json()) as { message: unknown };
    expect(body).to.deep.equal({ statusCode: 503, error: 'Service Unavailable', message: body.message });
    expect(body.message).to.be.a('string').that.is.not.empty;
    expect(invoked).to.deep.equal(['a']);
    expect(app.pool.stats()).to.include({ busy: 1, queued: 1, rejected: 1, completed: 0 });

    a.resolve();
    const firstResponse = await first;
    expect(firstResponse.status).to.equal(200);
    expect(await firstResponse.json()).to.deep.equal({ name: 'a' });
    await waitFor(() => invoked.includes('b'), 'b to start');
    expect(app.pool.stats()).to.include({ busy: 1, queued: 0 });

    b.resolve();
    const secondResponse = await second;
    expect(secondResponse.status).to.equal(200);
    expect(await secondResponse.json()).to.deep.equal({ name: 'b' });
    expect(invoked).to.deep.equal(['a', 'b']);
    await waitFor(() => app.pool.stats().busy === 0, 'the worker to be free');
    expect(app.pool.stats()).to.include({ busy: 0, queued: 0, completed: 2, rejected: 1 });
  });

  it('removes a queued request whose client disconnects, and never runs it', async () => {
    const { app, url } = await startSmallApp();
    const a = gate('a');

    const abort = new AbortController();
    const { first, second } = await runAQueueB(app, url, abort.signal);

    abort.abort();
    const failure = await rejectionOf(second);
    expect(failure).to.have.property('name', 'AbortError');
    await waitFor(() => app.pool.stats().queued === 0, 'b to leave the queue');
    expect(app.pool.stats()).to.include({ busy: 1, queued: 0 });

    // Had b stayed queued, freeing the worker would run it before c.
    a.resolve();
    expect((await first).status).to.equal(200);
    const third = await fetch(`${url}/gated/c`);
    expect(await third.json()).to.deep.equal({ name: 'c' });
    expect(invoked).to.deep.equal(['a', 'c']);
    await waitFor(() => app.pool.stats().busy === 0, 'the worker to be free');
    expect(app.pool.stats()).to.include({ completed: 2, rejected: 0 });
  });

  it('frees the queue slot of a request whose client left, so the next request is queued, not shed', async () => {
    const { app, url } = await startSmallApp();
    const a = gate('a');
    gate('c').resolve();

    const abort = new AbortController();
    const { first, second } = await runAQueueB(app, url, abort.signal);
    abort.abort();
    await rejectionOf(second);
    await waitFor(() => app.pool.stats().queued === 0, 'b to leave the queue');

    const third = inFlight(fetch(`${url}/gated/c`));
    await waitFor(() => app.pool.stats().queued === 1, 'c to be queued');
    expect(app.pool.stats().rejected).to.equal(0);

    a.resolve();
    expect((await first).status).to.equal(200);
    expect(await (await third).json()).to.deep.equal({ name: 'c' });
    expect(invoked).to.deep.equal(['a', 'c']);
  });

  it('app.pool.resize(2) starts a queued request at once', async () => {
    const { app, url } = await startSmallApp();
    const a = gate('a');
    const b = gate('b');

    const { first, second } = await runAQueueB(app, url);
    expect(invoked).to.deep.equal(['a']);

    app.pool.resize(2);
    // Synchronously: the grown pool took the queued job and ran its handler.
    expect(app.pool.stats()).to.include({ workers: 2, busy: 2, queued: 0 });
    expect(invoked).to.deep.equal(['a', 'b']);

    // b finishes while a still holds the other worker.
    b.resolve();
    expect(await (await second).json()).to.deep.equal({ name: 'b' });
    await waitFor(() => app.pool.stats().busy === 1, 'b to free its worker');
    a.resolve();
    expect(await (await first).json()).to.deep.equal({ name: 'a' });
    await waitFor(() => app.pool.stats().busy === 0, 'a to free its worker');
    expect(app.pool.stats()).to.include({ workers: 2, completed: 2 });
  });
});
