// One dispatch contract, two kinds of route: the same outcomes whether the
// handler's work runs on the event loop or on a worker thread: statuses,
// errors, deadlines, sheds, aborts, and exactly one answer per request.

import { expect } from 'chai';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Controller,
  Get,
  HttpError,
  HttpPoolApp,
  ThreadPool,
  type HttpRequest,
  type HttpResponse,
} from '../../src/index';
import { openSocket } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { waitFor } from '../helpers/wait-for';

const TASK = path.join(__dirname, '..', 'fixtures', 'threads', 'contract.task.js');
const on = (name: string) => ({ module: TASK, name });

@Controller('/inline')
class InlineRoutes {
  @Get('/value')
  value() {
    return { ok: true };
  }

  @Get('/conflict')
  conflict(): never {
    throw new HttpError(409, 'Already there');
  }

  @Get('/crash')
  crash(): never {
    throw new Error('secret detail');
  }

  @Get('/slow', { timeoutMs: 150 })
  async slow(_res: HttpResponse, req: HttpRequest) {
    await sleep(Number(req.query['ms'] ?? 300), undefined, { signal: req.signal });
    return 'slow';
  }
}

@Controller('/thread')
class ThreadRoutes {
  constructor(private readonly threads: ThreadPool) {}

  @Get('/value')
  value(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, on('value'));
  }

  @Get('/conflict')
  conflict(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, on('conflict'));
  }

  @Get('/crash')
  crash(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, on('crash'));
  }

  @Get('/slow', { timeoutMs: 150 })
  slow(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, on('slow'));
  }
}

/** Sends one request with `Connection: close` and returns every status line the server wrote. */
async function statusLines(port: number, target: string): Promise<string[]> {
  const socket = await openSocket(port);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  await closed;
  return (
    Buffer.concat(chunks)
      .toString('latin1')
      .match(/^HTTP\/1\.1 \d{3}/gm) ?? []
  );
}

for (const kind of ['inline', 'thread'] as const) {
  describe(`dispatch contract (${kind} routes)`, function () {
    this.timeout(10_000);
    const startApp = appStarter({ scope: 'all' });
    let url: string;
    let port: number;
    let app: HttpPoolApp;
    before(async () => {
      ({ url, port, app } = await startApp({
        controllers: [InlineRoutes, ThreadRoutes],
        threads: 2,
        workers: 1,
        queueSize: 1,
      }));
    });
    const at = (route: string) => `${url}/${kind}${route}`;
    const idle = () =>
      waitFor(() => app.pool.stats().busy === 0 && app.pool.stats().queued === 0, 'the pool idle', 3000);

    it('a returned value: 200 with its JSON', async () => {
      const res = await fetch(at('/value'));
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ ok: true });
    });

    it('a thrown HttpError: its status and message', async () => {
      const res = await fetch(at('/conflict'));
      expect(res.status).to.equal(409);
      expect(await res.json()).to.deep.equal({ statusCode: 409, error: 'Conflict', message: 'Already there' });
    });

    it('any other throw: a bare 500 that does not leak its message', async () => {
      const res = await fetch(at('/crash'));
      expect(res.status).to.equal(500);
      expect(await res.json()).to.deep.equal({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal Server Error',
      });
    });

    it('past the handler deadline: 504, and the worker is freed', async () => {
      const res = await fetch(`${at('/slow')}?ms=2000`);
      expect(res.status).to.equal(504);
      await idle();
    });

    it('with the only worker busy and the queue full: 503 with Retry-After, then both finish', async () => {
      const running = fetch(`${at('/slow')}?ms=100`);
      await waitFor(() => app.pool.stats().busy === 1, 'the only worker busy');
      const queued = fetch(`${at('/slow')}?ms=100`);
      await waitFor(() => app.pool.stats().queued === 1, 'the queue full');
      const shed = await fetch(at('/value'));
      expect(shed.status).to.equal(503);
      expect(shed.headers.get('retry-after')).to.equal('1');
      expect((await running).status).to.equal(200);
      expect((await queued).status).to.equal(200);
      await idle();
    });

    it('a client that leaves: its worker is freed and the next request is served', async () => {
      const socket = await openSocket(port);
      socket.write(`GET /${kind}/slow?ms=2000 HTTP/1.1\r\nHost: x\r\n\r\n`);
      await waitFor(() => app.pool.stats().busy === 1, 'the request running');
      socket.destroy();
      await idle();
      expect((await fetch(at('/value'))).status).to.equal(200);
    });

    it('exactly one answer per request, whatever the outcome', async () => {
      for (const [route, status] of [
        ['/value', 200],
        ['/conflict', 409],
        ['/crash', 500],
        ['/slow?ms=2000', 504],
      ] as const) {
        expect(await statusLines(port, `/${kind}${route}`), route).to.deep.equal([`HTTP/1.1 ${status}`]);
        await idle();
      }
    });
  });
}
