// The statusPage option: the page, its event stream and its assets, answered
// outside the pool to loopback clients (or with the token), while the pool is
// full and while the app drains; one sample per tick whoever watches.

import { expect } from 'chai';
import { Controller, Get, HttpPoolApp, RouteDefinitionError } from '../../src/index';
import type { StatusPage } from '../../src/status/status-page';
import type { StatusFrame } from '../../src/status/status-sampler';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { waitFor, within } from '../helpers/wait-for';
import { openEventStream, type EventStreamClient } from '../helpers/event-stream-client';

let hold: Deferred<void> = deferred();

@Controller()
class WorkController {
  @Get('/hold')
  async held() {
    await hold.promise;
    return 'held';
  }
  @Get('/ok')
  ok() {
    return 'ok';
  }
}

const NOT_FOUND = { statusCode: 404, error: 'Not Found', message: 'No route for GET on this path' };
const TOKEN = 'a-long-enough-secret-token';

/** The app's status page, to tick its sampler by hand instead of waiting a second. */
function pageOf(app: HttpPoolApp): StatusPage {
  return (app as unknown as { statusPage: StatusPage }).statusPage;
}

function framesOf(client: EventStreamClient): StatusFrame[] {
  return client.events.map((event) => event.data as StatusFrame);
}

describe('status page', () => {
  const streams: EventStreamClient[] = [];
  const startApp = appStarter({
    beforeClose: () => {
      hold.resolve();
      for (const stream of streams.splice(0)) stream.close();
    },
  });
  beforeEach(() => {
    hold = deferred();
  });
  async function stream(url: string, headers?: Record<string, string>): Promise<EventStreamClient> {
    const client = await openEventStream(url, headers);
    streams.push(client);
    return client;
  }

  it('serves the page at /_httppool with an ETag, and 304 for a matching If-None-Match', async () => {
    const { url } = await startApp({ statusPage: true });
    const page = await fetch(`${url}/_httppool`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).to.include('/_httppool/assets/status.js').and.include('data-events="/_httppool/events"');
    const etag = page.headers.get('etag') as string;
    const again = await fetch(`${url}/_httppool`, { headers: { 'if-none-match': etag } });
    expect(again.status).to.equal(304);
  });

  for (const [asset, type] of [
    ['status.js', 'javascript'],
    ['status.css', 'text/css'],
  ]) {
    it(`serves assets/${asset} through the static files, with an ETag and 304`, async () => {
      const { url } = await startApp({ statusPage: { path: '/ops/status' } });
      const first = await fetch(`${url}/ops/status/assets/${asset}`);
      expect(first.status).to.equal(200);
      expect(first.headers.get('content-type')).to.include(type);
      expect((await first.text()).length).to.be.greaterThan(100);
      const etag = first.headers.get('etag');
      expect(etag).to.be.a('string');
      const again = await fetch(`${url}/ops/status/assets/${asset}`, { headers: { 'if-none-match': etag as string } });
      expect(again.status).to.equal(304);
    });
  }

  it('answers 404 for an asset that is not there, and for the page when it is off', async () => {
    const { url } = await startApp({ statusPage: true });
    expect((await fetch(`${url}/_httppool/assets/nope.js`)).status).to.equal(404);
    const { url: off } = await startApp({});
    const res = await fetch(`${off}/_httppool`);
    expect(res.status).to.equal(404);
    expect(await res.json()).to.deep.equal(NOT_FOUND);
  });

  describe('the event stream', () => {
    it('is text/event-stream with retry:, then id:/event:/data: lines, one per tick', async () => {
      const { url, app } = await startApp({ statusPage: true, controllers: [WorkController] });
      const client = await stream(`${url}/_httppool/events`);
      expect(client.res.statusCode).to.equal(200);
      expect(client.res.headers['content-type']).to.equal('text/event-stream; charset=utf-8');
      expect(client.res.headers['cache-control']).to.equal('no-store');
      await waitFor(() => client.text.startsWith('retry: 2000\n\n'), 'the retry line');
      await fetch(`${url}/ok`);
      await fetch(`${url}/nope`);
      pageOf(app).sampler.tick();
      await waitFor(() => client.events.length === 1, 'one event');
      expect(client.text).to.match(/\nid: 1\nevent: sample\ndata: \{.*\}\n\n$/);
      const [frame] = framesOf(client) as [StatusFrame];
      expect(frame.processes).to.have.length(1);
      expect(frame.processes[0]).to.include({ pid: process.pid, ok: 1, clientError: 1, serverError: 0, shed: 0 });
      expect(frame.processes[0]).to.include.keys('queued', 'busy', 'workers', 'loopDelayP99', 'heapUsed');
      pageOf(app).sampler.tick();
      await waitFor(() => client.events.length === 2, 'a second event');
      expect(client.events[1]).to.include({ id: 2 });
      expect(framesOf(client)[1]?.processes[0]).to.include({ ok: 0, clientError: 0 });
    });

    it('gives a new viewer the kept history at once, and a reconnect with Last-Event-ID only what it missed', async () => {
      const { url, app } = await startApp({ statusPage: true });
      for (let i = 0; i < 5; i++) pageOf(app).sampler.tick();
      const fresh = await stream(`${url}/_httppool/events`);
      await waitFor(() => fresh.events.length === 5, 'the history');
      expect(fresh.events.map((event) => event.id)).to.deep.equal([1, 2, 3, 4, 5]);
      const back = await stream(`${url}/_httppool/events`, { 'last-event-id': '3' });
      await waitFor(() => back.events.length === 2, 'what it missed');
      expect(back.events.map((event) => event.id)).to.deep.equal([4, 5]);
    });

    it('takes one sample per tick for two viewers, and both get the same event', async () => {
      const { url, app } = await startApp({ statusPage: true });
      const one = await stream(`${url}/_httppool/events`);
      const two = await stream(`${url}/_httppool/events`);
      await waitFor(() => pageOf(app).stream.size === 2, 'two viewers');
      let reads = 0;
      const stats = app.stats.bind(app);
      app.stats = () => {
        reads++;
        return stats();
      };
      pageOf(app).sampler.tick();
      await waitFor(() => one.events.length === 1 && two.events.length === 1, 'an event each');
      expect(reads).to.equal(1);
      expect(one.text).to.equal(two.text);
    });

    it('removes a viewer that leaves, and records its request in the access log when it ends', async () => {
      const { url, app } = await startApp({ statusPage: true });
      const client = await stream(`${url}/_httppool/events`);
      await waitFor(() => pageOf(app).stream.size === 1, 'the viewer');
      expect(app.stats().responses).to.deep.equal({});
      client.close();
      await waitFor(() => pageOf(app).stream.size === 0, 'the viewer gone');
      await waitFor(() => app.stats().responses['200'] === 1, 'the stream recorded once it ended');
      pageOf(app).sampler.tick(); // no viewer to write to: nothing throws
    });

    it("shows the adaptive limit with workers: 'auto', and none with a fixed size", async () => {
      const auto = await startApp({ statusPage: true, workers: { min: 3, max: 50 } });
      const client = await stream(`${auto.url}/_httppool/events`);
      pageOf(auto.app).sampler.tick();
      await waitFor(() => client.events.length === 1, 'an event');
      expect(framesOf(client)[0]?.processes[0]).to.include({ limit: 3, workers: 3 });
      const fixed = await startApp({ statusPage: true, workers: 3 });
      const other = await stream(`${fixed.url}/_httppool/events`);
      pageOf(fixed.app).sampler.tick();
      await waitFor(() => other.events.length === 1, 'an event');
      expect(framesOf(other)[0]?.processes[0]).not.to.have.property('limit');
    });

    it('shows busy threads when the threads option is on', async () => {
      const { url, app } = await startApp({ statusPage: true, threads: 1 });
      const client = await stream(`${url}/_httppool/events`);
      pageOf(app).sampler.tick();
      await waitFor(() => client.events.length === 1, 'an event');
      expect(framesOf(client)[0]?.processes[0]).to.include({ threads: 1, busyThreads: 0 });
    });
  });

  describe('access', () => {
    it('refuses a remote client with the 404 any unknown path gets, and never the page', async () => {
      const app = await HttpPoolApp.bootstrap({ logger: false, statusPage: true });
      try {
        for (const url of ['/_httppool', '/_httppool/events', '/_httppool/assets/status.js']) {
          const res = await app.inject({ url, remoteAddress: '203.0.113.9' });
          expect(res.statusCode, url).to.equal(404);
          expect(res.json(), url).to.deep.equal(NOT_FOUND);
        }
        for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
          const res = await app.inject({ url: '/_httppool', remoteAddress: address });
          expect(res.statusCode, address).to.equal(200);
        }
        const mapped = await app.inject({ url: '/_httppool', remoteAddress: '::ffff:10.0.0.1' });
        expect(mapped.statusCode).to.equal(404);
      } finally {
        await app.close();
      }
    });

    it('opens to a remote client with the token: Bearer, ?token= (which sets the cookie) or the cookie', async () => {
      const app = await HttpPoolApp.bootstrap({ logger: false, statusPage: { token: TOKEN } });
      const remoteAddress = '198.51.100.7';
      try {
        const bearer = await app.inject({
          url: '/_httppool',
          remoteAddress,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(bearer.statusCode).to.equal(200);
        const query = await app.inject({ url: `/_httppool?token=${TOKEN}`, remoteAddress });
        expect(query.statusCode).to.equal(200);
        const cookie = String(query.headers['set-cookie']);
        expect(cookie).to.include(`httppool_status=${TOKEN}`).and.include('HttpOnly').and.include('Path=/_httppool');
        const withCookie = await app.inject({
          url: '/_httppool/assets/status.css',
          remoteAddress,
          headers: { cookie: cookie.split(';')[0] as string },
        });
        expect(withCookie.statusCode).to.equal(200);
        for (const headers of [
          { authorization: `Bearer ${TOKEN}x` },
          { authorization: 'Bearer short' },
          { cookie: 'httppool_status=wrong-token-of-some-length' },
          {},
        ]) {
          const refused = await app.inject({ url: '/_httppool', remoteAddress, headers });
          expect(refused.statusCode, JSON.stringify(headers)).to.equal(404);
        }
        expect((await app.inject({ url: '/_httppool?token=nope', remoteAddress })).statusCode).to.equal(404);
      } finally {
        await app.close();
      }
    });

    it('serves everyone with allowRemote', async () => {
      const app = await HttpPoolApp.bootstrap({ logger: false, statusPage: { allowRemote: true } });
      try {
        expect((await app.inject({ url: '/_httppool', remoteAddress: '203.0.113.9' })).statusCode).to.equal(200);
      } finally {
        await app.close();
      }
    });

    it('answers only GET and HEAD', async () => {
      const { url } = await startApp({ statusPage: true });
      expect((await fetch(`${url}/_httppool`, { method: 'HEAD' })).status).to.equal(200);
      expect((await fetch(`${url}/_httppool`, { method: 'POST' })).status).to.equal(404);
    });
  });

  describe('under overload and while draining', () => {
    it('answers the page and the stream with the only worker busy and the queue full', async () => {
      const { url, app } = await startApp({
        statusPage: true,
        controllers: [WorkController],
        workers: 1,
        queueSize: 1,
      });
      const running = fetch(`${url}/hold`);
      await waitFor(() => app.pool.stats().busy === 1, 'the only worker busy');
      const queued = fetch(`${url}/hold`);
      await waitFor(() => app.pool.stats().queued === 1, 'the queue full');
      expect((await fetch(`${url}/hold`)).status, 'the pool sheds').to.equal(503);
      expect((await fetch(`${url}/_httppool`)).status).to.equal(200);
      const client = await stream(`${url}/_httppool/events`);
      pageOf(app).sampler.tick();
      await waitFor(() => client.events.length === 1, 'an event');
      expect(framesOf(client)[0]?.processes[0]).to.include({ busy: 1, queued: 1, workers: 1, shed: 1 });
      hold.resolve();
      await Promise.all([running, queued]);
    });

    it('answers while the app drains; a stream opened then gets its history and ends', async () => {
      const { url, app } = await startApp({ statusPage: true, controllers: [WorkController] });
      pageOf(app).sampler.tick();
      const running = fetch(`${url}/hold`);
      await waitFor(() => app.pool.stats().busy === 1, 'a job running');
      const closed = app.close();
      await waitFor(() => (app as unknown as { jobs: { isClosing: boolean } }).jobs.isClosing, 'draining');
      // The listener is closed by now: the requests come through dispatch, as on an open connection.
      expect((await app.inject('/ok')).statusCode, 'the routes are closed').to.equal(503);
      expect((await app.inject('/_httppool')).statusCode, 'the page still answers').to.equal(200);
      const events = await app.inject('/_httppool/events');
      expect(events.statusCode).to.equal(200);
      expect(events.body).to.match(/^retry: 2000\n\nid: 1\nevent: sample\ndata: \{.*\}\n\n$/);
      hold.resolve();
      await running;
      await closed;
    });

    it('close() ends an open stream at once instead of waiting out shutdownTimeoutMs', async () => {
      const { url, app } = await startApp({ statusPage: true, shutdownTimeoutMs: 60_000 });
      const client = await stream(`${url}/_httppool/events`);
      await waitFor(() => pageOf(app).stream.size === 1, 'the viewer');
      await within(app.close(), 'app.close() with a viewer connected', 1000);
      await within(client.ended, 'the stream to end', 1000);
    });
  });

  describe('options', () => {
    @Controller('/_httppool')
    class ShadowedController {
      @Get('/events')
      events() {
        return 'never reached';
      }
    }

    it("refuses a route at the page's stream at bootstrap, naming it", async () => {
      const error = await HttpPoolApp.bootstrap({
        logger: false,
        statusPage: true,
        controllers: [ShadowedController],
      }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect((error as Error).message)
        .to.include('ShadowedController.events')
        .and.include('statusPage.path');
    });

    const cases: [unknown, RegExp][] = [
      ['yes', /Option "statusPage" must be true, false or \{ path, token, allowRemote \}/],
      [{ path: 'status' }, /Option "statusPage.path" must be a path starting with '\/'/],
      [{ path: '/status/' }, /Option "statusPage.path"/],
      [{ path: '/status?x=1' }, /Option "statusPage.path"/],
      [{ token: 'short' }, /Option "statusPage.token" must be a string of at least 16 characters/],
      [{ token: 'has a space in it, long enough' }, /Option "statusPage.token"/],
      [{ allowRemote: 'yes' }, /Option "statusPage.allowRemote" must be a boolean/],
      [{ tick: 5 }, /Unknown option "statusPage.tick"/],
    ];
    for (const [value, message] of cases) {
      it(`rejects statusPage: ${JSON.stringify(value)}`, async () => {
        const error = await HttpPoolApp.bootstrap({ logger: false, statusPage: value as never }).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error).to.be.instanceOf(TypeError);
        expect((error as Error).message).to.match(message);
      });
    }
  });
});
