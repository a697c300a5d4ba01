// Limits and hardening: bodyLimit by header and by stream, header size, slow senders.

import { expect } from 'chai';
import { Controller, Get, HttpPoolApp, Post, type HttpRequest, type HttpResponse } from '../../src/index';
import { openSocket, parseResponse, rawRequest, readUntilClose } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { within } from '../helpers/wait-for';

let runs = 0;

@Controller()
class UploadController {
  // Reads the raw stream itself: no body option, so only the limit guards it.
  @Post('/upload')
  async upload(_res: HttpResponse, req: HttpRequest): Promise<{ bytes: number }> {
    runs++;
    let bytes = 0;
    for await (const chunk of req) bytes += (chunk as Buffer).length;
    return { bytes };
  }

  @Get('/ok')
  ok(): string {
    return 'ok';
  }

  @Get('/later')
  async later(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return 'later';
  }
}

function chunked(parts: string[]): string {
  return parts.map((part) => `${part.length.toString(16)}\r\n${part}\r\n`).join('') + '0\r\n\r\n';
}

describe('limits', () => {
  const startApp = appStarter();
  beforeEach(() => {
    runs = 0;
  });

  it('bodyLimit: a declared Content-Length over it is answered 413 before the handler runs', async () => {
    const { url } = await startApp({ controllers: [UploadController], bodyLimit: 100 });
    const response = await fetch(`${url}/upload`, { method: 'POST', body: 'x'.repeat(101) });
    expect(response.status).to.equal(413);
    expect(response.headers.get('connection')).to.equal('close');
    expect(await response.json()).to.deep.equal({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'Request body is larger than 100 bytes',
    });
    expect(runs).to.equal(0);
  });

  it('bodyLimit: a body at the limit is read in full', async () => {
    const { url } = await startApp({ controllers: [UploadController], bodyLimit: 100 });
    const response = await fetch(`${url}/upload`, { method: 'POST', body: 'x'.repeat(100) });
    expect(await response.json()).to.deep.equal({ bytes: 100 });
  });

  it('bodyLimit: a chunked body that streams past it is answered 413 and the worker freed', async () => {
    const { app, port } = await startApp({ controllers: [UploadController], bodyLimit: 100, workers: 1 });
    const head = 'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    const text = await within(rawRequest(port, head + chunked(['a'.repeat(60), 'b'.repeat(60)])), 'the 413');
    const response = parseResponse(text);
    expect(response.statusCode).to.equal(413);
    expect(JSON.parse(response.body)).to.include({ statusCode: 413 });
    expect(app.pool.stats()).to.include({ busy: 0 });
    expect(runs).to.equal(1);
  });

  it('bodyLimit: a chunked body under it is read in full', async () => {
    const { port } = await startApp({ controllers: [UploadController], bodyLimit: 100 });
    const head = 'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
    const response = parseResponse(await rawRequest(port, head + chunked(['a'.repeat(40), 'b'.repeat(40)])));
    expect(JSON.parse(response.body)).to.deep.equal({ bytes: 80 });
  });

  it('maxHeaderSize: a request head over it is answered 431 in the JSON error shape, then closed', async () => {
    const { port, url } = await startApp({ controllers: [UploadController], maxHeaderSize: 1024 });
    const text = await rawRequest(port, `GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(2048)}\r\n\r\n`);
    const response = parseResponse(text);
    expect(response.statusCode).to.equal(431);
    expect(response.headers).to.include({ connection: 'close', 'content-type': 'application/json; charset=utf-8' });
    expect(JSON.parse(response.body)).to.deep.equal({
      statusCode: 431,
      error: 'Request Header Fields Too Large',
      message: 'Request headers are larger than 1024 bytes',
    });
    expect((await fetch(`${url}/ok`)).status).to.equal(200);
  });

  it('a request the parser rejects is answered 400 with the reason, then closed (raw socket)', async () => {
    const { app, port, url } = await startApp({ controllers: [UploadController] });
    const text = await rawRequest(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n');
    const response = parseResponse(text);
    expect(response.statusCode).to.equal(400);
    expect(response.headers['content-length']).to.equal(String(Buffer.byteLength(response.body)));
    expect(JSON.parse(response.body)).to.deep.equal({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The request is malformed: Invalid header token',
    });
    expect(app.stats().responses).to.deep.equal({ 400: 1 });
    expect((await fetch(`${url}/ok`)).status).to.equal(200);
  });

  it('a malformed request after a first answer on the same connection is answered too', async () => {
    // node alone answers a parser error only on a connection that has written nothing yet.
    const { port } = await startApp({ controllers: [UploadController] });
    const text = await rawRequest(port, 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost x\r\n\r\n');
    const second = text.indexOf('HTTP/1.1', 1);
    expect(parseResponse(text.slice(0, second)).statusCode).to.equal(200);
    const response = parseResponse(text.slice(second));
    expect(response.statusCode).to.equal(400);
    expect(JSON.parse(response.body)).to.include({ statusCode: 400, error: 'Bad Request' });
  });

  it('a malformed request behind one still being answered waits for that answer, then gets its 400', async () => {
    const { port } = await startApp({ controllers: [UploadController] });
    const text = await rawRequest(port, 'GET /later HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost x\r\n\r\n');
    const second = text.indexOf('HTTP/1.1', 1);
    const first = parseResponse(text.slice(0, second));
    expect(first.statusCode).to.equal(200);
    expect(first.body).to.equal('later');
    expect(parseResponse(text.slice(second)).statusCode).to.equal(400);
  });

  it('an HTTP/1.1 request without Host is answered 400 in the JSON error shape, without running anything', async () => {
    const { port } = await startApp({ controllers: [UploadController] });
    const response = parseResponse(await rawRequest(port, 'POST /upload HTTP/1.1\r\nContent-Length: 0\r\n\r\n'));
    expect(response.statusCode).to.equal(400);
    expect(response.headers['connection']).to.equal('close');
    expect(JSON.parse(response.body)).to.deep.equal({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The request is malformed: HTTP/1.1 requires a Host header',
    });
    expect(runs).to.equal(0);
    // HTTP/1.0 had no Host: still served.
    const old = parseResponse(await rawRequest(port, 'GET /ok HTTP/1.0\r\n\r\n'));
    expect(old.statusCode).to.equal(200);
  });

  it('an Expect other than 100-continue is answered 417 in the JSON error shape, without running anything', async () => {
    const { port } = await startApp({ controllers: [UploadController] });
    const head = 'POST /upload HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 5\r\n\r\nhello';
    const response = parseResponse(await rawRequest(port, head));
    expect(response.statusCode).to.equal(417);
    expect(response.headers['connection']).to.equal('close');
    expect(response.headers['x-request-id']).to.be.a('string');
    expect(JSON.parse(response.body)).to.deep.equal({
      statusCode: 417,
      error: 'Expectation Failed',
      message: 'The Expect header is not supported: only 100-continue is',
    });
    expect(runs).to.equal(0);
  });

  it('headersTimeout: a sender that stops mid-head is answered 408 and cut off', async () => {
    const { port, url } = await startApp({
      controllers: [UploadController],
      headersTimeout: 200,
      requestTimeout: 400,
    });
    const socket = await openSocket(port);
    const text = readUntilClose(socket);
    socket.write('GET /ok HTTP/1.1\r\nHost: x\r\n');
    // node checks the timeouts once a second (connectionsCheckingInterval).
    const response = parseResponse(await within(text, 'the server to cut the slow sender', 3000));
    expect(response.statusCode).to.equal(408);
    expect(JSON.parse(response.body)).to.deep.equal({
      statusCode: 408,
      error: 'Request Timeout',
      message: 'The request took too long to arrive',
    });
    expect((await fetch(`${url}/ok`)).status).to.equal(200);
  });

  it('rejects headersTimeout above requestTimeout at bootstrap, naming both', async () => {
    let error: unknown;
    try {
      await HttpPoolApp.bootstrap({ logger: false, headersTimeout: 5000, requestTimeout: 1000 });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(RangeError);
    expect((error as Error).message)
      .to.contain('headersTimeout')
      .and.contain('requestTimeout');
  });
});
