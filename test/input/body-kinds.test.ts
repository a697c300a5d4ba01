// Bodies beyond validated JSON: body: 'json' | 'text' | 'form' | 'multipart',
// a class read from forms (bodyTypes), uploads to disk or memory within their
// limits (removed when the request ends), and a route's own bodyLimit.

import { expect } from 'chai';
import { IsInt, IsString, Min } from 'class-validator';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Controller, HttpPoolApp, Post, type HttpRequest, type HttpResponse } from '../../src/index';
import { openSocket, parseResponse } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { waitFor } from '../helpers/wait-for';

class Signup {
  @IsString() name!: string;
  @IsInt() @Min(18) age!: number;
}

/** Where the upload route makes its temporary folders, so a test can see them go. */
const uploads = mkdtempSync(path.join(tmpdir(), 'httppool-uploads-test-'));

/** What the upload handler saw of its files, read while they exist. */
let seenFiles: Array<{ field: string; filename?: string; size: number; path?: string; text: string }> = [];

@Controller()
class BodiesController {
  @Post('/json', { body: 'json' })
  json(_res: HttpResponse, req: HttpRequest) {
    return { got: req.body };
  }

  @Post('/text', { body: 'text' })
  text(_res: HttpResponse, req: HttpRequest) {
    return { got: req.body, type: typeof req.body };
  }

  @Post('/form', { body: 'form' })
  form(_res: HttpResponse, req: HttpRequest) {
    return { got: req.body };
  }

  @Post('/signup', { body: Signup, bodyTypes: ['json', 'form', 'multipart'] })
  signup(_res: HttpResponse, req: HttpRequest<Signup>) {
    return { name: req.body.name, age: req.body.age, isSignup: req.body instanceof Signup };
  }

  @Post('/upload', {
    body: 'multipart',
    bodyLimit: 3 * 1024 * 1024,
    multipart: { files: 2, fileSize: 2 * 1024 * 1024, dir: uploads },
  })
  upload(_res: HttpResponse, req: HttpRequest) {
    seenFiles = (req.files ?? []).map((file) => ({
      field: file.field,
      filename: file.filename,
      size: file.size,
      path: file.path,
      text: readFileSync(file.path as string, 'utf8').slice(0, 20),
    }));
    return { fields: req.body, files: seenFiles.length };
  }

  @Post('/memory', { body: 'multipart', multipart: { storage: 'memory' } })
  memory(_res: HttpResponse, req: HttpRequest) {
    return (req.files ?? []).map((file) => ({
      name: file.filename,
      bytes: file.buffer?.toString('utf8'),
      path: file.path ?? null,
    }));
  }
}

/** Sends /upload a multipart body of `files` files of `size` bytes on a raw socket; what came back, until the server closed. */
async function rawUpload(port: number, files: number, size: number): Promise<string> {
  const parts = Array.from({ length: files }, (_, i) =>
    Buffer.concat([
      Buffer.from(`--b\r\ncontent-disposition: form-data; name="f${i}"; filename="${i}.txt"\r\n\r\n`),
      Buffer.alloc(size, 'x'),
      Buffer.from('\r\n'),
    ]),
  );
  const body = Buffer.concat([...parts, Buffer.from('--b--\r\n')]);
  const socket = await openSocket(port);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined); // the server may reset the upload it stopped reading
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.write(
    `POST /upload HTTP/1.1\r\nHost: x\r\ncontent-type: multipart/form-data; boundary=b\r\ncontent-length: ${body.length}\r\n\r\n`,
  );
  socket.write(body);
  await closed;
  return Buffer.concat(chunks).toString('latin1');
}

function formData(entries: Array<[string, string] | [string, string, string]>): FormData {
  const data = new FormData();
  for (const [name, value, filename] of entries) {
    if (filename === undefined) data.append(name, value);
    else data.append(name, new Blob([value], { type: 'text/plain' }), filename);
  }
  return data;
}

describe('bodies beyond validated JSON', () => {
  const startApp = appStarter({ scope: 'all' });
  let url: string;
  let port: number;
  before(async () => {
    ({ url, port } = await startApp({ controllers: [BodiesController] }));
  });
  after(() => rmSync(uploads, { recursive: true, force: true }));
  beforeEach(() => {
    seenFiles = [];
  });

  const post = (path: string, body: string | Buffer | FormData, contentType?: string) =>
    fetch(url + path, {
      method: 'POST',
      body,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    });

  describe("body: 'json'", () => {
    it('takes any JSON value, unvalidated', async () => {
      for (const value of [[1, 2], 42, 'text', { a: { b: null } }]) {
        const res = await post('/json', JSON.stringify(value), 'application/json');
        expect(await res.json()).to.deep.equal({ got: value });
      }
    });

    it('answers bad JSON 400 and another type 415, naming what it reads', async () => {
      expect((await post('/json', '{"a":', 'application/json')).status).to.equal(400);
      const refused = await post('/json', 'a=1', 'application/x-www-form-urlencoded');
      expect(refused.status).to.equal(415);
      expect(((await refused.json()) as { message: string }).message).to.equal(
        'Content-Type must be application/json (or a +json type), in UTF-8',
      );
    });
  });

  describe("body: 'text'", () => {
    it('is a string, decoded by its charset', async () => {
      expect(await (await post('/text', 'héllo', 'text/plain')).json()).to.deep.equal({ got: 'héllo', type: 'string' });
      const latin1 = Buffer.from('café', 'latin1');
      expect(await (await post('/text', latin1, 'text/plain; charset=iso-8859-1')).json()).to.deep.equal({
        got: 'café',
        type: 'string',
      });
    });

    it('answers a charset it cannot decode 415, and no body 400', async () => {
      expect((await post('/text', 'x', 'text/plain; charset=no-such-charset')).status).to.equal(415);
      const empty = await fetch(`${url}/text`, { method: 'POST' });
      expect(empty.status).to.equal(400);
      expect(((await empty.json()) as { message: string }).message).to.equal(
        'Request body is empty; this route expects a body (text/*)',
      );
    });
  });

  describe("body: 'form'", () => {
    it('is the urlencoded fields; a repeated name gives an array', async () => {
      const res = await post('/form', 'a=1&b=two%20words&a=3', 'application/x-www-form-urlencoded');
      expect(await res.json()).to.deep.equal({ got: { a: ['1', '3'], b: 'two words' } });
    });
  });

  describe('a body class with bodyTypes', () => {
    it('is validated from JSON, a form or multipart fields; form strings convert to the declared types', async () => {
      const expected = { name: 'Ada', age: 36, isSignup: true };
      expect(await (await post('/signup', '{"name":"Ada","age":36}', 'application/json')).json()).to.deep.equal(
        expected,
      );
      expect(
        await (await post('/signup', 'name=Ada&age=36', 'application/x-www-form-urlencoded')).json(),
      ).to.deep.equal(expected);
      expect(
        await (
          await post(
            '/signup',
            formData([
              ['name', 'Ada'],
              ['age', '36'],
            ]),
          )
        ).json(),
      ).to.deep.equal(expected);
    });

    it('answers a form that fails validation 400 with details, and text 415 listing the types it reads', async () => {
      const young = await post('/signup', 'name=Ada&age=12', 'application/x-www-form-urlencoded');
      expect(young.status).to.equal(400);
      expect(((await young.json()) as { details: Array<{ property: string }> }).details[0]?.property).to.equal('age');
      const text = await post('/signup', 'Ada', 'text/plain');
      expect(text.status).to.equal(415);
      expect(((await text.json()) as { message: string }).message).to.equal(
        'Content-Type must be one of application/json (or a +json type), in UTF-8, application/x-www-form-urlencoded, in UTF-8, multipart/form-data',
      );
    });
  });

  describe("body: 'multipart'", () => {
    it('writes files to a temporary folder the handler reads, and removes them when the request ends', async () => {
      const res = await post(
        '/upload',
        formData([
          ['title', 'two files'],
          ['doc', 'first file', 'a.txt'],
          ['doc', 'second', 'b.txt'],
        ]),
      );
      expect(await res.json()).to.deep.equal({ fields: { title: 'two files' }, files: 2 });
      expect(seenFiles.map(({ field, filename, size, text }) => ({ field, filename, size, text }))).to.deep.equal([
        { field: 'doc', filename: 'a.txt', size: 10, text: 'first file' },
        { field: 'doc', filename: 'b.txt', size: 6, text: 'second' },
      ]);
      await waitFor(() => seenFiles.every((file) => !existsSync(file.path as string)), 'the uploads removed');
      await waitFor(() => readdirSync(uploads).length === 0, 'their folder removed');
    });

    it('keeps files in memory with storage: memory', async () => {
      const res = await post('/memory', formData([['doc', 'in memory', 'm.txt']]));
      expect(await res.json()).to.deep.equal([{ name: 'm.txt', bytes: 'in memory', path: null }]);
    });

    it('takes a file past the app bodyLimit when the route raises its own', async () => {
      const big = 'x'.repeat(1536 * 1024); // 1.5 MiB: over the app's 1 MiB, under the route's 3 MiB
      const res = await post('/upload', formData([['doc', big, 'big.txt']]));
      expect(res.status).to.equal(200);
      expect(seenFiles[0]?.size).to.equal(big.length);
    });

    it('answers a file over fileSize, too many files, or a total over bodyLimit with 413; the uploads are removed', async () => {
      const tooBig = await post('/upload', formData([['doc', 'x'.repeat(2 * 1024 * 1024 + 1), 'big.txt']]));
      expect(tooBig.status).to.equal(413);
      expect(((await tooBig.json()) as { message: string }).message).to.equal(
        'An uploaded file is larger than 2097152 bytes',
      );
      const many = await post(
        '/upload',
        formData([
          ['a', '1', '1.txt'],
          ['b', '2', '2.txt'],
          ['c', '3', '3.txt'],
        ]),
      );
      expect(many.status).to.equal(413);
      // Past the body limit the rest is never read and the connection closes
      // after the 413: a raw socket reads it even while its upload is cut.
      expect(parseResponse(await rawUpload(port, 2, 1600 * 1024)).statusCode).to.equal(413);
      expect(seenFiles, 'the handler never ran').to.deep.equal([]);
      await waitFor(() => readdirSync(uploads).length === 0, 'the partial uploads removed');
    });

    it('answers a malformed multipart body 400, and one without a boundary 400', async () => {
      const cut = await post(
        '/upload',
        '--b\r\ncontent-disposition: form-data; name="a"\r\n\r\nno end',
        'multipart/form-data; boundary=b',
      );
      expect(cut.status).to.equal(400);
      expect((await post('/upload', 'whatever', 'multipart/form-data')).status).to.equal(400);
    });
  });

  it('reads forms the same through inject()', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [BodiesController], logger: false });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/form',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'x=1&x=2',
      });
      expect(res.json()).to.deep.equal({ got: { x: ['1', '2'] } });
    } finally {
      await app.close();
    }
  });
});
