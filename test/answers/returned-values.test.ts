// What a handler's returned value becomes, by its type: a string is text, bytes
// are octet-stream, a stream is piped with back-pressure and destroyed when the
// client leaves, anything else is JSON. A Content-Type the handler set wins.

import { expect } from 'chai';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { Controller, Get, HttpPoolApp, type HttpResponse } from '../../src/index';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { deferred, type Deferred } from '../helpers/deferred';
import { openSocket } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { waitFor } from '../helpers/wait-for';

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** A stream of `chunks` 64 KiB chunks, made only as they are read; it tells how far it got. */
class CountingStream extends Readable {
  made = 0;
  constructor(private readonly chunks: number) {
    super();
  }
  override _read(): void {
    if (this.made === this.chunks) {
      this.push(null);
      return;
    }
    this.made++;
    this.push(CHUNK);
  }
}

/** Sends GET `path` on a new connection that never reads what comes back. */
async function requestWithoutReading(port: number, path: string): Promise<Socket> {
  const socket = await openSocket(port);
  socket.pause();
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  return socket;
}

let stream: CountingStream;
let gate: Deferred<void> = deferred();

@Controller()
class ValuesController {
  @Get('/text')
  text() {
    return 'Hello, World!';
  }

  @Get('/html')
  html(res: HttpResponse) {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    return '<h1>héllo</h1>';
  }

  @Get('/created')
  created(res: HttpResponse) {
    res.statusCode = 201;
    return 'made';
  }

  @Get('/buffer')
  buffer() {
    return Buffer.from([0, 1, 2, 255]);
  }

  @Get('/uint8')
  uint8() {
    return new Uint8Array([9, 8, 7]);
  }

  @Get('/view')
  view() {
    return new DataView(new Uint8Array([5, 6, 7, 8]).buffer, 1, 2);
  }

  @Get('/arraybuffer')
  arrayBuffer() {
    return new Uint8Array([4, 2]).buffer;
  }

  @Get('/object')
  object() {
    return { hello: 'world' };
  }

  @Get('/problem')
  problem(res: HttpResponse) {
    res.statusCode = 409;
    res.setHeader('content-type', 'application/problem+json');
    return { title: 'conflict' };
  }

  @Get('/number')
  number() {
    return 42;
  }

  @Get('/null')
  nothing() {
    return null;
  }

  @Get('/stream')
  stream() {
    return stream;
  }

  @Get('/typed-stream')
  typedStream(res: HttpResponse) {
    res.setHeader('content-type', 'text/csv');
    return Readable.from(['a,b\n', '1,2\n']);
  }

  @Get('/web-stream')
  webStream() {
    return new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('from '));
        controller.enqueue(new TextEncoder().encode('the web'));
        controller.close();
      },
    });
  }

  @Get('/failing-stream')
  failingStream() {
    return new Readable({
      read() {
        this.destroy(new Error('the disk went away'));
      },
    });
  }

  @Get('/failing-later')
  async failingLater() {
    const late = new Readable({ read() {} });
    late.push('some bytes ');
    await gate.promise;
    setImmediate(() => late.destroy(new Error('the cursor died')));
    return late;
  }

  @Get('/endless', { timeoutMs: 50 })
  endless() {
    return stream;
  }
}

describe('returned values', () => {
  const { logger, lines } = captureLogs('debug');
  const startApp = appStarter({ beforeClose: () => gate.resolve() });
  const start = () => startApp({ controllers: [ValuesController], logger, workers: 1 });

  beforeEach(() => {
    lines.length = 0;
    gate = deferred();
    stream = new CountingStream(4);
  });

  for (const [path, status, type, body] of [
    ['/text', 200, 'text/plain; charset=utf-8', 'Hello, World!'],
    ['/html', 200, 'text/html; charset=utf-8', '<h1>héllo</h1>'],
    ['/created', 201, 'text/plain; charset=utf-8', 'made'],
    ['/object', 200, 'application/json; charset=utf-8', '{"hello":"world"}'],
    ['/problem', 409, 'application/problem+json', '{"title":"conflict"}'],
    ['/number', 200, 'application/json; charset=utf-8', '42'],
    ['/null', 200, 'application/json; charset=utf-8', 'null'],
  ] as const) {
    it(`GET ${path} → ${status} ${type}, with its length`, async () => {
      const { url } = await start();
      const res = await fetch(url + path);
      const text = await res.text();
      expect(res.status).to.equal(status);
      expect(res.headers.get('content-type')).to.equal(type);
      expect(text).to.equal(body);
      expect(res.headers.get('content-length')).to.equal(String(Buffer.byteLength(body)));
    });
  }

  for (const [path, bytes] of [
    ['/buffer', [0, 1, 2, 255]],
    ['/uint8', [9, 8, 7]],
    ['/view', [6, 7]],
    ['/arraybuffer', [4, 2]],
  ] as const) {
    it(`GET ${path}: the bytes as application/octet-stream`, async () => {
      const { url } = await start();
      const res = await fetch(url + path);
      expect(res.headers.get('content-type')).to.equal('application/octet-stream');
      expect([...new Uint8Array(await res.arrayBuffer())]).to.deep.equal(bytes);
      expect(res.headers.get('content-length')).to.equal(String(bytes.length));
    });
  }

  describe('a stream', () => {
    it('is piped whole as application/octet-stream, and its worker is held until it is written out', async () => {
      stream = new CountingStream(256); // 16 MiB: more than the socket buffers hold
      const { url, app } = await start();
      const res = await fetch(`${url}/stream`);
      expect(res.headers.get('content-type')).to.equal('application/octet-stream');
      expect(res.headers.get('transfer-encoding')).to.equal('chunked');
      const reader = (res.body as globalThis.ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      expect(first.done).to.equal(false);
      expect(app.pool.stats().busy).to.equal(1);
      let length = first.value?.byteLength ?? 0;
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) length += chunk.value.byteLength;
      expect(length).to.equal(256 * CHUNK.length);
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
      expect(app.pool.stats().completed).to.equal(1);
    });

    it('keeps a Content-Type the handler set', async () => {
      const { url } = await start();
      const res = await fetch(`${url}/typed-stream`);
      expect(res.headers.get('content-type')).to.equal('text/csv');
      expect(await res.text()).to.equal('a,b\n1,2\n');
    });

    it('may be a web ReadableStream', async () => {
      const { url } = await start();
      const res = await fetch(`${url}/web-stream`);
      expect(await res.text()).to.equal('from the web');
    });

    it('is read only as fast as the client takes it (back-pressure)', async () => {
      stream = new CountingStream(1024); // 64 MiB if read to the end
      const { port, app } = await start();
      const socket = await requestWithoutReading(port, '/stream');
      await waitFor(() => stream.made > 0, 'the stream read');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // What the socket buffers hold, at most a few MiB on loopback: far from all of it.
      expect(stream.made * CHUNK.length).to.be.below(16 * 1024 * 1024);
      expect(app.pool.stats().busy).to.equal(1);
      socket.destroy();
    });

    it('is destroyed when the client leaves, and the worker is freed', async () => {
      stream = new CountingStream(1024);
      const { port, app } = await start();
      const socket = await requestWithoutReading(port, '/stream');
      await waitFor(() => stream.made > 0, 'the stream read');
      socket.destroy();
      await waitFor(() => stream.destroyed, 'the stream destroyed');
      expect(stream.made).to.be.below(1024);
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
      expect(lines.filter((line) => line.level >= LEVELS.error)).to.deep.equal([]);
    });

    it('that fails before its first byte is a 500 in the JSON error shape, logged', async () => {
      const { url } = await start();
      const res = await fetch(`${url}/failing-stream`);
      expect(res.status).to.equal(500);
      expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
      expect(await res.json()).to.deep.equal({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal Server Error',
      });
      const failures = lines.filter((line) => line.level === LEVELS.error && line.msg === 'handler failed');
      expect(failures).to.have.length(1);
      expect((failures[0]?.['err'] as { message: string }).message).to.equal('the disk went away');
    });

    it('that fails after bytes went out cuts the response, logged at error, and frees the worker', async () => {
      const { url, app } = await start();
      gate.resolve();
      const res = await fetch(`${url}/failing-later`);
      expect(res.status).to.equal(200);
      const failure = await res.text().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure, 'the body read fails: the answer was cut').to.be.an('error');
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
      const failures = lines.filter((line) => line.level === LEVELS.error && line.msg === 'handler failed');
      expect((failures[0]?.['err'] as { message: string } | undefined)?.message).to.equal('the cursor died');
    });

    it('past the handler deadline is cut and destroyed, and the worker goes back', async () => {
      stream = new CountingStream(1024);
      const { port, app } = await start();
      const socket = await requestWithoutReading(port, '/endless');
      await waitFor(() => stream.destroyed, 'the stream destroyed at the deadline', 3000);
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
      expect(stream.made).to.be.below(1024);
      socket.destroy();
    });

    it('is not read for HEAD: headers only, the stream destroyed', async () => {
      const { url, app } = await start();
      const res = await fetch(`${url}/stream`, { method: 'HEAD' });
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/octet-stream');
      expect(await res.text()).to.equal('');
      await waitFor(() => stream.destroyed, 'the stream destroyed');
      expect(stream.made).to.equal(0);
      await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
    });
  });

  it('are answered the same through inject()', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [ValuesController], logger: false });
    try {
      const text = await app.inject({ url: '/text' });
      expect(text.headers['content-type']).to.equal('text/plain; charset=utf-8');
      expect(text.body).to.equal('Hello, World!');
      const bytes = await app.inject({ url: '/buffer' });
      expect([...bytes.rawPayload]).to.deep.equal([0, 1, 2, 255]);
      const streamed = await app.inject({ url: '/stream' });
      expect(streamed.rawPayload.length).to.equal(4 * CHUNK.length);
    } finally {
      await app.close();
    }
  });
});
