// Validated input on the wire: body limits by header and by stream, slow
// uploads that hold no worker, clients that leave mid-upload, connections kept
// usable after a rejected body, and routes without input that see the raw stream.

import { expect } from 'chai';
import { IsString, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Controller, Get, Post, type HttpPoolApp, type HttpRequest, type HttpResponse } from '../../src/index';
import { openSocket, parseResponse, readUntilClose, type RawResponse } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { waitFor, within } from '../helpers/wait-for';

const BODY_LIMIT = 1024;

class Note {
  @IsString()
  text!: string;
}

// A validator with a bug: it throws instead of answering.
@ValidatorConstraint({ name: 'broken' })
class BrokenConstraint implements ValidatorConstraintInterface {
  validate(): boolean {
    throw new Error('validator bug: secret detail');
  }
}

class Broken {
  @Validate(BrokenConstraint)
  text!: string;
}

@Controller('/s')
class StreamController {
  @Post('/broken', { body: Broken })
  broken() {
    return { ran: true };
  }

  @Post('/note', { body: Note })
  note(_res: HttpResponse, req: HttpRequest<Note>) {
    return { text: req.body.text };
  }

  @Get('/ping')
  ping() {
    return { pong: true };
  }

  // No input options: the handler reads the stream itself.
  @Post('/raw')
  async raw(_res: HttpResponse, req: HttpRequest) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return { text: Buffer.concat(chunks).toString('utf8'), bodyUndefined: req.body === undefined };
  }
}

/** Counts the body bytes the server has received for `path`, as they arrive. */
function countUploads(app: HttpPoolApp, path: string): { bytes: number; closed: boolean } {
  const seen = { bytes: 0, closed: false };
  app.server.on('request', (req: IncomingMessage) => {
    if (req.url !== path) return;
    req.on('data', (chunk: Buffer) => (seen.bytes += chunk.length));
    req.once('close', () => (seen.closed = true));
  });
  return seen;
}

function head(path: string, headers: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`;
}

/** Splits what the server wrote on one connection into its responses. */
function responsesIn(text: string): RawResponse[] {
  return text.split(/(?=HTTP\/1\.1 \d{3} )/).map(parseResponse);
}

describe('validated input on the wire', () => {
  const startApp = appStarter();
  const start = (options: { workers?: number } = {}) =>
    startApp({ controllers: [StreamController], bodyLimit: BODY_LIMIT, ...options });

  describe('body limit', () => {
    it('answers 413 at once when Content-Length is over bodyLimit, and closes the connection', async () => {
      const { app, port } = await start();
      const socket = await openSocket(port);
      const text = readUntilClose(socket);
      // Only the head: the answer must not wait for a body.
      socket.write(head('/s/note', `Content-Type: application/json\r\nContent-Length: ${BODY_LIMIT + 1}\r\n`));
      const responses = responsesIn(await within(text, 'the 413'));
      expect(responses).to.have.length(1);
      expect(responses[0]?.statusCode).to.equal(413);
      expect(responses[0]?.headers.connection).to.equal('close');
      expect(JSON.parse(responses[0]?.body as string)).to.deep.include({
        statusCode: 413,
        message: `Request body is larger than ${BODY_LIMIT} bytes`,
      });
      expect(app.stats()).to.include({ busy: 0, completed: 0 });
    });

    it('answers 413 when a chunked body passes bodyLimit as it streams, without running the handler', async () => {
      const { app, port } = await start();
      const socket = await openSocket(port);
      const text = readUntilClose(socket);
      const chunk = `${(600).toString(16)}\r\n${'a'.repeat(600)}\r\n`;
      // Two chunks of 600 bytes pass the 1024-byte limit; the body never ends.
      socket.write(head('/s/note', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n') + chunk + chunk);
      const responses = responsesIn(await within(text, 'the 413'));
      expect(responses.map((response) => response.statusCode)).to.deep.equal([413]);
      expect(responses[0]?.headers.connection).to.equal('close');
      expect(app.stats()).to.include({ busy: 0, completed: 0 });
    });

    it('reads a chunked body under bodyLimit', async () => {
      const { port } = await start();
      const socket = await openSocket(port);
      const text = readUntilClose(socket);
      const json = JSON.stringify({ text: 'chunked' });
      const body = `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`;
      socket.write(
        head('/s/note', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n') + body,
      );
      const [response] = responsesIn(await within(text, 'the answer'));
      expect(response?.statusCode).to.equal(200);
      expect(JSON.parse(response?.body as string)).to.deep.equal({ text: 'chunked' });
    });

    it('answers 400 for an empty chunked body', async () => {
      const { port } = await start();
      const socket = await openSocket(port);
      const text = readUntilClose(socket);
      socket.write(
        head('/s/note', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n') +
          '0\r\n\r\n',
      );
      const [response] = responsesIn(await within(text, 'the answer'));
      expect(response?.statusCode).to.equal(400);
      expect(JSON.parse(response?.body as string))
        .to.have.property('message')
        .that.match(/empty/);
    });
  });

  it('a slow upload holds no worker while it trickles in', async () => {
    const { app, port, url } = await start({ workers: 1 });
    const upload = countUploads(app, '/s/note');
    const body = JSON.stringify({ text: 'x'.repeat(300) });
    const socket = await openSocket(port);
    const text = readUntilClose(socket);
    socket.write(
      head('/s/note', `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n`),
    );
    // Trickle the body in three pieces; between them the only worker is free
    // and serves someone else.
    let sent = 0;
    for (const piece of [body.slice(0, 100), body.slice(100, 200)]) {
      socket.write(piece);
      sent += piece.length;
      await waitFor(() => upload.bytes === sent, `${sent} body bytes to arrive`);
      expect(app.pool.stats().busy).to.equal(0);
      const ping = await fetch(`${url}/s/ping`);
      expect(await ping.json()).to.deep.equal({ pong: true });
      expect(app.pool.stats()).to.include({ busy: 0, queued: 0 });
    }
    expect(app.pool.stats().completed).to.equal(2);
    socket.write(body.slice(200));
    const [response] = responsesIn(await within(text, 'the upload answer'));
    expect(response?.statusCode).to.equal(200);
    expect(JSON.parse(response?.body as string)).to.deep.equal({ text: 'x'.repeat(300) });
    expect(app.pool.stats()).to.include({ busy: 0, completed: 3 });
  });

  it('a validator that throws answers a bare 500 and logs the error with the route name', async () => {
    const lines: Array<{ level: number; msg: string; route?: string; err?: { message: string } }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as (typeof lines)[number]);
        done();
      },
    });
    const { app, url } = await startApp({ controllers: [StreamController], logger: pino(sink) });
    const response = await fetch(`${url}/s/broken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x' }),
    });
    expect(response.status).to.equal(500);
    expect(await response.json()).to.deep.equal({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal Server Error',
    });
    const errors = lines.filter((line) => line.level >= 50);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.deep.include({ route: 'StreamController.broken', msg: 'reading request input failed' });
    expect(errors[0]?.err?.message).to.equal('validator bug: secret detail');
    expect(app.stats()).to.include({ busy: 0, completed: 0 });
  });

  it('a client that leaves mid-upload gets no job, logs no error, and the app keeps serving', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as { level: number; msg: string });
        done();
      },
    });
    const { app, port, url } = await startApp({
      controllers: [StreamController],
      bodyLimit: BODY_LIMIT,
      logger: pino({ level: 'debug' }, sink),
    });
    const upload = countUploads(app, '/s/note');
    const socket = await openSocket(port);
    socket.write(head('/s/note', 'Content-Type: application/json\r\nContent-Length: 500\r\n') + '{"text": "a');
    await waitFor(() => upload.bytes > 0, 'the first body bytes to arrive');
    socket.destroy();
    await waitFor(() => upload.closed, 'the server to see the request close');
    expect(app.stats()).to.include({ busy: 0, completed: 0 });
    expect(await (await fetch(`${url}/s/ping`)).json()).to.deep.equal({ pong: true });
    expect(lines.filter((line) => line.level >= 50)).to.deep.equal([]);
  });

  it('an upload in progress when close() begins is still served, on its last request', async () => {
    const { app, port } = await start();
    const upload = countUploads(app, '/s/note');
    const body = JSON.stringify({ text: 'late' });
    const socket = await openSocket(port);
    const text = readUntilClose(socket);
    socket.write(head('/s/note', `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`) + body[0]);
    await waitFor(() => upload.bytes === 1, 'the first body byte to arrive');
    const closed = app.close();
    socket.write(body.slice(1));
    const [response] = responsesIn(await within(text, 'the upload answer'));
    expect(response?.statusCode).to.equal(200);
    expect(response?.headers.connection).to.equal('close');
    expect(JSON.parse(response?.body as string)).to.deep.equal({ text: 'late' });
    await within(closed, 'app.close()');
  });

  describe('the connection after a rejected body', () => {
    for (const [what, headers, body] of [
      ['415 (body never read)', 'Content-Type: text/plain', 'hello'],
      ['400 malformed JSON (body read)', 'Content-Type: application/json', '{"text":'],
      ['400 failed validation (body read)', 'Content-Type: application/json', '{"text":42}'],
    ] as const) {
      it(`stays usable after a ${what}`, async () => {
        const { port } = await start();
        const socket = await openSocket(port);
        const text = readUntilClose(socket);
        const good = JSON.stringify({ text: 'next' });
        socket.write(
          head('/s/note', `${headers}\r\nContent-Length: ${body.length}\r\n`) +
            body +
            head(
              '/s/note',
              `Content-Type: application/json\r\nContent-Length: ${good.length}\r\nConnection: close\r\n`,
            ) +
            good,
        );
        const responses = responsesIn(await within(text, 'both answers'));
        expect(responses.map((response) => response.statusCode)).to.deep.equal([
          what.startsWith('415') ? 415 : 400,
          200,
        ]);
        expect(JSON.parse(responses[1]?.body as string)).to.deep.equal({ text: 'next' });
      });
    }
  });

  it('a route without input options sees the raw stream, whatever its Content-Type', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/s/raw`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello, raw stream',
    });
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ text: 'hello, raw stream', bodyUndefined: true });
  });
});
