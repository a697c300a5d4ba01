// inputLimits: bodies read and validated at once are bounded, in requests and
// bytes; past the bound a request is shed 503 with Retry-After before its
// body is read, and a lone body is always taken.

import { expect } from 'chai';
import { IsString } from 'class-validator';
import type { Socket } from 'node:net';
import { Controller, Post } from '../../src/index';
import { checkInputLimits, InputAdmission } from '../../src/input/input-admission';
import { openSocket, parseResponse, readUntilClose } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { waitFor } from '../helpers/wait-for';

class Note {
  @IsString()
  text!: string;
}

@Controller()
class NoteController {
  @Post('/notes', { body: Note })
  create(): string {
    return 'created';
  }
}

/** A POST whose head declares `length` bytes and whose body is not sent yet. */
async function startPost(port: number, length: number): Promise<Socket> {
  const socket = await openSocket(port);
  socket.write(
    `POST /notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
  );
  return socket;
}

function post(url: string, text: string): Promise<Response> {
  return fetch(`${url}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
}

describe('InputAdmission', () => {
  it('takes bodies up to the request and byte bounds, and always one when none is in flight', () => {
    const admission = new InputAdmission({ requests: 2, bytes: 100 });
    expect(admission.tryAdmit(500)).to.equal(true); // alone: taken though over the bytes
    expect(admission.tryAdmit(1)).to.equal(false); // 501 bytes in flight
    admission.release(500);
    expect(admission.tryAdmit(60)).to.equal(true);
    expect(admission.tryAdmit(50)).to.equal(false); // 110 > 100
    expect(admission.tryAdmit(40)).to.equal(true);
    expect(admission.tryAdmit(0)).to.equal(false); // two requests already
  });

  it('checks the option, naming the field', () => {
    expect(checkInputLimits(undefined)).to.deep.equal({ requests: 32, bytes: 4 * 1024 * 1024 });
    expect(() => checkInputLimits({ bodies: 1 })).to.throw(TypeError, 'Unknown option "inputLimits.bodies"');
    expect(() => checkInputLimits({ bytes: 0 })).to.throw(
      RangeError,
      'Option "inputLimits.bytes" must be a positive integer, got 0',
    );
  });
});

describe('inputLimits over HTTP', () => {
  const startApp = appStarter();

  it('sheds a body past the request bound with 503, Retry-After and Connection: close, and takes the next once one is read', async () => {
    const { app, url, port } = await startApp({ controllers: [NoteController], inputLimits: { requests: 2 } });
    const body = JSON.stringify({ text: 'slow' });
    const slow = [await startPost(port, body.length), await startPost(port, body.length)];
    const answers = slow.map((socket) => readUntilClose(socket));
    await waitFor(() => app.stats().shed.input_full === 0 && slow.every((s) => s.bytesWritten > 0), 'both heads sent');
    await new Promise((resolve) => setTimeout(resolve, 50)); // both reading now
    const shed = await post(url, 'third');
    expect(shed.status).to.equal(503);
    expect(shed.headers.get('retry-after')).to.equal('1');
    expect(shed.headers.get('connection')).to.equal('close');
    expect(((await shed.json()) as { message: string }).message).to.equal(
      'Too many request bodies are being read: try again later',
    );
    expect(app.stats().shed.input_full).to.equal(1);
    (slow[0] as Socket).end(body);
    const first = parseResponse(await answers[0]!);
    expect(first.statusCode).to.equal(200);
    expect((await post(url, 'fourth')).status).to.equal(200);
    (slow[1] as Socket).end(body);
    expect(parseResponse(await answers[1]!).statusCode).to.equal(200);
  });

  it('sheds by bytes: a body that would pass the bound waits for none, a small one fits beside', async () => {
    const { url, port } = await startApp({ controllers: [NoteController], inputLimits: { bytes: 1000 } });
    const big = await startPost(port, 900);
    const answer = readUntilClose(big);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await post(url, 'x'.repeat(200))).status).to.equal(503); // 900 + ~213 > 1000
    expect((await post(url, 'small')).status).to.equal(200); // 900 + 16 fits
    big.end(JSON.stringify({ text: 'y'.repeat(889) })); // 900 bytes, as declared
    expect(parseResponse(await answer).statusCode).to.equal(200);
  });
});
