// Guards: asked in order (app-wide, controller, method) before a request
// becomes a job; a refusal never takes a worker, a queue slot or the body.

import { expect } from 'chai';
import { IsString } from 'class-validator';
import { injectable, container as rootContainer } from 'tsyringe';
import {
  Controller,
  Get,
  HttpError,
  HttpPoolApp,
  Post,
  RouteDefinitionError,
  UseGuards,
  type CanActivate,
  type GuardContext,
  type HttpRequest,
} from '../../src/index';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { deferred, type Deferred } from '../helpers/deferred';
import { openSocket, parseResponse, readUntilClose } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { waitFor } from '../helpers/wait-for';

/** Guards append their names here when asked, so a test sees the order and where the chain stopped. */
let asked: string[] = [];

class AllowAll implements CanActivate {
  canActivate(): boolean {
    asked.push('AllowAll');
    return true;
  }
}

class DenyAll implements CanActivate {
  canActivate(): boolean {
    asked.push('DenyAll');
    return false;
  }
}

/** Lets a request through when it carries `x-token: secret`, deciding after a turn of the event loop. */
class AsyncToken implements CanActivate {
  async canActivate(req: HttpRequest): Promise<boolean> {
    asked.push('AsyncToken');
    await new Promise((resolve) => setImmediate(resolve));
    if (req.headers['x-token'] === undefined) {
      throw new HttpError(401, 'A token is required', { headers: { 'www-authenticate': 'Token' } });
    }
    return req.headers['x-token'] === 'secret';
  }
}

class Broken implements CanActivate {
  canActivate(): boolean {
    throw new Error('the guard itself failed');
  }
}

class ForgetsToReturn implements CanActivate {
  canActivate(): boolean {
    return undefined as unknown as boolean;
  }
}

const ROLES = 'test:roles';
const Roles =
  (...roles: string[]): MethodDecorator =>
  (target, key) =>
    Reflect.defineMetadata(ROLES, roles, target.constructor, key);

/** Reads the route's own metadata through its context, as a roles guard would. */
class RolesGuard implements CanActivate {
  canActivate(req: HttpRequest, context: GuardContext): boolean {
    const roles = (Reflect.getMetadata(ROLES, context.controller, context.methodName) as string[] | undefined) ?? [];
    return roles.length === 0 || roles.includes(String(req.headers['x-role']));
  }
}

@injectable()
class Tokens {
  readonly accepted = new Set(['t-1']);
  made = 0;
  constructor() {
    this.made++;
  }
}

@injectable()
class InjectedGuard implements CanActivate {
  static instances = 0;
  constructor(private readonly tokens: Tokens) {
    InjectedGuard.instances++;
  }
  canActivate(req: HttpRequest): boolean {
    return this.tokens.accepted.has(String(req.headers['x-token']));
  }
}

class Upload {
  @IsString()
  name!: string;
}

let handlerRuns = 0;
let hold: Deferred<void> = deferred();

@Controller('/guarded')
@UseGuards(AllowAll)
class GuardedController {
  @Get('/open')
  open() {
    handlerRuns++;
    return { ok: true };
  }

  @Get('/closed')
  @UseGuards(DenyAll)
  closed() {
    handlerRuns++;
    return { ok: true };
  }

  @Get('/token')
  @UseGuards(AsyncToken)
  token() {
    handlerRuns++;
    return { ok: true };
  }

  @Post('/upload', { body: Upload })
  @UseGuards(DenyAll)
  upload() {
    handlerRuns++;
    return { ok: true };
  }

  @Get('/broken')
  @UseGuards(Broken)
  broken() {
    handlerRuns++;
    return { ok: true };
  }

  @Get('/forgets')
  @UseGuards(ForgetsToReturn)
  forgets() {
    handlerRuns++;
    return { ok: true };
  }
}

@Controller('/roles')
@UseGuards(RolesGuard)
class RolesController {
  @Get('/admin')
  @Roles('admin')
  admin() {
    return { admin: true };
  }

  @Get('/anyone')
  anyone() {
    return { anyone: true };
  }
}

@Controller('/injected')
class InjectedController {
  @Get('/a')
  @UseGuards(InjectedGuard)
  a() {
    return { a: true };
  }

  @Get('/b')
  @UseGuards(InjectedGuard)
  b() {
    return { b: true };
  }
}

@Controller('/work')
class WorkController {
  @Get('/hold')
  async hold() {
    await hold.promise;
    return { held: true };
  }

  @Get('/refused')
  @UseGuards(DenyAll)
  refused() {
    handlerRuns++;
    return { ok: true };
  }
}

describe('guards', () => {
  const startApp = appStarter({ beforeClose: () => hold.resolve() });
  beforeEach(() => {
    asked = [];
    handlerRuns = 0;
    hold = deferred();
  });

  it('let a request through when every guard says yes, in order: controller, then method', async () => {
    const { url } = await startApp({ controllers: [GuardedController] });
    const response = await fetch(`${url}/guarded/open`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ ok: true });
    expect(asked).to.deep.equal(['AllowAll']);
    expect(handlerRuns).to.equal(1);
  });

  it('answer 403 in the JSON error shape when a guard says no, and never run the handler', async () => {
    const { url } = await startApp({ controllers: [GuardedController] });
    const response = await fetch(`${url}/guarded/closed`);
    expect(response.status).to.equal(403);
    expect(response.headers.get('x-request-id')).to.be.a('string');
    expect(await response.json()).to.deep.equal({
      statusCode: 403,
      error: 'Forbidden',
      message: 'Access to this route was refused',
    });
    expect(asked).to.deep.equal(['AllowAll', 'DenyAll']);
    expect(handlerRuns).to.equal(0);
  });

  it('run app-wide guards first, and stop at the first refusal', async () => {
    const { url } = await startApp({ controllers: [GuardedController], guards: [DenyAll] });
    const response = await fetch(`${url}/guarded/open`);
    expect(response.status).to.equal(403);
    expect(asked).to.deep.equal(['DenyAll']);
  });

  it('take an instance as well as a class', async () => {
    const { url } = await startApp({
      controllers: [GuardedController],
      guards: [{ canActivate: (req: HttpRequest) => req.headers['x-open'] === 'yes' }],
    });
    expect((await fetch(`${url}/guarded/open`)).status).to.equal(403);
    expect((await fetch(`${url}/guarded/open`, { headers: { 'x-open': 'yes' } })).status).to.equal(200);
  });

  describe('that decide asynchronously', () => {
    it('let the request through once the promise says yes', async () => {
      const { url } = await startApp({ controllers: [GuardedController] });
      const response = await fetch(`${url}/guarded/token`, { headers: { 'x-token': 'secret' } });
      expect(response.status).to.equal(200);
      expect(asked).to.deep.equal(['AllowAll', 'AsyncToken']);
    });

    it('answer 403 when it says no', async () => {
      const { url } = await startApp({ controllers: [GuardedController] });
      expect((await fetch(`${url}/guarded/token`, { headers: { 'x-token': 'wrong' } })).status).to.equal(403);
      expect(handlerRuns).to.equal(0);
    });

    it('answer a thrown HttpError with its own status, message and headers', async () => {
      const { url } = await startApp({ controllers: [GuardedController] });
      const response = await fetch(`${url}/guarded/token`);
      expect(response.status).to.equal(401);
      expect(response.headers.get('www-authenticate')).to.equal('Token');
      expect(await response.json()).to.deep.include({ statusCode: 401, message: 'A token is required' });
    });
  });

  it('answer a guard that throws something else with 500, logged at error', async () => {
    const { logger, lines } = captureLogs('warn');
    const { url } = await startApp({ controllers: [GuardedController], logger });
    const response = await fetch(`${url}/guarded/broken`);
    expect(response.status).to.equal(500);
    expect(await response.json()).to.deep.equal({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal Server Error',
    });
    const logged = lines.find((line) => line.level === LEVELS.error && line.msg === 'a guard failed');
    expect(logged?.err).to.deep.include({ message: 'the guard itself failed' });
  });

  it('refuse when a guard answers neither true nor false, with a warning naming it', async () => {
    const { logger, lines } = captureLogs('warn');
    const { url } = await startApp({ controllers: [GuardedController], logger });
    expect((await fetch(`${url}/guarded/forgets`)).status).to.equal(403);
    const warned = lines.find((line) => line.level === LEVELS.warn && /neither true nor false/.test(line.msg));
    expect(warned).to.deep.include({ guard: 'ForgetsToReturn', returned: 'undefined' });
    expect(handlerRuns).to.equal(0);
  });

  it('give the route’s context, so a guard can read the method’s own metadata', async () => {
    const { url } = await startApp({ controllers: [RolesController] });
    expect((await fetch(`${url}/roles/admin`)).status).to.equal(403);
    expect((await fetch(`${url}/roles/admin`, { headers: { 'x-role': 'admin' } })).status).to.equal(200);
    expect((await fetch(`${url}/roles/anyone`)).status).to.equal(200);
  });

  it('are made by the app’s container, once per app, with their dependencies injected', async () => {
    InjectedGuard.instances = 0;
    const { url } = await startApp({ controllers: [InjectedController] });
    expect((await fetch(`${url}/injected/a`, { headers: { 'x-token': 't-1' } })).status).to.equal(200);
    expect((await fetch(`${url}/injected/b`, { headers: { 'x-token': 'nope' } })).status).to.equal(403);
    expect(InjectedGuard.instances).to.equal(1);
  });

  it('take the dependencies a caller registered in its container (a fake in a test)', async () => {
    const container = rootContainer.createChildContainer();
    container.register(Tokens, { useValue: { accepted: new Set(['fake']) } as unknown as Tokens });
    const { url } = await startApp({ controllers: [InjectedController], container });
    expect((await fetch(`${url}/injected/a`, { headers: { 'x-token': 'fake' } })).status).to.equal(200);
    expect((await fetch(`${url}/injected/a`, { headers: { 'x-token': 't-1' } })).status).to.equal(403);
  });

  it('refuse while the only worker is held and the queue is full: 403, not 503, and nothing queued', async () => {
    const { url, app } = await startApp({ controllers: [WorkController], workers: 1, queueSize: 1 });
    const held = fetch(`${url}/work/hold`);
    await waitFor(() => app.stats().busy === 1, 'the hold request to take the worker');
    const queued = fetch(`${url}/work/hold`);
    await waitFor(() => app.stats().queued === 1, 'the second hold request to queue');
    const refused = await fetch(`${url}/work/refused`);
    expect(refused.status).to.equal(403);
    expect(app.stats()).to.include({ busy: 1, queued: 1, rejected: 0 });
    hold.resolve();
    expect((await held).status).to.equal(200);
    expect((await queued).status).to.equal(200);
    expect(handlerRuns).to.equal(0);
  });

  it('refuse before the body is read: a bad body behind a refusing guard is a 403, not a 400', async () => {
    const { url } = await startApp({ controllers: [GuardedController] });
    const response = await fetch(`${url}/guarded/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{ not json',
    });
    expect(response.status).to.equal(403);
  });

  it('keep a connection alive after refusing a request without a body', async () => {
    const { port } = await startApp({ controllers: [GuardedController] });
    const socket = await openSocket(port);
    socket.write(
      'GET /guarded/closed HTTP/1.1\r\nHost: x\r\n\r\n' +
        'GET /guarded/open HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const text = await readUntilClose(socket);
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).to.deep.equal(['HTTP/1.1 403', 'HTTP/1.1 200']);
  });

  it('close the connection after refusing a request whose body was never read', async () => {
    const { port } = await startApp({ controllers: [GuardedController] });
    const socket = await openSocket(port);
    // The body is still on its way: the refusal must not wait for it, nor read it as a next request.
    socket.write(
      'POST /guarded/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
    );
    const text = await readUntilClose(socket);
    expect(parseResponse(text).statusCode).to.equal(403);
    expect(parseResponse(text).headers['connection']).to.equal('close');
  });

  it('refuse a client awaiting 100 Continue with 403 and no 100, so it uploads nothing', async () => {
    const { port } = await startApp({ controllers: [GuardedController] });
    const socket = await openSocket(port);
    socket.write(
      'POST /guarded/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 16\r\nExpect: 100-continue\r\n\r\n',
    );
    const text = await readUntilClose(socket);
    expect(text).to.not.include('100 Continue');
    expect(parseResponse(text).statusCode).to.equal(403);
  });

  it('answer through app.inject as through the network', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [GuardedController], logger: false });
    try {
      const refused = await app.inject({ url: '/guarded/closed' });
      expect(refused.statusCode).to.equal(403);
      expect(refused.json()).to.deep.include({ statusCode: 403 });
      const allowed = await app.inject({ url: '/guarded/token', headers: { 'x-token': 'secret' } });
      expect(allowed.statusCode).to.equal(200);
    } finally {
      await app.close();
    }
  });

  describe('declared wrong', () => {
    it('@UseGuards with something that is not a guard throws RouteDefinitionError', () => {
      class NotAGuard {}
      expect(() => UseGuards(NotAGuard as never)).to.throw(RouteDefinitionError, /canActivate/);
      expect(() => UseGuards(undefined as never)).to.throw(RouteDefinitionError, /got undefined/);
    });

    it('the guards option with something that is not a guard throws a TypeError naming it', async () => {
      const error = await HttpPoolApp.bootstrap({ guards: [AllowAll, 42] as never, logger: false }).catch(
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(/Option "guards"\[1\]/);
      const notArray = await HttpPoolApp.bootstrap({ guards: AllowAll as never, logger: false }).catch(
        (caught: unknown) => caught,
      );
      expect((notArray as Error).message).to.match(/Option "guards" must be an array/);
    });

    it('a guard whose constructor cannot be injected is a bootstrap error naming the guard', async () => {
      class Untyped implements CanActivate {
        constructor(readonly dep: unknown) {}
        canActivate(): boolean {
          return true;
        }
      }
      @Controller('/x')
      class UsesUntyped {
        @Get('/')
        @UseGuards(Untyped)
        x() {
          return {};
        }
      }
      const error = await HttpPoolApp.bootstrap({ controllers: [UsesUntyped], logger: false }).catch(
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect((error as Error).message).to.match(/^Guard Untyped: /);
    });
  });
});
