// The hooks option: onRequest before routing (it may answer), onResponse once
// per ended request with what the client got, onError for every error answered.

import { expect } from 'chai';
import {
  Controller,
  Get,
  HttpError,
  HttpPoolApp,
  type HttpRequest,
  type HttpResponse,
  type ResponseInfo,
} from '../../src/index';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { rejectionOf, waitFor } from '../helpers/wait-for';

let handlerRuns = 0;
let hold: Deferred<void> = deferred();

@Controller()
class HookedController {
  @Get('/ok')
  ok() {
    handlerRuns++;
    return 'ok';
  }

  @Get('/fails')
  fails() {
    throw new HttpError(409, 'conflict');
  }

  @Get('/hold')
  async held() {
    await hold.promise;
    return 'held';
  }
}

describe('hooks', () => {
  const { logger, lines } = captureLogs('debug');
  const startApp = appStarter({ beforeClose: () => hold.resolve() });
  let seen: string[];
  let responses: Array<ResponseInfo & { url: string }>;
  let errors: Array<{ error: unknown; url: string }>;

  beforeEach(() => {
    handlerRuns = 0;
    hold = deferred();
    lines.length = 0;
    seen = [];
    responses = [];
    errors = [];
  });

  const onResponse = (req: HttpRequest, _res: HttpResponse, info: ResponseInfo) => {
    responses.push({ ...info, url: req.url as string });
  };
  const onError = (error: unknown, req: HttpRequest) => {
    errors.push({ error, url: req.url as string });
  };

  it('onRequest sees every request before routing, and may answer it itself', async () => {
    const { url } = await startApp({
      controllers: [HookedController],
      logger,
      metrics: true,
      hooks: {
        onRequest: [
          (req) => {
            seen.push(req.url as string);
          },
          (req, res) => {
            if (req.headers['x-api-key'] !== 'k') {
              res.statusCode = 401;
              res.end('no key');
            }
          },
          (req) => {
            seen.push(`after ${req.url as string}`);
          },
        ],
        onResponse: [onResponse],
      },
    });
    const refused = await fetch(`${url}/ok`);
    expect(refused.status).to.equal(401);
    expect(await refused.text()).to.equal('no key');
    expect(handlerRuns, 'the handler never ran').to.equal(0);
    const allowed = await fetch(`${url}/ok`, { headers: { 'x-api-key': 'k' } });
    expect(await allowed.text()).to.equal('ok');
    for (const target of ['/nowhere', '/metrics'])
      await (await fetch(url + target, { headers: { 'x-api-key': 'k' } })).text();
    expect(seen).to.deep.equal(['/ok', '/ok', 'after /ok', '/nowhere', 'after /nowhere', '/metrics', 'after /metrics']);
    await waitFor(() => responses.length === 4, 'four responses');
    expect(responses.map(({ url: at, statusCode, route }) => [at, statusCode, route])).to.deep.equal([
      ['/ok', 401, '(unmatched)'],
      ['/ok', 200, '/ok'],
      ['/nowhere', 404, '(unmatched)'],
      ['/metrics', 200, '/metrics'],
    ]);
  });

  it('an async onRequest is awaited; one that throws answers its error', async () => {
    let calls = 0;
    const { url } = await startApp({
      controllers: [HookedController],
      logger,
      hooks: {
        onRequest: [
          async (req) => {
            await new Promise((resolve) => setImmediate(resolve));
            if (++calls > 1 && req.url === '/ok') throw new HttpError(429, 'Slow down');
          },
        ],
      },
    });
    expect(await (await fetch(`${url}/ok`)).text()).to.equal('ok');
    const limited = await fetch(`${url}/ok`);
    expect(limited.status).to.equal(429);
    expect(await limited.json()).to.include({ statusCode: 429, message: 'Slow down' });
    expect(handlerRuns).to.equal(1);
  });

  it('onResponse is told once per request: the status the client got, the route, the time', async () => {
    const { url, app } = await startApp({
      controllers: [HookedController],
      logger,
      workers: 1,
      queueSize: 1,
      hooks: { onResponse: [onResponse] },
    });
    const running = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().busy === 1, 'the only worker busy');
    const queued = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().queued === 1, 'one queued');
    expect((await fetch(`${url}/hold`)).status).to.equal(503);
    hold.resolve();
    await Promise.all([running, queued].map(async (answer) => (await answer).text()));
    await waitFor(() => responses.length === 3, 'three responses');
    const statuses = responses.map((info) => info.statusCode).sort();
    expect(statuses).to.deep.equal([200, 200, 503]);
    for (const info of responses) {
      expect(info.route).to.equal('/hold');
      expect(info.durationMs).to.be.a('number').and.to.be.at.least(0);
    }
  });

  it('onError sees every error answered, not the successes', async () => {
    const { url } = await startApp({ controllers: [HookedController], logger, hooks: { onError: [onError] } });
    for (const target of ['/ok', '/fails', '/nowhere']) await (await fetch(url + target)).text();
    expect(errors.map(({ error, url: at }) => [at, (error as HttpError).statusCode])).to.deep.equal([
      ['/fails', 409],
      ['/nowhere', 404],
    ]);
  });

  it('a failing onResponse or onError is logged at error and changes nothing', async () => {
    const { url } = await startApp({
      controllers: [HookedController],
      logger,
      hooks: {
        onResponse: [
          () => {
            throw new Error('audit down');
          },
        ],
        onError: [
          () => {
            throw new Error('tracker down');
          },
        ],
      },
    });
    expect((await fetch(`${url}/fails`)).status).to.equal(409);
    expect(await (await fetch(`${url}/ok`)).text()).to.equal('ok');
    await waitFor(() => lines.filter((line) => line.level === LEVELS.error).length === 3, 'three error lines');
    expect(lines.filter((line) => line.level === LEVELS.error).map((line) => line.msg)).to.have.members([
      'an onError hook failed',
      'an onResponse hook failed',
      'an onResponse hook failed',
    ]);
  });

  it('work through inject()', async () => {
    const app = await HttpPoolApp.bootstrap({
      controllers: [HookedController],
      logger: false,
      hooks: {
        onRequest: [
          (_req, res) => {
            res.setHeader('x-hooked', 'yes');
          },
        ],
        onResponse: [onResponse],
      },
    });
    try {
      const res = await app.inject({ url: '/ok' });
      expect(res.headers['x-hooked']).to.equal('yes');
      await waitFor(() => responses.length === 1, 'one response');
      expect(responses[0]).to.include({ statusCode: 200, route: '/ok' });
    } finally {
      await app.close();
    }
  });

  it('are refused at bootstrap when they are not lists of functions under known names', async () => {
    for (const [value, message] of [
      [{ onRequests: [] }, /Unknown option "hooks.onRequests"/],
      [{ onRequest: () => undefined }, /"hooks.onRequest" must be a list of functions/],
      [{ onError: ['x'] }, /"hooks.onError" must be a list of functions/],
      [[], /must be \{ onRequest\?/],
    ] as const) {
      expect(
        ((await rejectionOf(HttpPoolApp.bootstrap({ hooks: value as never, logger: false }))) as Error).message,
        JSON.stringify(value),
      ).to.match(message);
    }
  });
});
