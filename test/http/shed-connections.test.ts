// holdShedConnections: a retry on a kept-alive connection within the Retry-After
// of its 503 that would be shed again gets its 503 once the window has
// passed; one that finds room is served at once; without the option every
// 503 goes out at once.

import { expect } from 'chai';
import type { Socket } from 'node:net';
import { Controller, Get } from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { openSocket, parseResponse } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { inFlight, waitFor } from '../helpers/wait-for';

let gate: Deferred<void> = deferred();

@Controller()
class HoldController {
  @Get('/hold')
  async hold(): Promise<string> {
    await gate.promise;
    return 'held';
  }

  @Get('/quick')
  quick(): string {
    return 'quick';
  }
}

/** Reads one whole response (a JSON or text body with Content-Length) from `socket`. */
function nextResponse(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const split = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (split >= 0 && length !== null && text.length >= split + 4 + Number(length[1])) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
  });
}

/** Reads `count` whole responses from `socket`, in order, as their status codes. */
function nextStatuses(socket: Socket, count: number): Promise<number[]> {
  return new Promise((resolve) => {
    let text = '';
    const statuses: number[] = [];
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      for (;;) {
        const split = text.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(text.slice(0, split));
        if (split < 0 || length === null || text.length < split + 4 + Number(length[1])) break;
        statuses.push(parseResponse(text.slice(0, split + 4 + Number(length[1]))).statusCode);
        text = text.slice(split + 4 + Number(length[1]));
      }
      if (statuses.length >= count) {
        socket.off('data', onData);
        resolve(statuses);
      }
    };
    socket.on('data', onData);
  });
}

describe('holdShedConnections', () => {
  const startApp = appStarter({ beforeClose: () => gate.resolve() });
  beforeEach(() => {
    gate = deferred();
  });

  async function shedOnce(holdShedConnections: boolean): Promise<{ socket: Socket; url: string }> {
    const { app, url, port } = await startApp({
      controllers: [HoldController],
      workers: 1,
      queueSize: 1,
      holdShedConnections,
    });
    void inFlight(fetch(`${url}/hold`));
    await waitFor(() => app.pool.stats().busy === 1, 'the worker busy');
    void inFlight(fetch(`${url}/hold`));
    await waitFor(() => app.pool.stats().queued === 1, 'the queue full');
    const socket = await openSocket(port);
    const shed = nextResponse(socket);
    socket.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    const answer = parseResponse(await shed);
    expect(answer.statusCode).to.equal(503);
    expect(answer.headers['retry-after']).to.equal('1');
    expect(answer.headers.connection).to.equal('keep-alive');
    return { socket, url };
  }

  it('answers an early retry that would be shed again only once the Retry-After has passed', async () => {
    const { socket, url } = await shedOnce(true);
    const started = performance.now();
    const next = nextResponse(socket);
    socket.write('GET /quick HTTP/1.1\r\nHost: x\r\n\r\n'); // the pool is still full
    const retry = parseResponse(await next);
    expect(retry.statusCode).to.equal(503);
    expect(performance.now() - started).to.be.at.least(800);
    // Other connections are not held: a shed 503 at once.
    const other = performance.now();
    expect((await fetch(`${url}/quick`)).status).to.equal(503);
    expect(performance.now() - other).to.be.below(500);
    gate.resolve();
    socket.destroy();
  });

  it('holds no request pipelined behind a 503 not yet sent: its client could not have read it', async () => {
    const { app, port } = await startApp({
      controllers: [HoldController],
      workers: 1,
      queueSize: 1,
      holdShedConnections: true,
    });
    void inFlight(fetch(`http://127.0.0.1:${port}/hold`));
    void inFlight(fetch(`http://127.0.0.1:${port}/hold`));
    await waitFor(() => app.pool.stats().queued === 1, 'the pool full');
    const socket = await openSocket(port);
    const started = performance.now();
    const answers = nextStatuses(socket, 3);
    // One write, parsed in one turn: the later two wait behind the first 503, and node gives them the socket only once it is sent.
    socket.write('GET /quick HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3));
    expect(await answers).to.deep.equal([503, 503, 503]);
    expect(performance.now() - started).to.be.below(500);
    gate.resolve();
    socket.destroy();
  });

  it('serves an early retry that finds room at once', async () => {
    const { socket } = await shedOnce(true);
    gate.resolve(); // room again
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    const next = nextResponse(socket);
    socket.write('GET /quick HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(parseResponse(await next).statusCode).to.equal(200);
    expect(performance.now() - started).to.be.below(500);
    socket.destroy();
  });

  it('with holdShedConnections: false, answers an early retry at once', async () => {
    const { socket } = await shedOnce(false);
    const started = performance.now();
    const next = nextResponse(socket);
    socket.write('GET /quick HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(parseResponse(await next).statusCode).to.equal(503);
    expect(performance.now() - started).to.be.below(500);
    gate.resolve();
    socket.destroy();
  });
});
