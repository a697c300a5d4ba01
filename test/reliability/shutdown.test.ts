// Graceful shutdown: drain, then after shutdownTimeoutMs answer what is left
// with 503 and cut the connections; idle connections close at once.

import { expect } from 'chai';
import { Controller, Get, type Complete, type HttpRequest, type HttpResponse } from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { openSocket, parseResponse, readUntilClose } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { inFlight, rejectionOf, waitFor, within } from '../helpers/wait-for';

let runs: string[] = [];
let aborted: Deferred<string> = deferred();

@Controller()
class ShutdownController {
  @Get('/stuck')
  stuck(_res: HttpResponse, req: HttpRequest, _complete: Complete): void {
    runs.push('stuck');
    req.signal.addEventListener('abort', () => aborted.resolve((req.signal.reason as DOMException).name));
  }

  @Get('/ok')
  ok(): string {
    runs.push('ok');
    return 'ok';
  }
}

describe('shutdown', () => {
  const startApp = appStarter();
  beforeEach(() => {
    runs = [];
    aborted = deferred();
  });

  it('after shutdownTimeoutMs, answers running and queued jobs 503 and resolves', async () => {
    const { app, url } = await startApp({ controllers: [ShutdownController], workers: 1, shutdownTimeoutMs: 150 });
    const running = inFlight(fetch(`${url}/stuck`));
    await waitFor(() => app.pool.stats().busy === 1, 'the stuck job running');
    const queued = inFlight(fetch(`${url}/ok`));
    await waitFor(() => app.pool.stats().queued === 1, 'a job queued');
    const started = performance.now();
    await within(app.close(), 'close()', 3000);
    expect(performance.now() - started).to.be.at.least(140);
    for (const response of [await running, await queued]) {
      expect(response.status).to.equal(503);
      expect(((await response.json()) as { message: string }).message).to.equal('Server is shutting down');
    }
    expect(await within(aborted.promise, 'the abort')).to.equal('TimeoutError');
    expect(runs).to.deep.equal(['stuck']);
    expect(app.pool.stats()).to.include({ busy: 0, queued: 0 });
  });

  it('closes idle keep-alive connections and never-used ones at once, not at their timeout', async () => {
    const { app, port } = await startApp({ controllers: [ShutdownController], keepAliveTimeout: 60_000 });
    const used = await openSocket(port);
    const usedText = readUntilClose(used);
    used.write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => runs.length === 1, 'the request served');
    const unused = await openSocket(port);
    const unusedClosed = readUntilClose(unused);
    await within(app.close(), 'close()', 1000);
    expect(parseResponse(await within(usedText, 'the used connection closed')).statusCode).to.equal(200);
    expect(await within(unusedClosed, 'the unused connection closed')).to.equal('');
  });

  it('cuts a connection still sending its request once the budget is spent', async () => {
    const { app, port } = await startApp({ controllers: [ShutdownController], shutdownTimeoutMs: 100 });
    const socket = await openSocket(port);
    const text = readUntilClose(socket);
    socket.write('GET /ok HTTP/1.1\r\nHost: x\r\n');
    await waitFor(() => socket.bytesWritten > 0, 'the half head sent');
    await within(app.close(), 'close()', 2000);
    // Cut, not answered: a clean close or a reset, and not a byte of response.
    const outcome = await within(
      text.catch((error: NodeJS.ErrnoException) => error.code),
      'the connection cut',
    );
    expect(outcome).to.be.oneOf(['', 'ECONNRESET']);
    expect(runs).to.deep.equal([]);
  });

  describe('shutdownHandoffMs', () => {
    it('keeps an idle keep-alive connection open, serves its next request with Connection: close, and resolves once it is gone', async () => {
      const { app, port } = await startApp({
        controllers: [ShutdownController],
        keepAliveTimeout: 60_000,
        shutdownHandoffMs: 5000,
      });
      const socket = await openSocket(port);
      const first = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      socket.write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(parseResponse(await within(first, 'the first answer')).headers.connection).to.equal('keep-alive');
      const started = performance.now();
      const closed = app.close();
      await waitFor(() => !app.server.listening, 'the server no longer listening');
      // The idle connection is still open: its next request is served, not refused.
      const rest = readUntilClose(socket);
      socket.write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
      const second = parseResponse(await within(rest, 'the connection closed after its answer'));
      expect(second.statusCode).to.equal(200);
      expect(second.headers.connection).to.equal('close');
      await within(closed, 'close()', 2000);
      expect(performance.now() - started).to.be.below(4000);
      expect(runs).to.deep.equal(['ok', 'ok']);
    });

    it('ends the hand-over at its time and drains as usual: a connection still idle is closed then', async () => {
      const { app, port } = await startApp({
        controllers: [ShutdownController],
        keepAliveTimeout: 60_000,
        shutdownHandoffMs: 200,
      });
      const socket = await openSocket(port);
      const text = readUntilClose(socket);
      socket.write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
      await waitFor(() => runs.length === 1, 'the request served');
      const started = performance.now();
      await within(app.close(), 'close()', 2000);
      expect(performance.now() - started).to.be.at.least(190);
      expect(parseResponse(await within(text, 'the idle connection closed')).statusCode).to.equal(200);
    });

    it('is refused when not a whole number of milliseconds', async () => {
      const error = await rejectionOf(startApp({ controllers: [ShutdownController], shutdownHandoffMs: -1 }));
      expect(error).to.be.instanceOf(RangeError);
      expect((error as Error).message).to.equal(
        'Option "shutdownHandoffMs" must be a whole number of milliseconds (0 or more), got -1',
      );
    });
  });
});
