// How a job ends when its handler does not end it the usual way, over HTTP:
// the response finished without complete(), a deadline after a partial write,
// failures after the answer went out, and the request id on the timeout warnings.

import { expect } from 'chai';
import type { Socket } from 'node:net';
import { Controller, Get, type Complete, type HttpRequest, type HttpResponse } from '../../src/index';
import { captureLogs, LEVELS, type LogLine } from '../helpers/capture-logs';
import { deferred, type Deferred } from '../helpers/deferred';
import { openSocket, parseResponse, rawRequest, readUntilClose } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { inFlight, waitFor, within } from '../helpers/wait-for';

const FORGOT = 'handler ended the response without calling complete(): worker freed';

/** The `complete` of the last `/endings/forgets-complete`, for the test to call late. */
let forgotten: Complete | undefined;
/** The last request a handler here saw, to follow its socket. */
let seen: HttpRequest | undefined;
let gate: Deferred<void> = deferred();

@Controller('/endings')
class EndingsController {
  // Declares `complete`, ends the response, and never calls it.
  @Get('/forgets-complete')
  forgetsComplete(res: HttpResponse, req: HttpRequest, complete: Complete): void {
    seen = req;
    forgotten = complete;
    res.end('ok');
  }

  // Headers and part of the body out, then nothing: only a deadline ends it.
  @Get('/partial')
  partial(res: HttpResponse, _req: HttpRequest, _complete: Complete): void {
    res.setHeader('content-type', 'text/plain');
    res.write('part');
  }

  // Never answers: only a deadline ends it.
  @Get('/stuck')
  stuck(_res: HttpResponse, _req: HttpRequest, _complete: Complete): void {}

  @Get('/hold')
  async hold(): Promise<string> {
    await gate.promise;
    return 'held';
  }

  // Its promise, not `complete`, ends the job: the answer goes out, then it fails.
  @Get('/fails-after-end')
  async failsAfterEnd(res: HttpResponse, req: HttpRequest): Promise<void> {
    seen = req;
    res.end('ok');
    await gate.promise;
    throw new Error('failed after the answer went out');
  }

  // Fails in the same turn as it ended the response.
  @Get('/throws-after-end')
  throwsAfterEnd(res: HttpResponse, _req: HttpRequest): void {
    res.end('ok');
    throw new Error('thrown after the answer went out');
  }

  // Rejects with its own signal's reason: the failure our abort causes.
  @Get('/rejects-with-abort')
  rejectsWithAbort(_res: HttpResponse, req: HttpRequest): Promise<never> {
    return new Promise((_resolve, reject) => {
      req.signal.addEventListener('abort', () => reject(req.signal.reason as Error));
    });
  }

  @Get('/ping')
  ping(): string {
    return 'pong';
  }
}

function atLevel(lines: LogLine[], level: keyof typeof LEVELS): LogLine[] {
  return lines.filter((line) => line.level === LEVELS[level]);
}

function accessLines(lines: LogLine[]): LogLine[] {
  return lines.filter((line) => line.msg === 'request');
}

/** Sends a `Connection: close` GET on its own socket, reads to the end, and resolves once the server's side closed too. */
async function getAndHangUp(port: number, path: string): Promise<string> {
  const text = await within(rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), path);
  await waitFor(() => seen?.socket.destroyed === true, "the server's side of the socket to close");
  return text;
}

describe('job endings', () => {
  const sockets: Socket[] = [];
  const startApp = appStarter({
    beforeClose: () => {
      gate.resolve();
      for (const socket of sockets.splice(0)) socket.destroy();
    },
  });

  beforeEach(() => {
    forgotten = undefined;
    seen = undefined;
    gate = deferred();
  });

  describe('a handler that ends the response without calling complete()', () => {
    it('frees its worker when the response finishes, with one warning naming the route', async () => {
      const logs = captureLogs('debug');
      // No deadline: before, only complete() could free this worker.
      const { app, url } = await startApp({
        controllers: [EndingsController],
        workers: 1,
        handlerTimeoutMs: 0,
        logger: logs.logger,
      });
      const response = await fetch(`${url}/endings/forgets-complete`);
      expect(response.status).to.equal(200);
      expect(await response.text()).to.equal('ok');
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
      expect(app.pool.stats()).to.include({ busy: 0, completed: 1 });

      const warnings = atLevel(logs.lines, 'warn');
      expect(warnings).to.have.lengthOf(1);
      expect(warnings[0]).to.include({
        route: 'EndingsController.forgetsComplete',
        reqId: response.headers.get('x-request-id'),
        msg: FORGOT,
      });
      await waitFor(() => accessLines(logs.lines).length === 1, 'the access line');
      expect(accessLines(logs.lines)[0]).to.include({ status: 200, route: '/endings/forgets-complete' });
      expect(app.stats().responses).to.deep.equal({ 200: 1 });

      // The one worker serves the next request.
      expect(await (await fetch(`${url}/endings/ping`)).text()).to.equal('pong');
      expect(app.pool.stats()).to.include({ busy: 0, completed: 2 });
    });

    it('a later complete() changes nothing: the worker was freed once', async () => {
      const logs = captureLogs('debug');
      const { app, url } = await startApp({ controllers: [EndingsController], workers: 1, logger: logs.logger });
      await (await fetch(`${url}/endings/forgets-complete`)).text();
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
      (forgotten as Complete)();
      (forgotten as Complete)();
      expect(app.pool.stats()).to.include({ busy: 0, completed: 1 });
      expect(logs.lines.filter((line) => line.level >= LEVELS.warn).map((line) => line.msg)).to.deep.equal([FORGOT]);
      // close() has nothing left to wait for.
      await within(app.close(), 'app.close()', 1000);
    });
    it('through app.inject too: the worker is freed, the request counted 200', async () => {
      const logs = captureLogs('warn');
      const { app } = await startApp({
        controllers: [EndingsController],
        workers: 1,
        handlerTimeoutMs: 0,
        logger: logs.logger,
      });
      const response = await within(app.inject('/endings/forgets-complete'), 'the injected answer');
      expect(response.statusCode).to.equal(200);
      expect(response.payload).to.equal('ok');
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
      expect(logs.lines.map((line) => line.msg)).to.deep.equal([FORGOT]);
      expect(app.stats().responses).to.deep.equal({ 200: 1 });
    });
  });

  describe('a handler deadline after a partial write', () => {
    it('cuts the connection and counts, logs and meters the request as cut (status 0), not as a 200', async () => {
      const logs = captureLogs('debug');
      const { app, port } = await startApp({
        controllers: [EndingsController],
        workers: 1,
        handlerTimeoutMs: 100,
        metrics: true,
        logger: logs.logger,
      });
      const text = await within(
        rawRequest(port, 'GET /endings/partial HTTP/1.1\r\nHost: x\r\n\r\n'),
        'the connection to be cut',
      );
      const response = parseResponse(text);
      expect(response.statusCode).to.equal(200);
      expect(response.headers['transfer-encoding']).to.equal('chunked');
      // The chunk that was written, and no last chunk: a truncated answer.
      expect(response.body).to.equal('4\r\npart\r\n');

      await waitFor(() => accessLines(logs.lines).length === 1, 'the access line');
      expect(accessLines(logs.lines)[0]).to.include({ status: 0, route: '/endings/partial' });
      expect(app.stats().responses).to.deep.equal({ 0: 1 });
      expect(app.pool.stats()).to.include({ busy: 0, completed: 1 });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).to.match(/httppool_requests_total\{[^}]*route="\/endings\/partial"[^}]*status="0"[^}]*\} 1/);
      expect(metrics).to.not.match(/route="\/endings\/partial"[^}]*status="200"/);

      const warnings = atLevel(logs.lines, 'warn');
      expect(warnings).to.have.lengthOf(1);
      expect(warnings[0]).to.include({ route: 'EndingsController.partial', timeoutMs: 100 });
      expect(warnings[0]?.msg).to.match(/response cut/);
      expect(warnings[0]?.msg).to.not.match(/answering 504/);
    });
  });

  describe('a failure after the answer went out', () => {
    it('a rejection is logged at error with its stack and route, though the client has hung up', async () => {
      const logs = captureLogs('debug');
      const { app, port } = await startApp({ controllers: [EndingsController], logger: logs.logger });
      const response = parseResponse(await getAndHangUp(port, '/endings/fails-after-end'));
      expect(response.statusCode).to.equal(200);
      expect(response.body).to.equal('ok');

      gate.resolve();
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
      await waitFor(() => atLevel(logs.lines, 'error').length > 0, 'the error line');
      const errors = atLevel(logs.lines, 'error');
      expect(errors).to.have.lengthOf(1);
      expect(errors[0]).to.include({ route: 'EndingsController.failsAfterEnd' });
      expect(errors[0]?.reqId).to.be.a('string');
      const err = errors[0]?.err as { message: string; stack: string };
      expect(err.message).to.equal('failed after the answer went out');
      expect(err.stack).to.contain('failsAfterEnd');
      expect(logs.lines.filter((line) => line.level === LEVELS.debug && line.err !== undefined)).to.deep.equal([]);
    });

    it('complete(err) after the response finished is logged at error, though the client has hung up', async () => {
      const logs = captureLogs('debug');
      const { app, port } = await startApp({ controllers: [EndingsController], logger: logs.logger });
      const response = parseResponse(await getAndHangUp(port, '/endings/forgets-complete'));
      expect(response.body).to.equal('ok');

      (forgotten as Complete)(new Error('complete(err) after the answer'));
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
      const errors = atLevel(logs.lines, 'error');
      expect(errors).to.have.lengthOf(1);
      expect(errors[0]).to.include({ route: 'EndingsController.forgetsComplete' });
      expect((errors[0]?.err as { stack: string }).stack).to.contain('complete(err) after the answer');
      expect(app.pool.stats()).to.include({ completed: 1 });
    });

    it('a throw in the turn that ended the response is logged at error, and the whole answer keeps its connection', async () => {
      const logs = captureLogs('debug');
      const { app, port } = await startApp({ controllers: [EndingsController], logger: logs.logger });
      const socket = await openSocket(port);
      sockets.push(socket);
      const text = readUntilClose(socket);
      // Two requests on one connection: the second is answered only if the first's connection was left whole.
      socket.write('GET /endings/throws-after-end HTTP/1.1\r\nHost: x\r\n\r\n');
      socket.write('GET /endings/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const both = await within(text, 'both answers');
      expect(both).to.match(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok/);
      expect(both).to.contain('\r\n\r\npong');

      await waitFor(() => accessLines(logs.lines).length === 2, 'both access lines');
      expect(app.stats().responses).to.deep.equal({ 200: 2 });
      const errors = atLevel(logs.lines, 'error');
      expect(errors).to.have.lengthOf(1);
      expect(errors[0]).to.include({ route: 'EndingsController.throwsAfterEnd' });
      expect((errors[0]?.err as { stack: string }).stack).to.contain('thrown after the answer went out');
    });

    it('the abort our own deadline causes stays at debug: expected noise, not a server error', async () => {
      const logs = captureLogs('debug');
      const { app, url } = await startApp({
        controllers: [EndingsController],
        handlerTimeoutMs: 100,
        logger: logs.logger,
      });
      const response = await fetch(`${url}/endings/rejects-with-abort`);
      expect(response.status).to.equal(504);
      await waitFor(
        () => logs.lines.some((line) => line.msg === 'handler failed after its job had ended'),
        'the late rejection logged',
      );
      expect(atLevel(logs.lines, 'error')).to.deep.equal([]);
      const late = logs.lines.find((line) => line.msg === 'handler failed after its job had ended');
      expect(late?.level).to.equal(LEVELS.debug);
      expect(app.pool.stats()).to.include({ busy: 0 });
    });

    it('the abort a departed client causes stays at debug', async () => {
      const logs = captureLogs('debug');
      const { app, port } = await startApp({ controllers: [EndingsController], logger: logs.logger });
      const socket = await openSocket(port);
      sockets.push(socket);
      socket.write('GET /endings/rejects-with-abort HTTP/1.1\r\nHost: x\r\n\r\n');
      await waitFor(() => app.pool.stats().busy === 1, 'the handler running');
      socket.destroy();
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
      expect(atLevel(logs.lines, 'error')).to.deep.equal([]);
      expect(logs.lines.find((line) => line.msg === 'handler failed')?.level).to.equal(LEVELS.debug);
    });
  });

  describe('the timeout warnings', () => {
    it('the handler-timeout warning carries the request id', async () => {
      const logs = captureLogs('warn');
      const { url } = await startApp({ controllers: [EndingsController], handlerTimeoutMs: 100, logger: logs.logger });
      const response = await fetch(`${url}/endings/stuck`, { headers: { 'x-request-id': 'stuck-1' } });
      expect(response.status).to.equal(504);
      const warning = logs.lines.find((line) => line.msg === 'handler timeout: answering 504');
      expect(warning).to.include({ reqId: 'stuck-1', route: 'EndingsController.stuck', timeoutMs: 100 });
    });

    it('the queue-timeout warning carries the request id', async () => {
      const logs = captureLogs('warn');
      const { app, url } = await startApp({
        controllers: [EndingsController],
        workers: 1,
        queueTimeoutMs: 100,
        logger: logs.logger,
      });
      const holding = inFlight(fetch(`${url}/endings/hold`));
      await waitFor(() => app.pool.stats().busy === 1, 'the worker held');
      const response = await fetch(`${url}/endings/ping`, { headers: { 'x-request-id': 'queued-1' } });
      expect(response.status).to.equal(503);
      const warning = logs.lines.find((line) => line.msg === 'queue timeout: answering 503');
      expect(warning).to.include({ reqId: 'queued-1', route: 'EndingsController.ping', timeoutMs: 100 });
      gate.resolve();
      expect((await holding).status).to.equal(200);
    });
  });
});
