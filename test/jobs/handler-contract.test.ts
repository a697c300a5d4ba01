// The handler contract over HTTP: complete(), returned values, thrown and
// rejected errors, and that every way a handler ends frees its worker once.

import { expect } from 'chai';
import { STATUS_CODES } from 'node:http';
import {
  Controller,
  Get,
  HttpError,
  type Complete,
  type HttpPoolApp,
  type HttpRequest,
  type HttpResponse,
} from '../../src/index';
import { appStarter } from '../helpers/start-app';
import { rejectionOf, waitFor } from '../helpers/wait-for';

@Controller('/contract')
class ContractController {
  @Get('/left-open')
  leftOpen(res: HttpResponse, _req: HttpRequest, complete: Complete) {
    res.setHeader('content-type', 'text/plain');
    res.write('hello, ');
    setImmediate(() => {
      res.write('world');
      complete();
    });
  }

  @Get('/complete-twice')
  completeTwice(res: HttpResponse, _req: HttpRequest, complete: Complete) {
    res.end('done');
    complete();
    complete();
  }

  @Get('/complete-error')
  completeError(_res: HttpResponse, _req: HttpRequest, complete: Complete) {
    setImmediate(() => complete(new Error('secret detail')));
  }

  @Get('/sync-throw')
  syncThrow(): never {
    throw new Error('secret detail');
  }

  @Get('/async-reject')
  async asyncReject(): Promise<never> {
    await Promise.resolve();
    throw new Error('secret detail');
  }

  @Get('/teapot')
  teapot(): never {
    throw new HttpError(418, 'teapot');
  }

  @Get('/object')
  object() {
    return { answer: 42, nested: { list: [1, 'two'] } };
  }

  @Get('/async-object')
  async asyncObject() {
    await Promise.resolve();
    return { answer: 'later' };
  }

  @Get('/created')
  created(res: HttpResponse) {
    res.statusCode = 201;
    return { created: true };
  }

  @Get('/end-without-complete')
  endWithoutComplete(res: HttpResponse, _req: HttpRequest) {
    res.end('ended');
  }

  @Get('/partial-then-error')
  partialThenError(res: HttpResponse, _req: HttpRequest, complete: Complete) {
    res.setHeader('content-type', 'text/plain');
    res.write('partial answer, ');
    setImmediate(() => complete(new Error('failed half way')));
  }

  @Get('/bigint')
  bigint() {
    return { big: 10n };
  }

  @Get('/ping')
  ping() {
    return { pong: true };
  }
}

interface ErrorJson {
  statusCode: number;
  error: string;
  message: string;
}

async function expectInternalError(response: Response): Promise<void> {
  expect(response.status).to.equal(500);
  expect(response.headers.get('content-type')).to.match(/^application\/json/);
  const body = (await response.json()) as ErrorJson;
  expect(body).to.deep.equal({ statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' });
}

describe('handler contract over HTTP', () => {
  const startApp = appStarter({ scope: 'all' });
  let app: HttpPoolApp;
  let url: string;

  before(async () => {
    ({ app, url } = await startApp({ controllers: [ContractController], workers: 4 }));
  });

  afterEach(async () => {
    await waitFor(() => app.pool.stats().busy === 0, 'every worker to be free');
    expect(app.pool.stats()).to.include({ busy: 0, queued: 0 });
  });

  describe('complete()', () => {
    it('ends a response the handler left open', async () => {
      const response = await fetch(`${url}/contract/left-open`);
      expect(response.status).to.equal(200);
      expect(await response.text()).to.equal('hello, world');
    });

    it('called twice is harmless: the worker is freed once and the app keeps serving', async () => {
      const before = app.pool.stats().completed;
      const first = await fetch(`${url}/contract/complete-twice`);
      expect(await first.text()).to.equal('done');
      expect(app.pool.stats()).to.include({ busy: 0, completed: before + 1 });

      const second = await fetch(`${url}/contract/complete-twice`);
      expect(second.status).to.equal(200);
      expect(await second.text()).to.equal('done');
      expect(app.pool.stats()).to.include({ busy: 0, completed: before + 2 });
    });

    it('complete(err) answers 500 in the error JSON shape without leaking the error', async () => {
      const response = await fetch(`${url}/contract/complete-error`);
      await expectInternalError(response);
    });

    it('complete(err) after a partial write breaks the connection, and the app keeps serving', async () => {
      const failure = await rejectionOf(
        fetch(`${url}/contract/partial-then-error`).then((response) => response.text()),
      );
      expect(failure).to.be.instanceOf(Error);

      const after = await fetch(`${url}/contract/ping`);
      expect(after.status).to.equal(200);
      expect(await after.json()).to.deep.equal({ pong: true });
    });
  });

  describe('errors', () => {
    it('a synchronous throw answers 500', async () => {
      await expectInternalError(await fetch(`${url}/contract/sync-throw`));
    });

    it('a rejected promise answers 500', async () => {
      await expectInternalError(await fetch(`${url}/contract/async-reject`));
    });

    it('a thrown HttpError answers its own status and message', async () => {
      const response = await fetch(`${url}/contract/teapot`);
      expect(response.status).to.equal(418);
      expect(await response.json()).to.deep.equal({ statusCode: 418, error: STATUS_CODES[418], message: 'teapot' });
    });

    it('a returned value that cannot be serialised (BigInt) answers 500', async () => {
      await expectInternalError(await fetch(`${url}/contract/bigint`));
    });
  });

  describe('returned values', () => {
    it('a returned object is sent as JSON', async () => {
      const response = await fetch(`${url}/contract/object`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.match(/^application\/json/);
      expect(await response.json()).to.deep.equal({ answer: 42, nested: { list: [1, 'two'] } });
    });

    it('a resolved value is sent as JSON', async () => {
      const response = await fetch(`${url}/contract/async-object`);
      expect(response.headers.get('content-type')).to.match(/^application\/json/);
      expect(await response.json()).to.deep.equal({ answer: 'later' });
    });

    it('keeps the status the handler set before returning a value', async () => {
      const response = await fetch(`${url}/contract/created`);
      expect(response.status).to.equal(201);
      expect(await response.json()).to.deep.equal({ created: true });
    });
  });

  describe('handlers without complete', () => {
    it('a sync handler of arity 2 that ends the response frees its worker when it returns', async () => {
      const before = app.pool.stats().completed;
      const response = await fetch(`${url}/contract/end-without-complete`);
      expect(await response.text()).to.equal('ended');
      // Not polled: the worker is freed before the answer is even sent.
      expect(app.pool.stats()).to.include({ busy: 0, completed: before + 1 });
    });
  });
});
