// The handler contract over HTTP: complete(), returned values, thrown and
// rejected errors, what a handler is handed, and that every way a handler
// ends frees its worker once. It runs twice: against the app's own server,
// and against a plain node http server through app.dispatch, which runs
// different code (node's own request and response objects, adopted per request).

import { expect } from 'chai';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import {
  Controller,
  Get,
  HttpError,
  Post,
  type Complete,
  type HttpPoolApp,
  type HttpRequest,
  type HttpResponse,
} from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { openSocket, parseResponse, rawRequest } from '../helpers/raw-http';
import { serverModes, type ServedApp } from '../helpers/server-modes';
import { rejectionOf, waitFor, within } from '../helpers/wait-for';

// A generated id: the process's random prefix, then a counter in base 36.
const GENERATED_ID = /^[0-9a-z]{6}-[0-9a-z]{1,5}$/;

const BODY_LIMIT = 100;

/** Settled by `/contract/until-client-leaves` with its signal's abort reason. */
let signalAborted: Deferred<unknown> = deferred();
/** Settled by `/contract/write-after-end` with the error its own 'error' listener heard. */
let lateWriteError: Deferred<string> = deferred();

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

  @Get('/context/:name')
  context(_res: HttpResponse, req: HttpRequest) {
    req.log.debug('context');
    return {
      params: req.params,
      query: req.query,
      id: req.id,
      signalAborted: req.signal.aborted,
      logs: typeof req.log.info === 'function',
    };
  }

  // With `?strip`, it first takes every 'close' listener off its response.
  @Get('/until-client-leaves')
  untilClientLeaves(res: HttpResponse, req: HttpRequest, complete: Complete) {
    if (req.query.strip !== undefined) res.removeAllListeners('close');
    req.signal.addEventListener('abort', () => {
      signalAborted.resolve(req.signal.reason);
      complete();
    });
  }

  // Takes every 'close' listener off its response, listens for 'error' itself,
  // then writes after the end.
  @Get('/write-after-end')
  writeAfterEnd(res: HttpResponse, _req: HttpRequest, complete: Complete) {
    res.removeAllListeners('close');
    res.on('error', (error: Error) => lateWriteError.resolve(error.message));
    res.end('done');
    res.write('late');
    complete();
  }

  @Post('/read-body')
  async readBody(_res: HttpResponse, req: HttpRequest) {
    let bytes = 0;
    for await (const chunk of req) bytes += (chunk as Buffer).length;
    return { bytes };
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

/** A chunked request body, framed by hand. */
function chunked(parts: string[]): string {
  return parts.map((part) => `${part.length.toString(16)}\r\n${part}\r\n`).join('') + '0\r\n\r\n';
}

// Every case runs both ways. What only app.server configures (its timeouts,
// keep-alive, Expect and CONNECT handling, the Host check, cutting connections
// on close()) is no part of a handler's contract; it is tested against app.server elsewhere.
for (const mode of serverModes) {
  describe(`handler contract over HTTP (${mode.name})`, () => {
    let served: ServedApp | undefined;
    let app: HttpPoolApp;
    let url: string;
    let port: number;
    const sockets: Socket[] = [];

    before(async () => {
      served = await mode.serve({ controllers: [ContractController], workers: 4, bodyLimit: BODY_LIMIT });
      ({ app, url, port } = served);
    });

    after(() => served?.close());

    beforeEach(() => {
      signalAborted = deferred();
      lateWriteError = deferred();
    });

    // Declared first so the test's sockets are gone before the pool is checked.
    afterEach(() => {
      for (const socket of sockets.splice(0)) socket.destroy();
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

    describe('what the handler is handed', () => {
      it('params, query, the incoming request id (echoed on the response), a live signal and a logger', async () => {
        const response = await fetch(`${url}/contract/context/ann?x=1&x=2&y=3`, {
          headers: { 'x-request-id': 'contract-42' },
        });
        expect(response.status).to.equal(200);
        expect(response.headers.get('x-request-id')).to.equal('contract-42');
        expect(await response.json()).to.deep.equal({
          params: { name: 'ann' },
          query: { x: ['1', '2'], y: '3' },
          id: 'contract-42',
          signalAborted: false,
          logs: true,
        });
      });

      it('a generated request id when the client sent none, the same one the response carries', async () => {
        const response = await fetch(`${url}/contract/context/bob`);
        const { id } = (await response.json()) as { id: string };
        expect(id).to.match(GENERATED_ID);
        expect(response.headers.get('x-request-id')).to.equal(id);
      });

      it('a request body read as a stream, in full when under bodyLimit', async () => {
        const head =
          'POST /contract/read-body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
        const text = await within(rawRequest(port, head + chunked(['a'.repeat(40), 'b'.repeat(40)])), 'the answer');
        const response = parseResponse(text);
        expect(response.statusCode).to.equal(200);
        expect(JSON.parse(response.body)).to.deep.equal({ bytes: 80 });
      });
    });

    describe('ends the handler did not choose', () => {
      it('a body that streams past bodyLimit while the handler reads it answers 413 and frees the worker', async () => {
        const before = app.pool.stats().completed;
        const head = 'POST /contract/read-body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
        const text = await within(rawRequest(port, head + chunked(['a'.repeat(60), 'b'.repeat(60)])), 'the 413');
        const response = parseResponse(text);
        expect(response.statusCode).to.equal(413);
        expect(JSON.parse(response.body)).to.deep.equal({
          statusCode: 413,
          error: STATUS_CODES[413],
          message: `Request body is larger than ${BODY_LIMIT} bytes`,
        });
        await waitFor(() => app.pool.stats().busy === 0, 'the worker freed');
        expect(app.pool.stats().completed).to.equal(before + 1);
      });

      for (const strip of [false, true]) {
        const listeners = strip ? "with every 'close' listener taken off its response" : 'with its listeners in place';
        it(`a handler whose client leaves sees req.signal abort, ${listeners}, and its worker is freed once`, async () => {
          const before = app.pool.stats().completed;
          const socket = await openSocket(port);
          sockets.push(socket);
          const path = strip ? '/contract/until-client-leaves?strip' : '/contract/until-client-leaves';
          socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
          await waitFor(() => app.pool.stats().busy === 1, 'the handler to run');

          socket.destroy();
          const reason = (await within(signalAborted.promise, 'req.signal to abort')) as DOMException;
          expect(reason).to.be.instanceOf(DOMException);
          expect(reason.name).to.equal('AbortError');
          await waitFor(() => app.pool.stats().busy === 0, 'the worker to be freed');
          expect(app.pool.stats().completed).to.equal(before + 1);
        });
      }

      it("a write after the end is heard by the handler's own listener, not fatal, and the request still counted", async () => {
        const counted = app.stats().responses['200'] ?? 0;
        const response = await fetch(`${url}/contract/write-after-end`);
        expect(await response.text()).to.equal('done');
        expect(await within(lateWriteError.promise, "the handler's own error listener")).to.match(/write after end/);
        // Counted when the response closed, though the handler took every 'close' listener off.
        await waitFor(() => app.stats().responses['200'] === counted + 1, 'the request counted as ended');
        expect((await fetch(`${url}/contract/ping`)).status).to.equal(200);
      });
    });
  });
}
