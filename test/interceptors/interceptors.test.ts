// Interceptors: around the handler, on its worker, outermost first (app-wide,
// controller, method); they time the call, map the value, catch errors, or
// answer without the handler; classes are made once per app by its container.

import { expect } from 'chai';
import { injectable } from 'tsyringe';
import {
  Controller,
  Get,
  HttpError,
  HttpPoolApp,
  RouteDefinitionError,
  UseInterceptors,
  type Complete,
  type HttpRequest,
  type HttpResponse,
  type Interceptor,
  type InterceptorContext,
} from '../../src/index';
import { appStarter } from '../helpers/start-app';
import { rejectionOf } from '../helpers/wait-for';

/** Interceptors append here as they enter and leave, so a test sees the nesting. */
let trace: string[] = [];
let busyInside: number[] = [];
let app: HttpPoolApp | undefined;

const named = (name: string): Interceptor => ({
  async intercept(_context, next) {
    trace.push(`${name}>`);
    try {
      return await next();
    } finally {
      trace.push(`<${name}`);
    }
  },
});

@injectable()
class Clock {
  now(): number {
    return 7;
  }
}

let envelopesMade = 0;

/** Maps the value into an envelope, with an injected service; records that it runs on a worker. */
@injectable()
class Envelope implements Interceptor {
  constructor(private readonly clock: Clock) {
    envelopesMade++;
  }
  async intercept(context: InterceptorContext, next: () => Promise<unknown>): Promise<unknown> {
    busyInside.push(app?.pool.stats().busy ?? -1);
    const data = await next();
    context.res.setHeader('x-route', context.path);
    return { data, at: this.clock.now() };
  }
}

/** Turns a 404 into a 200 fallback; lets everything else through. */
const Fallback: Interceptor = {
  async intercept(_context, next) {
    try {
      return await next();
    } catch (error) {
      if (error instanceof HttpError && error.statusCode === 404) return { fallback: true };
      throw error;
    }
  },
};

const Cached: Interceptor = { intercept: () => 'from the cache' };

let handlerRuns = 0;

const Twice: Interceptor = {
  async intercept(_context, next) {
    await next();
    return next();
  },
};

@Controller('/i')
@UseInterceptors(named('controller'), Envelope)
class InterceptedController {
  @Get('/value')
  @UseInterceptors(named('method'))
  value() {
    trace.push('handler');
    return 'v';
  }

  @Get('/callback')
  callback(res: HttpResponse, _req: HttpRequest, complete: Complete) {
    setImmediate(() => {
      res.setHeader('x-callback', 'yes');
      complete();
    });
  }

  @Get('/missing')
  @UseInterceptors(Fallback)
  missing() {
    throw new HttpError(404, 'none');
  }

  @Get('/broken')
  @UseInterceptors(Fallback)
  broken() {
    throw new HttpError(409, 'conflict');
  }

  @Get('/cached')
  @UseInterceptors(Cached)
  cached() {
    handlerRuns++;
    return 'from the handler';
  }

  @Get('/twice')
  @UseInterceptors(Twice)
  twice() {
    handlerRuns++;
    return handlerRuns;
  }
}

describe('interceptors', () => {
  const startApp = appStarter();
  beforeEach(() => {
    trace = [];
    busyInside = [];
    handlerRuns = 0;
  });

  const start = async () => {
    const started = await startApp({ controllers: [InterceptedController], interceptors: [named('app')] });
    app = started.app;
    return started;
  };

  it('nest app-wide, controller, method around the handler, and map its value', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/i/value`);
    expect(await res.json()).to.deep.equal({ data: 'v', at: 7 });
    expect(res.headers.get('x-route')).to.equal('/i/value');
    expect(trace).to.deep.equal(['app>', 'controller>', 'method>', 'handler', '<method', '<controller', '<app']);
    expect(busyInside, 'they run on the worker').to.deep.equal([1]);
  });

  it('wait for a complete()-style handler', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/i/callback`);
    expect(res.headers.get('x-callback')).to.equal('yes');
    expect(await res.json()).to.deep.equal({ at: 7 });
  });

  it('catch and replace an error, or let it through to the usual answer', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/i/missing`)).json()).to.deep.equal({ data: { fallback: true }, at: 7 });
    const conflict = await fetch(`${url}/i/broken`);
    expect(conflict.status).to.equal(409);
    expect(await conflict.json()).to.include({ statusCode: 409, message: 'conflict' });
  });

  it('answer without the handler when they do not call next', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/i/cached`)).json()).to.deep.equal({ data: 'from the cache', at: 7 });
    expect(handlerRuns).to.equal(0);
  });

  it('run the handler once however often next is called', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/i/twice`)).json()).to.deep.equal({ data: 1, at: 7 });
    expect(handlerRuns).to.equal(1);
  });

  it('are made once per app by its container, and work through inject()', async () => {
    envelopesMade = 0;
    const injected = await HttpPoolApp.bootstrap({ controllers: [InterceptedController], logger: false });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await injected.inject({ url: '/i/value' })).json()).to.deep.equal({ data: 'v', at: 7 });
      }
      expect(envelopesMade).to.equal(1);
    } finally {
      await injected.close();
    }
  });

  it('are refused at bootstrap and at decoration when they are not interceptors', async () => {
    expect(
      (
        (await rejectionOf(
          HttpPoolApp.bootstrap({ interceptors: [{ around: () => 1 }] as never, logger: false }),
        )) as Error
      ).message,
    ).to.match(/Option "interceptors"\[0\] must be a class with an intercept/);
    expect(() => UseInterceptors(Clock as never)).to.throw(RouteDefinitionError, /class Clock/);
  });
});
