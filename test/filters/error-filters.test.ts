// Error filters: a function, object or class maps an error to an answer, per
// method, per controller and app-wide (closest first); every error answer that
// goes through a response asks them: a handler's throw, 404/405, validation,
// guards, deadlines and sheds. A filter that fails leaves the default answer.

import { expect } from 'chai';
import { IsString } from 'class-validator';
import { injectable } from 'tsyringe';
import {
  Controller,
  Get,
  HttpError,
  HttpPoolApp,
  Post,
  RouteDefinitionError,
  UseErrorFilters,
  UseGuards,
  type CatchErrors,
  type ErrorAnswer,
  type ErrorFilterContext,
  type HttpRequest,
} from '../../src/index';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { rejectionOf, waitFor } from '../helpers/wait-for';

/** RFC 9457 problem details, for every error: what an app-wide filter typically does. */
const problemJson = (error: unknown, req: HttpRequest, context: ErrorFilterContext): ErrorAnswer => ({
  status: context.status,
  headers: {
    'content-type': 'application/problem+json',
    ...(error instanceof HttpError ? error.headers : {}),
  },
  body: {
    status: context.status,
    title: error instanceof HttpError ? error.message : 'Something went wrong',
    instance: req.url,
    route: context.route?.path ?? null,
  },
});

@injectable()
class Teapots {
  readonly made = 'short and stout';
}

let filtersMade = 0;

/** A class filter with an injected service: answers only its own error. */
@injectable()
class TeapotFilter implements CatchErrors {
  constructor(private readonly teapots: Teapots) {
    filtersMade++;
  }
  catch(error: unknown): ErrorAnswer | undefined {
    if (!(error instanceof TeapotError)) return undefined;
    return { status: 418, body: `I'm a teapot, ${this.teapots.made}` };
  }
}

class TeapotError extends Error {}

class Body {
  @IsString() name!: string;
}

let hold: Deferred<void> = deferred();

@Controller('/api')
@UseErrorFilters(TeapotFilter)
class ApiController {
  @Get('/teapot')
  teapot() {
    throw new TeapotError('brewing');
  }

  @Get('/missing')
  missing() {
    throw new HttpError(404, 'No such thing');
  }

  @Get('/crash')
  crash() {
    throw new Error('a secret stack');
  }

  @Post('/body', { body: Body })
  body() {
    return 'ok';
  }

  @Get('/closed')
  @UseGuards({ canActivate: () => false })
  closed() {
    return 'unreachable';
  }

  @Get('/slow', { timeoutMs: 20 })
  async slow() {
    await hold.promise;
  }

  @Get('/hold')
  async held() {
    await hold.promise;
    return 'held';
  }

  // The method's own filter is asked before the controller's.
  @Get('/teapot-here')
  @UseErrorFilters((error) => (error instanceof TeapotError ? { status: 503, body: { here: true } } : undefined))
  teapotHere() {
    throw new TeapotError('here');
  }
}

@Controller('/plain')
class PlainController {
  @Get('/teapot')
  teapot() {
    throw new TeapotError('no filter here');
  }
}

describe('error filters', () => {
  const { logger, lines } = captureLogs('debug');
  const startApp = appStarter({ beforeClose: () => hold.resolve() });
  beforeEach(() => {
    hold = deferred();
    lines.length = 0;
  });

  const start = (options: Parameters<typeof startApp>[0] = {}) =>
    startApp({ controllers: [ApiController, PlainController], logger, errorFilters: [problemJson], ...options });

  async function problem(res: Response): Promise<unknown> {
    expect(res.headers.get('content-type')).to.equal('application/problem+json');
    return res.json();
  }

  it('an app-wide filter answers a handler error, with its status, headers and body', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/api/missing`);
    expect(res.status).to.equal(404);
    expect(await problem(res)).to.deep.equal({
      status: 404,
      title: 'No such thing',
      instance: '/api/missing',
      route: '/api/missing',
    });
  });

  it('is asked for the framework errors too: 404, 405, validation 400, guard 403, 500', async () => {
    const { url } = await start();
    for (const [target, init, status, route] of [
      ['/nowhere', {}, 404, null],
      ['/api/missing', { method: 'DELETE' }, 405, null],
      ['/api/body', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 400, '/api/body'],
      ['/api/closed', {}, 403, '/api/closed'],
      ['/api/crash', {}, 500, '/api/crash'],
    ] as const) {
      const res = await fetch(url + target, init);
      expect(res.status, target).to.equal(status);
      const body = (await problem(res)) as { status: number; route: string | null; title: string };
      expect(body.status, target).to.equal(status);
      expect(body.route, target).to.equal(route);
      if (status === 500) expect(body.title).to.equal('Something went wrong');
    }
  });

  it("answers a declared length over bodyLimit through the route's filters", async () => {
    const { url } = await start({ bodyLimit: 10 });
    const res = await fetch(`${url}/api/body`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"far too long"}',
    });
    expect(res.status).to.equal(413);
    expect(((await problem(res)) as { route: string }).route).to.equal('/api/body');
  });

  it('is asked for deadlines and sheds: 504, queue-full 503 and queue-timeout 503 with Retry-After', async () => {
    const { url, app } = await start({ workers: 1, queueSize: 1, queueTimeoutMs: 40 });
    const slow = await fetch(`${url}/api/slow`);
    expect(slow.status).to.equal(504);
    expect(((await problem(slow)) as { status: number }).status).to.equal(504);
    const running = fetch(`${url}/api/hold`);
    await waitFor(() => app.pool.stats().busy === 1, 'the only worker busy');
    const queued = fetch(`${url}/api/hold`);
    await waitFor(() => app.pool.stats().queued === 1, 'one queued');
    const shed = await fetch(`${url}/api/hold`);
    expect(shed.status).to.equal(503);
    expect(shed.headers.get('retry-after')).to.equal('1');
    expect(((await problem(shed)) as { route: string }).route).to.equal('/api/hold');
    const timedOut = await queued;
    expect(timedOut.status).to.equal(503);
    expect(timedOut.headers.get('retry-after')).to.equal('1');
    await problem(timedOut);
    hold.resolve();
    expect(await (await running).text()).to.equal('held');
  });

  it("a controller's filter class (injected, made once per app) answers its own routes' errors", async () => {
    filtersMade = 0;
    const { url } = await start();
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${url}/api/teapot`);
      expect(res.status).to.equal(418);
      expect(res.headers.get('content-type')).to.equal('text/plain; charset=utf-8');
      expect(await res.text()).to.equal("I'm a teapot, short and stout");
    }
    expect(filtersMade).to.equal(1);
    const elsewhere = await fetch(`${url}/plain/teapot`);
    expect(elsewhere.status, 'another controller: the app-wide filter').to.equal(500);
    await problem(elsewhere);
  });

  it("asks the method's filters first, and passes on what a filter leaves (undefined)", async () => {
    const { url } = await start();
    const here = await fetch(`${url}/api/teapot-here`);
    expect(here.status).to.equal(503);
    expect(await here.json()).to.deep.equal({ here: true });
    const passedOn = await fetch(`${url}/api/missing`);
    expect(passedOn.status, 'TeapotFilter left it to the app-wide filter').to.equal(404);
    await problem(passedOn);
  });

  it('a filter that throws or answers something unusable is skipped, logged, and the default answers', async () => {
    const throwing = () => {
      throw new Error('the filter itself failed');
    };
    const unusable = () => ({ status: 'teapot' }) as unknown as ErrorAnswer;
    const cyclic = () => {
      const body: Record<string, unknown> = {};
      body['self'] = body;
      return { status: 500, headers: { 'x-filtered': 'yes' }, body };
    };
    for (const filter of [throwing, unusable, cyclic]) {
      lines.length = 0;
      const app = await HttpPoolApp.bootstrap({ controllers: [PlainController], logger, errorFilters: [filter] });
      try {
        const res = await app.inject({ url: '/nowhere' });
        expect(res.statusCode, filter.name).to.equal(404);
        expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
        expect(res.headers).not.to.have.property('x-filtered');
        expect(res.json()).to.include({ statusCode: 404, error: 'Not Found' });
        const failures = lines.filter((line) => line.msg === 'an error filter failed: its answer is skipped');
        expect(failures, filter.name).to.have.length(1);
        expect(failures[0]?.level).to.equal(LEVELS.error);
      } finally {
        await app.close();
      }
    }
  });

  it('an answer without a body is sent empty, with its length', async () => {
    const app = await HttpPoolApp.bootstrap({
      controllers: [PlainController],
      logger: false,
      errorFilters: [() => ({ status: 410, headers: { 'x-gone': 'forever' } })],
    });
    try {
      const res = await app.inject({ url: '/gone' });
      expect(res.statusCode).to.equal(410);
      expect(res.headers['x-gone']).to.equal('forever');
      expect(res.headers['content-length']).to.equal('0');
      expect(res.body).to.equal('');
    } finally {
      await app.close();
    }
  });

  it('are refused at bootstrap and at decoration when they are not filters', async () => {
    for (const [value, message] of [
      [{}, /Option "errorFilters" must be an array/],
      [[42], /Option "errorFilters"\[0\] must be a class with a catch/],
      [[{ handle: () => undefined }], /Option "errorFilters"\[0\]/],
      [[Teapots], /errorFilters"\[0\] must be a class with a catch.*got function Teapots/],
    ] as const) {
      expect(
        ((await rejectionOf(HttpPoolApp.bootstrap({ errorFilters: value as never, logger: false }))) as Error).message,
        JSON.stringify(value),
      ).to.match(message);
    }
    expect(() => UseErrorFilters('nope' as never)).to.throw(RouteDefinitionError, /a filter must be/);
  });
});
