// The app's life over HTTP: listen, dispatch glued into another server,
// graceful close, request ids, and req.signal.

import { expect } from 'chai';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  Controller,
  Get,
  HttpPoolApp,
  Post,
  type Complete,
  type HttpRequest,
  type HttpResponse,
} from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { openSocket, parseResponse, readUntilClose } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { inFlight, rejectionOf, turns, waitFor, within } from '../helpers/wait-for';

// A generated id: the process's random prefix, then a counter in base 36.
const GENERATED_ID = /^[0-9a-z]{6}-[0-9a-z]{1,5}$/;

/** Gates by request name: `/life/gated/a` waits on `gates.get('a')`. */
const gates = new Map<string, Deferred<void>>();
/** Settled by the handlers of `/life/abort` and `/life/upload`, for the test to follow them. */
let aborted: Deferred<unknown> = deferred();
let bodyRead: Deferred<number> = deferred();
/** Settled by `/life/own-listeners` with the error its own 'error' listener heard. */
let ownErrorHeard: Deferred<string> = deferred();

function gate(name: string): Deferred<void> {
  const created = deferred();
  gates.set(name, created);
  return created;
}

@Controller('/life')
class LifeController {
  @Get('/gated/:name')
  async gated(_res: HttpResponse, req: HttpRequest) {
    await gates.get(req.params.name as string)?.promise;
    return { name: req.params.name };
  }

  @Get('/fast')
  fast() {
    return { fast: true };
  }

  @Get('/whoami/:name')
  whoami(_res: HttpResponse, req: HttpRequest) {
    req.log.debug('whoami');
    return {
      params: req.params,
      query: req.query,
      id: req.id,
      signalAborted: req.signal.aborted,
      logs: typeof req.log.info === 'function',
    };
  }

  @Get('/abort')
  waitForAbort(_res: HttpResponse, req: HttpRequest, complete: Complete) {
    req.signal.addEventListener('abort', () => {
      aborted.resolve(req.signal.reason);
      complete();
    });
  }

  // Takes every 'close' listener off its response, listens for 'error' itself,
  // then writes after the end: the job must still hear both events.
  @Get('/own-listeners')
  ownListeners(res: HttpResponse, _req: HttpRequest, complete: Complete) {
    res.removeAllListeners('close');
    res.on('error', (error: Error) => ownErrorHeard.resolve(error.message));
    res.end('done');
    res.write('late');
    complete();
  }

  @Post('/upload')
  async upload(_res: HttpResponse, req: HttpRequest) {
    const signal = req.signal;
    let abortEvents = 0;
    signal.addEventListener('abort', () => abortEvents++);
    let bytes = 0;
    for await (const chunk of req) bytes += (chunk as Buffer).length;
    // The request stream closes once its body is read; that is not the client leaving.
    if (!req.closed) await once(req, 'close');
    bodyRead.resolve(bytes);
    await gates.get('upload')?.promise;
    return { bytes, aborted: signal.aborted, abortEvents };
  }
}

describe('app lifecycle over HTTP', () => {
  // Declared first so the sockets are gone before the apps close.
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });
  const startApp = appStarter({
    beforeClose: () => {
      for (const pending of gates.values()) pending.resolve();
    },
  });

  beforeEach(() => {
    gates.clear();
    aborted = deferred();
    bodyRead = deferred();
    ownErrorHeard = deferred();
  });

  describe('.listen()', () => {
    let app: HttpPoolApp | undefined;
    after(() => app?.close());

    it('resolves with the bound AddressInfo, a real port when given 0', async () => {
      app = await HttpPoolApp.bootstrap({ controllers: [LifeController], logger: false });
      const address = await app.listen(0, '127.0.0.1');
      expect(address).to.include({ address: '127.0.0.1', family: 'IPv4' });
      expect(address.port).to.be.a('number').and.above(0);
      expect(app.server.listening).to.equal(true);
      expect((app.server.address() as AddressInfo).port).to.equal(address.port);

      const response = await fetch(`http://127.0.0.1:${address.port}/life/fast`);
      expect(await response.json()).to.deep.equal({ fast: true });
    });
  });

  describe('.dispatch', () => {
    let app: HttpPoolApp;
    let server: Server | undefined;
    let url: string;
    after(() => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))));
    after(() => app?.close());

    before(async () => {
      app = await HttpPoolApp.bootstrap({ controllers: [LifeController], logger: false });
      server = createServer(app.dispatch);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    it('counts a chunked body against bodyLimit for a plain node http server too (413)', async () => {
      const limited = await HttpPoolApp.bootstrap({ controllers: [LifeController], logger: false, bodyLimit: 100 });
      const plain = createServer(limited.dispatch);
      try {
        plain.listen(0, '127.0.0.1');
        await once(plain, 'listening');
        const port = (plain.address() as AddressInfo).port;
        const socket = await openSocket(port);
        sockets.push(socket);
        const text = readUntilClose(socket);
        const chunk = (data: string): string => `${data.length.toString(16)}\r\n${data}\r\n`;
        socket.write('POST /life/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
        socket.write(chunk('a'.repeat(60)) + chunk('b'.repeat(60)) + '0\r\n\r\n');
        const response = parseResponse(await within(text, 'the 413'));
        expect(response.statusCode).to.equal(413);
        expect(JSON.parse(response.body)).to.include({ statusCode: 413 });
        await waitFor(() => limited.pool.stats().busy === 0, 'the worker freed');
      } finally {
        plain.closeAllConnections();
        await new Promise<void>((resolve) => plain.close(() => resolve()));
        await limited.close();
      }
    });

    it("aborts req.signal when a plain node http server's client leaves, and frees the worker", async () => {
      const socket = await openSocket((server?.address() as AddressInfo).port);
      sockets.push(socket);
      socket.write('GET /life/abort HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await waitFor(() => app.pool.stats().busy === 1, 'the handler running');
      socket.destroy();
      const reason = (await within(aborted.promise, 'the abort')) as DOMException;
      expect(reason.name).to.equal('AbortError');
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
    });

    it("hears a plain node http server's write after the end, and keeps serving", async () => {
      const response = await fetch(`${url}/life/own-listeners`);
      expect(await response.text()).to.equal('done');
      expect(await within(ownErrorHeard.promise, "the handler's own error listener")).to.match(/write after end/);
      expect((await fetch(`${url}/life/fast`)).status).to.equal(200);
    });

    it('answers misses from a plain node http server too', async () => {
      const response = await fetch(`${url}/nowhere`);
      expect(response.status).to.equal(404);
      expect(await response.json()).to.include({ statusCode: 404, error: 'Not Found' });
    });
  });

  describe('.close()', () => {
    it('waits for a running and a queued job, and answers a request on an open connection with 503', async () => {
      const { app, url, port } = await startApp({ controllers: [LifeController], workers: 1, queueSize: 5 });
      const a = gate('a');
      const serverSockets: Socket[] = [];
      app.server.on('connection', (socket: Socket) => serverSockets.push(socket));

      // A keep-alive connection that has served one request and begun a second.
      // server.close() drops idle keep-alive connections (node >= 19), so the
      // server must have read part of the second request before close() for
      // the connection to stay open; its bytesRead says when it has.
      const socket = await openSocket(port);
      sockets.push(socket);
      socket.write('GET /life/fast HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const [firstChunk] = (await once(socket, 'data')) as [Buffer];
      expect(firstChunk.toString('latin1')).to.match(/^HTTP\/1\.1 200/);
      const text = readUntilClose(socket);
      const partial = 'GET /life/fast HTTP/1.1\r\nHost: 127.0.0.1\r\n';
      socket.write(partial);
      const serverSide = (): Socket | undefined => serverSockets.find((s) => s.remotePort === socket.localPort);
      const firstRequestBytes = 'GET /life/fast HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.length;
      await waitFor(
        () => (serverSide()?.bytesRead ?? 0) === firstRequestBytes + partial.length,
        'the server to read the half-sent request',
      );

      const running = inFlight(fetch(`${url}/life/gated/a`));
      await waitFor(() => app.pool.stats().busy === 1, 'a to run');
      const queued = inFlight(fetch(`${url}/life/gated/b`));
      await waitFor(() => app.pool.stats().queued === 1, 'b to be queued');

      let closed = false;
      const closing = app.close().then(() => {
        closed = true;
      });
      expect(app.server.listening).to.equal(false);

      // The second request on the open connection arrives after close() began.
      socket.write('\r\n');
      const refused = parseResponse(await within(text, 'the 503 on the open connection'));
      expect(refused.statusCode).to.equal(503);
      expect(refused.headers['connection']).to.equal('close');
      const body = JSON.parse(refused.body) as { message: unknown };
      expect(body).to.deep.equal({ statusCode: 503, error: 'Service Unavailable', message: body.message });

      await turns(10);
      expect(closed).to.equal(false);
      expect(app.pool.stats()).to.include({ busy: 1, queued: 1 });

      a.resolve();
      const [first, second] = await Promise.all([running, queued]);
      expect(first.status).to.equal(200);
      expect(await first.json()).to.deep.equal({ name: 'a' });
      expect(second.status).to.equal(200);
      expect(await second.json()).to.deep.equal({ name: 'b' });

      await within(closing, 'close() to resolve');
      expect(closed).to.equal(true);
      expect(app.pool.stats()).to.include({ busy: 0, queued: 0, completed: 3 });
      await rejectionOf(fetch(`${url}/life/fast`));
    });

    it('resolves at once when nothing is running, and twice gives the same promise', async () => {
      const { app } = await startApp({ controllers: [LifeController] });
      const first = app.close();
      expect(app.close()).to.equal(first);
      await within(first, 'close() to resolve');
      expect(app.server.listening).to.equal(false);
    });
  });

  describe('req.signal', () => {
    it('aborts when the client goes away while the handler runs', async () => {
      const { app, port } = await startApp({ controllers: [LifeController], workers: 1 });
      const socket = await openSocket(port);
      sockets.push(socket);
      socket.write('GET /life/abort HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await waitFor(() => app.pool.stats().busy === 1, 'the handler to run');

      socket.destroy();
      const reason = await within(aborted.promise, 'req.signal to abort');
      expect(reason).to.be.instanceOf(Error);
      await waitFor(() => app.pool.stats().busy === 0, 'the worker to be freed');
      expect(app.pool.stats()).to.include({ busy: 0, completed: 1 });
    });

    it('does not abort once the request body has been read while the handler still runs (fastify early-abort bug)', async () => {
      const { app, url } = await startApp({ controllers: [LifeController] });
      const release = gate('upload');
      const payload = 'x'.repeat(256 * 1024);

      const response = inFlight(fetch(`${url}/life/upload`, { method: 'POST', body: payload }));
      expect(await within(bodyRead.promise, 'the handler to read the body')).to.equal(payload.length);
      await turns(10);
      expect(app.pool.stats().busy).to.equal(1);

      release.resolve();
      const answer = await response;
      expect(answer.status).to.equal(200);
      expect(await answer.json()).to.deep.equal({ bytes: payload.length, aborted: false, abortEvents: 0 });
    });
  });

  describe("the response's end", () => {
    it("is heard with the handler's own listeners in place or taken off, and a write after the end is not fatal", async () => {
      const { app, url } = await startApp({ controllers: [LifeController] });
      const response = await fetch(`${url}/life/own-listeners`);
      expect(await response.text()).to.equal('done');
      expect(await within(ownErrorHeard.promise, "the handler's own error listener")).to.match(/write after end/);
      // Counted when the response closed, though the handler removed every 'close' listener.
      await waitFor(() => app.stats().responses['200'] === 1, 'the request counted as ended');
      expect(app.pool.stats()).to.include({ busy: 0, completed: 1 });
      expect((await fetch(`${url}/life/fast`)).status).to.equal(200);
    });
  });

  describe('req.id', () => {
    const startShared = appStarter({ scope: 'all' });
    let url: string;

    before(async () => {
      ({ url } = await startShared({ controllers: [LifeController] }));
    });

    async function idOf(headers: Record<string, string> = {}): Promise<string> {
      const response = await fetch(`${url}/life/whoami/id`, { headers });
      return ((await response.json()) as { id: string }).id;
    }

    it('echoes a sane incoming x-request-id', async () => {
      expect(await idOf({ 'x-request-id': 'req-1.2:3@host_x' })).to.equal('req-1.2:3@host_x');
    });

    it('generates an id when there is no x-request-id, a new one per request', async () => {
      const first = await idOf();
      const second = await idOf();
      expect(first).to.match(GENERATED_ID);
      expect(second).to.match(GENERATED_ID);
      expect(first).to.not.equal(second);
    });

    it('generates an id instead of echoing an x-request-id that is not sane', async () => {
      expect(await idOf({ 'x-request-id': 'has spaces and "quotes"' })).to.match(GENERATED_ID);
      expect(await idOf({ 'x-request-id': 'a'.repeat(129) })).to.match(GENERATED_ID);
    });
  });
});
