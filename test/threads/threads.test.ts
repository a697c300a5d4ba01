// Thread workers: a handler hands its request to a thread (ThreadPool, on
// piscina); the request stays a job of the pool (admitted, timed, shed); a
// deadline or a client that leaves cancels the thread task; a throw or a
// dying thread is a 500 and the service goes on; threads have their own DI.

import { expect } from 'chai';
import path from 'node:path';
import { container as rootContainer } from 'tsyringe';
import { Controller, Get, HttpPoolApp, Post, ThreadPool, type HttpRequest, type HttpResponse } from '../../src/index';
import Piscina from 'piscina';
import runThreadTask from '../../src/threads/thread-entry';
import { Counter } from '../fixtures/threads/counter';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { openSocket } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { rejectionOf, waitFor } from '../helpers/wait-for';

const TASKS = path.join(__dirname, '..', 'fixtures', 'threads');
const task = (file: string, name?: string) =>
  name === undefined ? path.join(TASKS, file) : { module: path.join(TASKS, file), name };

@Controller()
class ThreadedController {
  constructor(
    private readonly threads: ThreadPool,
    private readonly counter: Counter,
  ) {}

  @Post('/hash/:word', { body: 'json' })
  hash(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, task('hash.task.js'));
  }

  @Get('/bytes')
  bytes(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, task('bytes.task.js', 'bytes'));
  }

  @Get('/spin', { timeoutMs: 200 })
  spin(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, task('spin.task.js', 'spin'));
  }

  @Get('/spin-long', { timeoutMs: 0 })
  spinLong(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, task('spin.task.js', 'spin'));
  }

  @Get('/fail')
  fail(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, task('spin.task.js', 'fail'));
  }

  @Get('/exit')
  exit(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, task('spin.task.js', 'exit'));
  }

  @Get('/relative')
  relative(res: HttpResponse, req: HttpRequest) {
    return this.threads.handle(req, res, './hash.task.js');
  }

  @Get('/greet')
  greet(res: HttpResponse, req: HttpRequest) {
    this.counter.next();
    return this.threads.handle(req, res, task('di.task.js'));
  }

  @Get('/ping')
  ping() {
    return 'pong';
  }
}

describe('thread workers', function () {
  this.timeout(20_000);
  const { logger, lines } = captureLogs('debug');
  const startApp = appStarter({ scope: 'all' });
  let url: string;
  let port: number;
  let app: HttpPoolApp;
  before(async () => {
    ({ url, port, app } = await startApp({ controllers: [ThreadedController], threads: 2, logger, metrics: true }));
  });
  beforeEach(() => {
    lines.length = 0;
  });

  it("runs a handler's work on a thread with the request's snapshot, and answers its status, headers and body", async () => {
    const res = await fetch(`${url}/hash/abc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n":1}',
    });
    expect(res.status).to.equal(200);
    expect(Number(res.headers.get('x-thread'))).to.be.greaterThan(0);
    const answer = (await res.json()) as { word: string; digest: string; body: unknown };
    expect(answer.word).to.equal('abc');
    expect(answer.digest).to.match(/^[0-9a-f]{64}$/);
    expect(answer.body).to.deep.equal({ n: 1 });
  });

  it('answers bytes from a thread as octet-stream, moved rather than copied', async () => {
    const res = await fetch(`${url}/bytes?size=100000`);
    expect(res.status).to.equal(201);
    expect(res.headers.get('x-size')).to.equal('100000');
    expect(res.headers.get('content-type')).to.equal('application/octet-stream');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).to.equal(100000);
    expect(bytes.every((byte) => byte === 7)).to.equal(true);
    // What the thread entry hands piscina: the body's own ArrayBuffer, to move.
    const moved = (await runThreadTask({
      module: path.join(TASKS, 'bytes.task.js'),
      name: 'bytes',
      request: {
        id: '1',
        method: 'GET',
        url: '/bytes',
        params: {},
        query: { size: 4096 },
        headers: {},
        body: undefined,
      },
    })) as Record<symbol, unknown>;
    const transfer = moved[Piscina.transferableSymbol] as ArrayBuffer[];
    expect(transfer).to.have.length(1);
    expect(transfer[0]?.byteLength).to.equal(4096);
    expect((moved[Piscina.valueSymbol] as { status: number }).status).to.equal(201);
  });

  it('keeps the event loop free while a thread burns CPU: /ping answers before the spin ends', async () => {
    const spinning = fetch(`${url}/spin-long?ms=1500`).then(async (res) => ({
      at: performance.now(),
      text: await res.text(),
    }));
    await waitFor(() => (app.stats().threads?.busyThreads ?? 0) >= 1, 'a thread busy');
    const ping = await fetch(`${url}/ping`);
    const pongAt = performance.now();
    expect(await ping.text()).to.equal('pong');
    const spun = await spinning;
    expect(spun.text).to.equal('spun');
    expect(pongAt, 'pong came first').to.be.below(spun.at);
  });

  it('cancels the thread task at the handler deadline: 504, and the thread is free again', async () => {
    const res = await fetch(`${url}/spin?ms=5000`);
    expect(res.status).to.equal(504);
    await waitFor(() => app.stats().threads?.busyThreads === 0, 'the thread freed', 3000);
    expect(await (await fetch(`${url}/bytes?size=10`)).text()).to.have.length(10);
  });

  it('cancels the thread task when the client leaves', async () => {
    const socket = await openSocket(port);
    socket.write('GET /spin-long?ms=5000 HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => (app.stats().threads?.busyThreads ?? 0) >= 1, 'a thread busy');
    socket.destroy();
    await waitFor(
      () => app.stats().threads?.busyThreads === 0 && app.pool.stats().busy === 0,
      'thread and worker freed',
      3000,
    );
  });

  it('answers a throw in the thread with a 500 in the JSON shape, logged with its stack and request id', async () => {
    const res = await fetch(`${url}/fail`, { headers: { 'x-request-id': 'thread-fail-1' } });
    expect(res.status).to.equal(500);
    expect(await res.json()).to.deep.equal({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal Server Error',
    });
    await waitFor(() => lines.some((line) => line.msg === 'handler failed'), 'the error line');
    const line = lines.find((entry) => entry.msg === 'handler failed');
    expect(line?.level).to.equal(LEVELS.error);
    expect(line?.['reqId']).to.equal('thread-fail-1');
    const err = line?.['err'] as { message: string; stack: string };
    expect(err.message).to.equal('the task failed in its thread');
    expect(err.stack).to.contain('spin.task');
  });

  it('answers a thread that dies with a 500, and a new thread serves the next request', async () => {
    expect((await fetch(`${url}/exit`)).status).to.equal(500);
    expect((await fetch(`${url}/bytes?size=3`)).status).to.equal(201);
    expect((await fetch(`${url}/ping`)).status).to.equal(200);
  });

  it('refuses a task given by a relative path with a 500 that says why in the log', async () => {
    expect((await fetch(`${url}/relative`)).status).to.equal(500);
    await waitFor(() => lines.some((line) => line.msg === 'handler failed'), 'the error line');
    expect((lines.find((line) => line.msg === 'handler failed')?.['err'] as { message: string }).message).to.match(
      /give its absolute path/,
    );
  });

  it('gives each thread its own container: a main-thread singleton is not shared', async () => {
    const mainCounter = rootContainer.resolve(Counter);
    const before = mainCounter.count;
    const answers: Array<{ greeting: string; threadId: number; counted: number }> = [];
    for (let i = 0; i < 4; i++)
      answers.push((await (await fetch(`${url}/greet?name=ada`)).json()) as (typeof answers)[0]);
    expect(mainCounter.count - before, 'the main thread counted its own').to.equal(4);
    for (const answer of answers) {
      expect(answer.threadId).to.be.greaterThan(0);
      expect(answer.greeting).to.match(/^hello ada #\d+$/);
    }
    const perThread = new Map<number, number>();
    for (const answer of answers)
      perThread.set(answer.threadId, Math.max(perThread.get(answer.threadId) ?? 0, answer.counted));
    const total = [...perThread.values()].reduce((sum, count) => sum + count, 0);
    expect(total, "the threads' own counters, started at 0").to.be.at.most(4);
  });

  it('shows threads in app.stats() and /metrics', async () => {
    const stats = app.stats().threads;
    expect(stats).to.include({ threads: 2 });
    expect(stats?.completedTasks).to.be.greaterThan(0);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).to.match(/^httppool_threads 2$/m);
    expect(text).to.match(/^httppool_threads_busy \d+$/m);
    expect(text).to.match(/^httppool_threads_completed \d+$/m);
  });
});

describe('ThreadPool without the threads option', () => {
  it('is a bootstrap error that says how to turn threads on', async () => {
    expect(
      ((await rejectionOf(HttpPoolApp.bootstrap({ controllers: [ThreadedController], logger: false }))) as Error)
        .message,
    ).to.match(/turn them on with the threads option/);
  });
});
