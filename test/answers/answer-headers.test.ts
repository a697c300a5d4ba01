// The `headers` and `requestIdHeader` options: every answer carries the
// defaults and the request id, whoever writes it (a handler, the framework's
// own errors, a shed 503, a 504, static files, /metrics, raw-socket answers).

import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Controller, Get, HttpPoolApp, Post, type HttpRequest, type HttpResponse } from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { parseResponse, rawRequest } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { rejectionOf, waitFor } from '../helpers/wait-for';

let hold: Deferred<void> = deferred();

@Controller()
class HeadersController {
  @Get('/ok')
  ok() {
    return { ok: true };
  }

  @Get('/hold')
  async held() {
    await hold.promise;
    return { held: true };
  }

  @Get('/own')
  own(res: HttpResponse) {
    res.setHeader('server', 'the-handler');
    res.removeHeader('x-powered-by');
    return { own: true };
  }

  @Get('/slow', { timeoutMs: 20 })
  async slow() {
    await hold.promise;
  }

  @Post('/echo')
  echo(_res: HttpResponse, req: HttpRequest) {
    return { id: req.id };
  }
}

const DEFAULTS = { Server: 'httppool-test', 'x-powered-by': 'httppool' };

describe('default headers (the headers option)', () => {
  const startApp = appStarter({ beforeClose: () => hold.resolve() });
  let root: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'httppool-headers-'));
    await writeFile(path.join(root, 'a.txt'), 'a file');
  });
  after(() => rm(root, { recursive: true, force: true }));
  beforeEach(() => {
    hold = deferred();
  });

  const start = () =>
    startApp({
      controllers: [HeadersController],
      headers: DEFAULTS,
      static: [{ prefix: '/files', root }],
      metrics: true,
      workers: 1,
      queueSize: 1,
    });

  for (const [what, request, status] of [
    ["a handler's answer", '/ok', 200],
    ['a 404', '/nowhere', 404],
    ['a 405', ['/ok', { method: 'DELETE' }], 405],
    ['a static file', '/files/a.txt', 200],
    ['a static 404', '/files/missing.txt', 404],
    ['/metrics', '/metrics', 200],
    ['an OPTIONS answer', ['/ok', { method: 'OPTIONS' }], 204],
  ] as const) {
    it(`are on ${what}`, async () => {
      const { url } = await start();
      const [target, init] = typeof request === 'string' ? [request, undefined] : request;
      const res = await fetch(url + target, init);
      await res.arrayBuffer();
      expect(res.status).to.equal(status);
      expect(res.headers.get('server')).to.equal('httppool-test');
      expect(res.headers.get('x-powered-by')).to.equal('httppool');
      expect(res.headers.get('x-request-id')).to.be.a('string');
    });
  }

  it('are on a shed 503 and a queue-timeout 503, with Retry-After', async () => {
    const { url, app } = await startApp({
      controllers: [HeadersController],
      headers: DEFAULTS,
      workers: 1,
      queueSize: 1,
      queueTimeoutMs: 30,
    });
    const running = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().busy === 1, 'the only worker busy');
    const queued = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().queued === 1, 'one request queued');
    const shed = await fetch(`${url}/hold`);
    expect(shed.status).to.equal(503);
    expect(shed.headers.get('server')).to.equal('httppool-test');
    expect(shed.headers.get('retry-after')).to.be.a('string');
    const timedOut = await queued;
    expect(timedOut.status).to.equal(503);
    expect(timedOut.headers.get('server')).to.equal('httppool-test');
    hold.resolve();
    expect((await running).status).to.equal(200);
  });

  it('are on a handler-timeout 504', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/slow`);
    expect(res.status).to.equal(504);
    expect(res.headers.get('server')).to.equal('httppool-test');
  });

  it('are on the raw answers: a CONNECT 405 and a malformed request 400, and on a 400 for a missing Host', async () => {
    const { port } = await start();
    const tunnel = parseResponse(
      await rawRequest(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n'),
    );
    expect(tunnel.statusCode).to.equal(405);
    expect(tunnel.headers['server']).to.equal('httppool-test');
    expect(tunnel.headers['x-request-id']).to.be.a('string');
    const malformed = parseResponse(await rawRequest(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'));
    expect(malformed.statusCode).to.equal(400);
    expect(malformed.headers['server']).to.equal('httppool-test');
    expect(malformed.headers).not.to.have.property('x-request-id');
    const hostless = parseResponse(await rawRequest(port, 'GET /ok HTTP/1.1\r\n\r\n'));
    expect(hostless.statusCode).to.equal(400);
    expect(hostless.headers['server']).to.equal('httppool-test');
    expect(hostless.headers['x-request-id']).to.be.a('string');
  });

  it('yield to what a handler sets or removes', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/own`);
    expect(res.headers.get('server')).to.equal('the-handler');
    expect(res.headers.has('x-powered-by')).to.equal(false);
  });

  it('are on answers through inject()', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [HeadersController], headers: DEFAULTS, logger: false });
    try {
      for (const url of ['/ok', '/nowhere']) {
        const res = await app.inject({ url });
        expect(res.headers['server'], url).to.equal('httppool-test');
      }
    } finally {
      await app.close();
    }
  });

  it('are refused at bootstrap when they are not valid headers or frame the message', async () => {
    for (const [headers, message] of [
      [{ 'bad name': 'x' }, /headers\.bad name/],
      [{ server: 'line\nbreak' }, /headers\.server/],
      [{ server: 1 }, /headers\.server" must be a string/],
      [{ 'Content-Length': '5' }, /content-length frames the message/],
      [{ Connection: 'close' }, /connection frames the message/],
      [{ Server: 'a', server: 'b' }, /names server twice/],
      [['server', 'x'], /must be an object/],
      [{ 'x-request-id': 'fixed' }, /would overwrite every request id/],
    ] as const) {
      const options = { headers: headers as unknown as Record<string, string>, logger: false as const };
      expect(((await rejectionOf(HttpPoolApp.bootstrap(options))) as Error).message, JSON.stringify(headers)).to.match(
        message,
      );
    }
  });
});

describe('the requestIdHeader option', () => {
  const startApp = appStarter();

  it('renames the header the id is read from and sent in', async () => {
    const { url } = await startApp({ controllers: [HeadersController], requestIdHeader: 'Request-Id' });
    const res = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'request-id': 'client-7', 'x-request-id': 'other' },
    });
    expect(await res.json()).to.deep.equal({ id: 'client-7' });
    expect(res.headers.get('request-id')).to.equal('client-7');
    expect(res.headers.has('x-request-id')).to.equal(false);
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.headers.get('request-id')).to.match(/^[0-9a-z]{6}-[0-9a-z]+$/);
  });

  it('false: ids are neither read nor sent, and still made for the handler and the logs', async () => {
    const { url } = await startApp({ controllers: [HeadersController], requestIdHeader: false });
    const res = await fetch(`${url}/echo`, { method: 'POST', headers: { 'x-request-id': 'client-7' } });
    const { id } = (await res.json()) as { id: string };
    expect(id).to.match(/^[0-9a-z]{6}-[0-9a-z]+$/);
    expect(res.headers.has('x-request-id')).to.equal(false);
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).to.equal(404);
    expect(missing.headers.has('x-request-id')).to.equal(false);
  });

  it('is refused at bootstrap when it is not a header name or frames the message', async () => {
    for (const [value, message] of [
      ['bad name', /must be a header name or false/],
      ['', /must be a header name or false/],
      [true, /must be a header name or false/],
      ['Content-Length', /cannot be content-length/],
    ] as const) {
      expect(
        ((await rejectionOf(HttpPoolApp.bootstrap({ requestIdHeader: value as string, logger: false }))) as Error)
          .message,
        JSON.stringify(value),
      ).to.match(message);
    }
  });
});
