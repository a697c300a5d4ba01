// Expect: 100-continue: the go-ahead is sent only when the body will be used,
// so a request answered without it (413, a shed 503) costs the client no upload.

import { expect } from 'chai';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { IsInt, IsString } from 'class-validator';
import { Controller, Get, Post, type HttpRequest } from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { openSocket, parseResponse } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { turns, waitFor, within } from '../helpers/wait-for';

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

let gate: Deferred<void> = deferred();
let uploads = 0;

class Note {
  @IsString()
  text!: string;
}

class Page {
  @IsInt()
  page!: number;
}

@Controller()
class UploadController {
  @Post('/upload')
  async upload(_res: unknown, req: HttpRequest): Promise<{ bytes: number }> {
    uploads++;
    let bytes = 0;
    for await (const chunk of req) bytes += (chunk as Buffer).length;
    return { bytes };
  }

  @Post('/notes', { body: Note })
  note(_res: unknown, req: HttpRequest<Note>): { text: string } {
    return { text: req.body.text };
  }

  @Post('/notes-paged', { body: Note, query: Page })
  paged(_res: unknown, req: HttpRequest<Note>): { text: string } {
    return { text: req.body.text };
  }

  @Get('/hold')
  async hold(): Promise<string> {
    await gate.promise;
    return 'held';
  }
}

/** Collects what the server writes on `socket`, as text. */
function collect(socket: Socket): { text: () => string; closed: Promise<void> } {
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  return { text: () => text, closed: once(socket, 'close').then(() => undefined) };
}

/** Waits for the close, checks no 100 Continue went out and the answer closed the connection; returns it. */
async function answeredWithoutContinue(seen: ReturnType<typeof collect>): Promise<ReturnType<typeof parseResponse>> {
  await within(seen.closed, 'the answer and the close');
  expect(seen.text()).not.to.include('100 Continue');
  const response = parseResponse(seen.text());
  expect(response.headers['connection']).to.equal('close');
  return response;
}

function head(path: string, length: number): string {
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`;
}

describe('Expect: 100-continue', () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });
  const startApp = appStarter({ beforeClose: () => gate.resolve() });
  beforeEach(() => {
    gate = deferred();
    uploads = 0;
  });

  async function connect(port: number): Promise<Socket> {
    const socket = await openSocket(port);
    sockets.push(socket);
    return socket;
  }

  it('sends 100 Continue when a worker takes the job, then reads the body', async () => {
    const { port } = await startApp({ controllers: [UploadController] });
    const socket = await connect(port);
    const seen = collect(socket);
    socket.write(head('/upload', 5));
    await waitFor(() => seen.text() === CONTINUE, 'the 100 Continue');
    socket.end('hello');
    await within(seen.closed, 'the answer');
    const response = parseResponse(seen.text().slice(CONTINUE.length));
    expect(response.statusCode).to.equal(200);
    expect(JSON.parse(response.body)).to.deep.equal({ bytes: 5 });
  });

  it('keeps the connection open for the next request once the body was asked for', async () => {
    const { port } = await startApp({ controllers: [UploadController] });
    const socket = await connect(port);
    const seen = collect(socket);
    socket.write(head('/upload', 2));
    await waitFor(() => seen.text() === CONTINUE, 'the 100 Continue');
    socket.write('hi');
    await waitFor(() => seen.text().includes('{"bytes":2}'), 'the first answer');
    expect(seen.text()).to.include('Connection: keep-alive');
    socket.write('GET /hold HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    gate.resolve();
    await within(seen.closed, 'the second answer');
    expect(seen.text()).to.match(/\r\n\r\nheld$/);
  });

  it('answers 413 by Content-Length without 100 Continue, and closes: nothing is uploaded', async () => {
    const { port } = await startApp({ controllers: [UploadController], bodyLimit: 100 });
    const socket = await connect(port);
    const seen = collect(socket);
    socket.write(head('/upload', 1000));
    expect((await answeredWithoutContinue(seen)).statusCode).to.equal(413);
    expect(uploads).to.equal(0);
  });

  it('holds the go-ahead while the job is queued, and sends it when a worker takes it', async () => {
    const { app, port, url } = await startApp({ controllers: [UploadController], workers: 1, queueSize: 1 });
    const held = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().busy === 1, 'the worker busy');
    const socket = await connect(port);
    const seen = collect(socket);
    socket.write(head('/upload', 3));
    await waitFor(() => app.pool.stats().queued === 1, 'the upload queued');
    await turns(5);
    expect(seen.text()).to.equal('');
    gate.resolve();
    await held;
    await waitFor(() => seen.text() === CONTINUE, 'the 100 Continue once a worker is free');
    socket.end('abc');
    await within(seen.closed, 'the answer');
    expect(JSON.parse(parseResponse(seen.text().slice(CONTINUE.length)).body)).to.deep.equal({ bytes: 3 });
  });

  it('sheds with 503 without 100 Continue when the queue is full, and closes', async () => {
    const { app, port, url } = await startApp({ controllers: [UploadController], workers: 1, queueSize: 1 });
    const held = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().busy === 1, 'the worker busy');
    const queued = fetch(`${url}/hold`);
    await waitFor(() => app.pool.stats().queued === 1, 'the queue full');
    const socket = await connect(port);
    const seen = collect(socket);
    socket.write(head('/upload', 1_000_000));
    const response = await answeredWithoutContinue(seen);
    expect(response.statusCode).to.equal(503);
    expect(response.headers['retry-after']).to.be.a('string');
    gate.resolve();
    await Promise.all([held, queued]);
    expect(uploads).to.equal(0);
  });

  it('answers 415 for a refused Content-Type without 100 Continue: nothing is uploaded', async () => {
    const { port } = await startApp({ controllers: [UploadController] });
    const socket = await connect(port);
    const seen = collect(socket);
    socket.write(head('/notes', 5).replace('Content-Type: application/json', 'Content-Type: text/plain'));
    const response = await answeredWithoutContinue(seen);
    expect(response.statusCode).to.equal(415);
    expect(JSON.parse(response.body)).to.include({ statusCode: 415, error: 'Unsupported Media Type' });
  });

  it('answers 400 for an invalid query without 100 Continue', async () => {
    const { port } = await startApp({ controllers: [UploadController] });
    const socket = await connect(port);
    const seen = collect(socket);
    socket.write(head('/notes-paged?page=zero', 5));
    expect((await answeredWithoutContinue(seen)).statusCode).to.equal(400);
  });

  it('sends 100 Continue before reading a validated body', async () => {
    const { port } = await startApp({ controllers: [UploadController] });
    const socket = await connect(port);
    const seen = collect(socket);
    const body = JSON.stringify({ text: 'hi' });
    socket.write(head('/notes', body.length));
    await waitFor(() => seen.text() === CONTINUE, 'the 100 Continue');
    socket.end(body);
    await within(seen.closed, 'the answer');
    const response = parseResponse(seen.text().slice(CONTINUE.length));
    expect(response.statusCode).to.equal(200);
    expect(JSON.parse(response.body)).to.deep.equal({ text: 'hi' });
  });
});
