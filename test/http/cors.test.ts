// The cors option: the cors package's semantics (checked side by side with
// express + cors on the same requests), preflights answered before routing and
// without a worker, CORS headers on every answer including shed 503s.

import { expect } from 'chai';
import cors from 'cors';
import express from 'express';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Controller, Get, HttpPoolApp, Route, type CorsOptions, type HttpResponse } from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { rejectionOf, waitFor } from '../helpers/wait-for';

let hold: Deferred<void> = deferred();

@Controller()
class CorsController {
  @Get('/data')
  data(res: HttpResponse) {
    res.setHeader('x-total', '3');
    return { data: true };
  }

  @Get('/hold')
  async held() {
    await hold.promise;
    return { held: true };
  }

  @Route('/own-options', { method: 'OPTIONS' })
  ownOptions(res: HttpResponse) {
    res.statusCode = 200;
    return 'the route answered';
  }
}

/** Requests whose CORS headers both servers must answer alike. */
const REQUESTS: ReadonlyArray<{ what: string; method: string; headers: Record<string, string> }> = [
  { what: 'GET from an origin', method: 'GET', headers: { origin: 'https://app.example' } },
  { what: 'GET from another origin', method: 'GET', headers: { origin: 'https://evil.example' } },
  { what: 'GET without an origin', method: 'GET', headers: {} },
  {
    what: 'a preflight',
    method: 'OPTIONS',
    headers: {
      origin: 'https://app.example',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'x-token, content-type',
    },
  },
  { what: 'a preflight from another origin', method: 'OPTIONS', headers: { origin: 'https://evil.example' } },
];

const OPTION_SETS: ReadonlyArray<[string, CorsOptions]> = [
  ['the defaults', {}],
  ['a fixed origin', { origin: 'https://app.example' }],
  [
    'a list, credentials, exposed headers and maxAge',
    {
      origin: ['https://app.example', /\.trusted\.example$/],
      credentials: true,
      exposedHeaders: ['x-total'],
      maxAge: 600,
      methods: ['GET', 'PUT'],
    },
  ],
  ['origin: true (reflect)', { origin: true, allowedHeaders: 'x-token' }],
  ['a 200 for preflights', { optionsSuccessStatus: 200 }],
];

/** The headers CORS decides: access-control-* and vary. */
function corsHeaders(res: Response): Record<string, string> {
  const picked: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (name.startsWith('access-control-') || name === 'vary') picked[name] = value;
  });
  return picked;
}

async function listenExpress(options: CorsOptions): Promise<{ server: Server; url: string }> {
  const app = express();
  app.use(cors(options as cors.CorsOptions));
  app.get('/data', (_req, res) => {
    res.setHeader('x-total', '3');
    res.json({ data: true });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('cors', () => {
  const startApp = appStarter({ beforeClose: () => hold.resolve() });
  beforeEach(() => {
    hold = deferred();
  });

  describe('answers as express with the cors package does', () => {
    for (const [name, options] of OPTION_SETS) {
      it(`with ${name}`, async () => {
        const ours = await startApp({ controllers: [CorsController], cors: options });
        const theirs = await listenExpress(options);
        try {
          for (const request of REQUESTS) {
            const init = { method: request.method, headers: request.headers };
            const [mine, reference] = await Promise.all([
              fetch(`${ours.url}/data`, init),
              fetch(`${theirs.url}/data`, init),
            ]);
            await Promise.all([mine.arrayBuffer(), reference.arrayBuffer()]);
            expect(mine.status, request.what).to.equal(reference.status);
            expect(corsHeaders(mine), request.what).to.deep.equal(corsHeaders(reference));
          }
        } finally {
          theirs.server.close();
          theirs.server.closeAllConnections();
        }
      });
    }
  });

  it('answers a preflight with the only worker busy and the queue full: no worker, no queue slot', async () => {
    const { url, app } = await startApp({ controllers: [CorsController], cors: true, workers: 1, queueSize: 1 });
    const running = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().busy === 1, 'the only worker busy');
    const queued = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().queued === 1, 'the queue full');
    const preflight = await fetch(`${url}/hold`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get('access-control-allow-origin')).to.equal('*');
    const shed = await fetch(`${url}/hold`, { headers: { origin: 'https://app.example' } });
    expect(shed.status).to.equal(503);
    expect(shed.headers.get('access-control-allow-origin'), 'a browser can read the 503').to.equal('*');
    expect(app.pool.stats()).to.include({ busy: 1, queued: 1 });
    hold.resolve();
    expect((await running).status).to.equal(200);
    expect((await queued).status).to.equal(200);
  });

  it('puts its headers on 404s and static files too', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'httppool-cors-'));
    try {
      await writeFile(path.join(root, 'a.txt'), 'a');
      const { url } = await startApp({
        controllers: [CorsController],
        cors: true,
        static: [{ prefix: '/files', root }],
      });
      for (const target of ['/nowhere', '/files/a.txt']) {
        const res = await fetch(url + target, { headers: { origin: 'https://app.example' } });
        await res.arrayBuffer();
        expect(res.headers.get('access-control-allow-origin'), target).to.equal('*');
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('asks an origin function, which may decide later', async () => {
    const asked: Array<string | undefined> = [];
    const origin: CorsOptions['origin'] = (requestOrigin, callback) => {
      asked.push(requestOrigin);
      setImmediate(() => callback(null, requestOrigin === 'https://app.example'));
    };
    const { url } = await startApp({ controllers: [CorsController], cors: { origin } });
    const allowed = await fetch(`${url}/data`, { headers: { origin: 'https://app.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).to.equal('https://app.example');
    expect(await allowed.json()).to.deep.equal({ data: true });
    const refused = await fetch(`${url}/data`, { headers: { origin: 'https://evil.example' } });
    expect(refused.headers.has('access-control-allow-origin')).to.equal(false);
    expect(refused.status, 'the request still runs: the browser, not the server, withholds it').to.equal(200);
    expect(asked).to.deep.equal(['https://app.example', 'https://evil.example']);
  });

  it('answers 500 in the JSON error shape when the origin function fails, preflight or not', async () => {
    const origin: CorsOptions['origin'] = (_requestOrigin, callback) => callback(new Error('the allow-list is down'));
    const { url } = await startApp({ controllers: [CorsController], cors: { origin } });
    for (const method of ['GET', 'OPTIONS']) {
      const res = await fetch(`${url}/data`, { method, headers: { origin: 'https://app.example' } });
      expect(res.status, method).to.equal(500);
      expect(await res.json(), method).to.deep.equal({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal Server Error',
      });
    }
  });

  it('with preflightContinue, hands OPTIONS on to routing', async () => {
    const { url } = await startApp({ controllers: [CorsController], cors: { preflightContinue: true } });
    const own = await fetch(`${url}/own-options`, { method: 'OPTIONS', headers: { origin: 'https://app.example' } });
    expect(own.status).to.equal(200);
    expect(await own.text()).to.equal('the route answered');
    expect(own.headers.get('access-control-allow-methods')).to.equal('GET,HEAD,PUT,PATCH,POST,DELETE');
    const implicit = await fetch(`${url}/data`, { method: 'OPTIONS' });
    expect(implicit.status).to.equal(204);
    expect(implicit.headers.get('allow')).to.equal('GET, HEAD, OPTIONS');
  });

  it('answers preflights through inject()', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [CorsController], cors: true, logger: false });
    try {
      const res = await app.inject({
        method: 'OPTIONS',
        url: '/data',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
      });
      expect(res.statusCode).to.equal(204);
      expect(res.headers['access-control-allow-origin']).to.equal('*');
    } finally {
      await app.close();
    }
  });

  it('refuses options the cors package does not have, or cannot use', async () => {
    for (const [value, message] of [
      [{ orign: '*' }, /Unknown option "cors.orign"/],
      [{ maxAge: -1 }, /cors.maxAge/],
      [{ optionsSuccessStatus: 404 }, /cors.optionsSuccessStatus/],
      ['*', /must be true, false or/],
    ] as const) {
      expect(
        ((await rejectionOf(HttpPoolApp.bootstrap({ cors: value as CorsOptions, logger: false }))) as Error).message,
        JSON.stringify(value),
      ).to.match(message);
    }
  });
});
