// The fault matrix: every way a handler can go wrong ends with exactly one
// response (or a clean close for a client that left), the worker back in the
// pool, and the process still serving.

import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { Controller, Get, Post, type Complete, type HttpRequest, type HttpResponse } from '../../src/index';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { deferred, type Deferred } from '../helpers/deferred';
import { openSocket } from '../helpers/raw-http';
import { appStarter, type StartedApp } from '../helpers/start-app';
import { inFlight, rejectionOf, waitFor, within } from '../helpers/wait-for';

let gate: Deferred<void> = deferred();
let runs: Record<string, number> = {};
let signalAborted: Deferred<unknown> = deferred();
let lateDone: Deferred<void> = deferred();

function ran(name: string): void {
  runs[name] = (runs[name] ?? 0) + 1;
}

@Controller('/fault')
class FaultController {
  @Get('/sync-throw')
  syncThrow(): never {
    throw new Error('sync boom');
  }

  @Get('/async-reject')
  async asyncReject(): Promise<never> {
    await Promise.resolve();
    throw new Error('async boom');
  }

  @Get('/never-completes', { timeoutMs: 100 })
  neverCompletes(_res: HttpResponse, req: HttpRequest, _complete: Complete): void {
    ran('never');
    req.signal.addEventListener('abort', () => signalAborted.resolve(req.signal.reason));
  }

  @Get('/complete-twice')
  completeTwice(res: HttpResponse, _req: HttpRequest, complete: Complete): void {
    res.end('once');
    complete();
    complete();
    complete(new Error('ignored: already complete'));
  }

  @Get('/error-after-partial-write')
  errorAfterPartialWrite(res: HttpResponse, _req: HttpRequest, complete: Complete): void {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
    setImmediate(() => complete(new Error('failed halfway')));
  }

  @Get('/write-after-complete')
  writeAfterComplete(res: HttpResponse, _req: HttpRequest, complete: Complete): void {
    res.end('first');
    complete();
    res.write('late');
    res.end('later');
    lateDone.resolve();
  }

  @Get('/throw-after-response')
  async throwAfterResponse(res: HttpResponse, _req: HttpRequest, complete: Complete): Promise<void> {
    res.end('sent');
    complete();
    await Promise.resolve();
    throw new Error('thrown after the response went out');
  }

  @Get('/slow')
  async slow(_res: HttpResponse, req: HttpRequest): Promise<string> {
    ran('slow');
    await gate.promise;
    return req.signal.aborted ? 'aborted' : 'ok';
  }

  @Get('/wait-for-abort')
  waitForAbort(_res: HttpResponse, req: HttpRequest, complete: Complete): void {
    ran('wait-for-abort');
    req.signal.addEventListener('abort', () => {
      signalAborted.resolve(req.signal.reason);
      complete();
    });
  }

  @Get('/stream-to-gone-client')
  streamToGoneClient(res: HttpResponse, req: HttpRequest, complete: Complete): void {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 1);
    const pump = (): void => {
      // Keep writing after the client left: writes must fail quietly.
      for (let i = 0; i < 4; i++) res.write(chunk);
      if (req.signal.aborted) {
        res.write(chunk);
        complete();
        lateDone.resolve();
      } else setImmediate(pump);
    };
    pump();
  }

  @Post('/read-body')
  async readBody(_res: HttpResponse, req: HttpRequest): Promise<number> {
    ran('read-body');
    let bytes = 0;
    try {
      for await (const chunk of req) bytes += (chunk as Buffer).length;
    } finally {
      lateDone.resolve();
    }
    return bytes;
  }

  @Post('/ok')
  ok(): { ok: true } {
    return { ok: true };
  }
}

describe('fault matrix', () => {
  const startApp = appStarter({ scope: 'all', beforeClose: () => gate.resolve() });
  const logs = captureLogs();
  let started: StartedApp;

  before(async () => {
    started = await startApp({
      controllers: [FaultController],
      workers: 1,
      queueSize: 4,
      logger: logs.logger,
    });
  });

  beforeEach(() => {
    gate = deferred();
    signalAborted = deferred();
    lateDone = deferred();
    runs = {};
    logs.lines.length = 0;
  });

  afterEach(async () => {
    gate.resolve();
    await waitFor(() => started.app.pool.stats().busy === 0, 'the worker back in the pool');
    expect(started.app.pool.stats()).to.include({ busy: 0, queued: 0 });
    const response = await fetch(`${started.url}/fault/ok`, { method: 'POST' });
    expect(response.status, 'the process still serves').to.equal(200);
  });

  async function get(path: string): Promise<Response> {
    return fetch(`${started.url}/fault${path}`);
  }

  function errors(level: keyof typeof LEVELS = 'error'): string[] {
    return logs.lines.filter((line) => line.level === LEVELS[level]).map((line) => line.msg);
  }

  it('sync throw: 500, logged with the route', async () => {
    const response = await get('/sync-throw');
    expect(response.status).to.equal(500);
    expect(await response.json()).to.deep.equal({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal Server Error',
    });
    const line = logs.lines.find((l) => l.level === LEVELS.error);
    expect(line?.route).to.equal('FaultController.syncThrow');
    expect((line?.err as { message: string }).message).to.equal('sync boom');
  });

  it('async reject: 500, logged', async () => {
    const response = await get('/async-reject');
    expect(response.status).to.equal(500);
    expect(errors()).to.deep.equal(['handler failed']);
  });

  it('never completes: 504 at its deadline, signal aborted, worker freed, warning names route and time', async () => {
    const response = await get('/never-completes');
    expect(response.status).to.equal(504);
    expect(((await response.json()) as { message: string }).message).to.contain('100 ms');
    expect(((await within(signalAborted.promise, 'the abort')) as DOMException).name).to.equal('TimeoutError');
    const warning = logs.lines.find((l) => l.level === LEVELS.warn);
    expect(warning).to.include({ route: 'FaultController.neverCompletes', timeoutMs: 100 });
    expect(runs.never).to.equal(1);
  });

  it('complete() twice (and complete(err) after): one 200, completed counted once', async () => {
    const before = started.app.pool.stats().completed;
    const response = await get('/complete-twice');
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal('once');
    expect(started.app.pool.stats().completed - before).to.equal(1);
    // The error after completion is logged, not answered.
    expect(errors()).to.deep.equal(['handler failed after its job had ended']);
  });

  it('complete(err) after a partial write: the connection is cut, the client sees a truncated body', async () => {
    const response = await get('/error-after-partial-write');
    expect(response.status).to.equal(200);
    await rejectionOf(response.text());
  });

  it('write after complete: the first answer stands, nothing crashes', async () => {
    const response = await get('/write-after-complete');
    expect(await response.text()).to.equal('first');
    await within(lateDone.promise, 'the late writes');
    // node reports the write after end() as an 'error' on the response: logged, not fatal.
    await waitFor(() => errors('warn').length > 0, 'the warning');
    expect(errors('warn')[0]).to.match(/write after the end/);
  });

  it('throw after the response went out: the client has its answer, the error is logged', async () => {
    const response = await get('/throw-after-response');
    expect(await response.text()).to.equal('sent');
    await waitFor(() => errors().length === 1, 'the late error in the log');
    expect(errors()).to.deep.equal(['handler failed after its job had ended']);
  });

  it('client abort while queued: the job leaves the queue and never runs', async () => {
    const running = inFlight(get('/slow'));
    await waitFor(() => started.app.pool.stats().busy === 1, 'the first job running');
    const controller = new AbortController();
    const queued = inFlight(fetch(`${started.url}/fault/slow`, { signal: controller.signal }));
    await waitFor(() => started.app.pool.stats().queued === 1, 'the second job queued');
    controller.abort();
    await rejectionOf(queued);
    await waitFor(() => started.app.pool.stats().queued === 0, 'the queue emptied');
    gate.resolve();
    expect(await (await running).text()).to.equal('ok');
    expect(runs.slow).to.equal(1);
  });

  it('client abort while running: req.signal aborts, the handler completes, the worker is freed', async () => {
    const controller = new AbortController();
    const pending = inFlight(fetch(`${started.url}/fault/wait-for-abort`, { signal: controller.signal }));
    await waitFor(() => runs['wait-for-abort'] === 1, 'the handler running');
    controller.abort();
    await rejectionOf(pending);
    expect(((await within(signalAborted.promise, 'the abort')) as DOMException).name).to.equal('AbortError');
  });

  it('client leaves mid-upload: the failed body read is not logged as a server error', async () => {
    const socket = await openSocket(started.port);
    socket.on('error', () => undefined);
    socket.write('POST /fault/read-body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789');
    await waitFor(() => runs['read-body'] === 1, 'the handler reading');
    socket.destroy();
    await within(lateDone.promise, 'the read to fail');
    await waitFor(() => logs.lines.some((line) => line.msg === 'request'), 'the access line');
    expect(errors()).to.deep.equal([]);
    expect(logs.lines.find((line) => line.msg === 'handler failed')?.level).to.equal(LEVELS.debug);
  });

  it('socket error mid-response: a client that resets while the handler streams costs nothing', async () => {
    const { port } = started;
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/fault/stream-to-gone-client' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    await within(lateDone.promise, 'the handler to notice and complete');
  });
});
