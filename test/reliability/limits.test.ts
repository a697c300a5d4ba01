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

  it('maxHeaderSize: a request head over it gets node’s 431', async () => {
    const { port, url } = await startApp({ controllers: [UploadController], maxHeaderSize: 1024 });
    const text = await rawRequest(port, `GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(2048)}\r\n\r\n`);
    expect(parseResponse(text).statusCode).to.equal(431);
    expect((await fetch(`${url}/ok`)).status).to.equal(200);
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
    expect(parseResponse(await within(text, 'the server to cut the slow sender', 3000)).statusCode).to.equal(408);
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
