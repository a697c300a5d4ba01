// Static files over HTTP: the headers of a 200, HEAD, 405, index files and
// redirects, conditional requests (304, 412) and ranges (206, 416).

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Controller, Get } from '../../src/index';
import { appStarter } from '../helpers/start-app';
import { contentHeaders, get, tempFolders, type RawAnswer } from './fixtures';

@Controller()
class NeighbourController {
  @Get('/publicity')
  publicity() {
    return { from: 'route' };
  }
}

const CSS = 'body { color: #222; }\n';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3]);
const TEXT = '0123456789abcdefghij';

function errorBody(answer: RawAnswer): unknown {
  expect(answer.headers['content-type']).to.match(/^application\/json/);
  return JSON.parse(answer.body.toString());
}

describe('static: serving files', () => {
  const makeFolder = tempFolders();
  const startApp = appStarter({ scope: 'all' });
  let root: string;
  let port: number;
  let etag: string;
  let lastModified: string;

  before(async () => {
    root = await makeFolder({
      'site.css': CSS,
      'app.js': 'console.log(1);\n',
      'data.json': '{"a":1}',
      'logo.png': PNG,
      README: 'no extension',
      'text.txt': TEXT,
      'empty.txt': '',
      'index.html': '<h1>home</h1>',
      'sub/index.html': '<h1>sub</h1>',
      'sub/page.txt': 'page',
      // Shadowed by the /public/img mount: reachable only if the mount were picked by the raw URL.
      'img/x.png': 'DECOY',
      'img/decoy.png': 'DECOY',
    });
    const images = await makeFolder({ 'x.png': PNG });
    const assets = await makeFolder({ 'app.3f2a.js': 'x()', 'dir/a.txt': 'a' });
    execFileSync('mkfifo', [path.join(root, 'pipe.txt')]);
    ({ port } = await startApp({
      controllers: [NeighbourController],
      static: [
        { prefix: '/public', root, maxAge: 3600 },
        { prefix: '/public/img', root: images },
        { prefix: '/assets', root: assets, maxAge: 31536000, immutable: true, index: false },
      ],
    }));
    const first = await get(port, '/public/text.txt');
    etag = first.headers.etag as string;
    lastModified = first.headers['last-modified'] as string;
  });

  describe('GET and HEAD', () => {
    it('answers 200 with Content-Type, Content-Length, ETag, Last-Modified, Cache-Control and Accept-Ranges', async () => {
      const answer = await get(port, '/public/site.css');
      const stat = await fs.stat(path.join(root, 'site.css'));
      expect(answer.status).to.equal(200);
      expect(answer.body.toString()).to.equal(CSS);
      expect(answer.headers).to.include({
        'content-type': 'text/css; charset=utf-8',
        'content-length': String(Buffer.byteLength(CSS)),
        'last-modified': new Date(Math.floor(stat.mtimeMs / 1000) * 1000).toUTCString(),
        'cache-control': 'public, max-age=3600',
        'accept-ranges': 'bytes',
      });
      expect(answer.headers.etag).to.equal(`"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`);
      // Too small to compress: no variants, so nothing varies.
      expect(answer.headers).to.not.have.property('vary');
      expect(answer.headers).to.not.have.property('content-encoding');
    });

    const types: [string, string][] = [
      ['app.js', 'text/javascript; charset=utf-8'],
      ['data.json', 'application/json; charset=utf-8'],
      ['logo.png', 'image/png'],
      ['index.html', 'text/html; charset=utf-8'],
      ['README', 'application/octet-stream'],
    ];
    for (const [name, type] of types) {
      it(`serves ${name} as ${type}`, async () => {
        const answer = await get(port, `/public/${name}`);
        expect(answer.status).to.equal(200);
        expect(answer.headers['content-type']).to.equal(type);
        expect(answer.body.equals(await fs.readFile(path.join(root, name)))).to.equal(true);
      });
    }

    it('ignores the query string', async () => {
      const answer = await get(port, '/public/site.css?v=42');
      expect(answer.status).to.equal(200);
      expect(answer.body.toString()).to.equal(CSS);
    });

    it('serves an empty file with Content-Length 0', async () => {
      const answer = await get(port, '/public/empty.txt');
      expect(answer.status).to.equal(200);
      expect(answer.headers['content-length']).to.equal('0');
      expect(answer.body.length).to.equal(0);
    });

    it('HEAD answers the same headers as GET, without a body', async () => {
      const got = await get(port, '/public/site.css');
      const head = await get(port, '/public/site.css', {}, 'HEAD');
      expect(head.status).to.equal(200);
      expect(head.body.length).to.equal(0);
      for (const name of [
        'content-type',
        'content-length',
        'etag',
        'last-modified',
        'cache-control',
        'accept-ranges',
      ]) {
        expect(head.headers[name], name).to.equal(got.headers[name]);
      }
    });

    it('adds immutable to Cache-Control when the mount asks', async () => {
      const answer = await get(port, '/assets/app.3f2a.js');
      expect(answer.status).to.equal(200);
      expect(answer.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    });

    it('serves a nested mount from its own root, the longest prefix winning', async () => {
      const answer = await get(port, '/public/img/x.png');
      expect(answer.status).to.equal(200);
      expect(answer.body.equals(PNG)).to.equal(true);
      expect(answer.headers['cache-control']).to.equal('public, max-age=0');
      expect((await get(port, '/public/img/site.css')).status).to.equal(404);
    });

    it('picks the mount by the decoded path, so an escaped URL cannot cache one mount’s file under another’s path', async () => {
      // Under /public's root, img/x.png is a different file from /public/img's x.png.
      const escaped = await get(port, '/public/%69mg/x.png');
      expect(escaped.status).to.equal(200);
      expect(escaped.body.equals(PNG)).to.equal(true);
      const plain = await get(port, '/public/img/x.png');
      expect(plain.body.equals(PNG)).to.equal(true);
      expect((await get(port, '/public/%69mg/decoy.png')).status).to.equal(404);
    });

    it('leaves a URL that only shares the prefix as a string to the routes', async () => {
      const answer = await get(port, '/publicity');
      expect(answer.status).to.equal(200);
      expect(JSON.parse(answer.body.toString())).to.deep.equal({ from: 'route' });
    });
  });

  describe('what is not a file', () => {
    it('answers a missing file 404 in the one error shape', async () => {
      const answer = await get(port, '/public/nope.css');
      expect(answer.status).to.equal(404);
      expect(errorBody(answer)).to.deep.equal({
        statusCode: 404,
        error: 'Not Found',
        message: 'No route for GET on this path',
      });
    });

    it('answers a file name followed by a slash 404, not the file', async () => {
      expect((await get(port, '/public/site.css/')).status).to.equal(404);
      expect((await get(port, '/public/sub/page.txt/')).status).to.equal(404);
    });

    it('answers a FIFO 404 without opening it', async () => {
      expect((await get(port, '/public/pipe.txt')).status).to.equal(404);
    });

    it('answers bad percent-encoding 400', async () => {
      const answer = await get(port, '/public/%E0%A4%A');
      expect(answer.status).to.equal(400);
      expect(errorBody(answer)).to.include({ statusCode: 400, error: 'Bad Request' });
    });

    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      it(`answers ${method} 405 with Allow: GET, HEAD`, async () => {
        const answer = await get(port, '/public/site.css', {}, method);
        expect(answer.status).to.equal(405);
        expect(answer.headers.allow).to.equal('GET, HEAD');
        expect(errorBody(answer)).to.include({ statusCode: 405, error: 'Method Not Allowed' });
      });
    }

    it('answers 405 under a mount even for a path that does not exist', async () => {
      expect((await get(port, '/public/nope', {}, 'POST')).status).to.equal(405);
    });
  });

  describe('folders', () => {
    it('serves index.html for the mount root and a folder URL ending in /', async () => {
      const home = await get(port, '/public/');
      expect(home.status).to.equal(200);
      expect(home.headers['content-type']).to.equal('text/html; charset=utf-8');
      expect(home.body.toString()).to.equal('<h1>home</h1>');
      expect((await get(port, '/public/sub/')).body.toString()).to.equal('<h1>sub</h1>');
    });

    it('redirects a folder URL without its slash (301), keeping the query', async () => {
      const mountRoot = await get(port, '/public');
      expect(mountRoot.status).to.equal(301);
      expect(mountRoot.headers.location).to.equal('/public/');
      const sub = await get(port, '/public/sub?tab=2');
      expect(sub.status).to.equal(301);
      expect(sub.headers.location).to.equal('/public/sub/?tab=2');
      expect(sub.headers['content-length']).to.equal('0');
    });

    it('answers folders 404 when the mount has no index', async () => {
      expect((await get(port, '/assets/')).status).to.equal(404);
      expect((await get(port, '/assets/dir')).status).to.equal(404);
      expect((await get(port, '/assets/dir/')).status).to.equal(404);
      expect((await get(port, '/assets/dir/a.txt')).status).to.equal(200);
    });
  });

  describe('conditional requests', () => {
    it('If-None-Match with the ETag: 304 with ETag and Cache-Control, no Content-* headers, no body', async () => {
      const answer = await get(port, '/public/text.txt', { 'if-none-match': etag });
      expect(answer.status).to.equal(304);
      expect(answer.headers.etag).to.equal(etag);
      expect(answer.headers['cache-control']).to.equal('public, max-age=3600');
      expect(contentHeaders(answer.headers)).to.deep.equal([]);
      expect(answer.headers).to.not.have.property('transfer-encoding');
      expect(answer.body.length).to.equal(0);
    });

    it('If-None-Match: 304 for a weak form of the ETag, a list holding it, and *', async () => {
      for (const value of [`W/${etag}`, `"nope", ${etag}`, '*']) {
        expect((await get(port, '/public/text.txt', { 'if-none-match': value })).status, value).to.equal(304);
      }
    });

    it('If-None-Match with another ETag: 200, even when If-Modified-Since would say 304', async () => {
      const answer = await get(port, '/public/text.txt', {
        'if-none-match': '"nope"',
        'if-modified-since': lastModified,
      });
      expect(answer.status).to.equal(200);
      expect(answer.body.toString()).to.equal(TEXT);
    });

    it('If-Modified-Since: 304 at or after Last-Modified, 200 before it', async () => {
      const later = new Date(Date.parse(lastModified) + 60_000).toUTCString();
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
      expect((await get(port, '/public/text.txt', { 'if-modified-since': lastModified })).status).to.equal(304);
      expect((await get(port, '/public/text.txt', { 'if-modified-since': later })).status).to.equal(304);
      expect((await get(port, '/public/text.txt', { 'if-modified-since': earlier })).status).to.equal(200);
      expect((await get(port, '/public/text.txt', { 'if-modified-since': 'garbage' })).status).to.equal(200);
    });

    it('HEAD honours If-None-Match too', async () => {
      expect((await get(port, '/public/text.txt', { 'if-none-match': etag }, 'HEAD')).status).to.equal(304);
    });

    it('If-Match: 200 for the ETag or *, 412 otherwise', async () => {
      expect((await get(port, '/public/text.txt', { 'if-match': etag })).status).to.equal(200);
      expect((await get(port, '/public/text.txt', { 'if-match': '*' })).status).to.equal(200);
      const failed = await get(port, '/public/text.txt', { 'if-match': '"nope"' });
      expect(failed.status).to.equal(412);
      expect(errorBody(failed)).to.include({ statusCode: 412, error: 'Precondition Failed' });
      expect((await get(port, '/public/text.txt', { 'if-match': `W/${etag}` })).status).to.equal(412);
    });

    it('If-Unmodified-Since: 412 when modified after the date, 200 otherwise', async () => {
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
      expect((await get(port, '/public/text.txt', { 'if-unmodified-since': earlier })).status).to.equal(412);
      expect((await get(port, '/public/text.txt', { 'if-unmodified-since': lastModified })).status).to.equal(200);
    });
  });

  describe('ranges', () => {
    it('bytes=2-5: 206 with Content-Range, Content-Length and just those bytes', async () => {
      const answer = await get(port, '/public/text.txt', { range: 'bytes=2-5' });
      expect(answer.status).to.equal(206);
      expect(answer.headers['content-range']).to.equal(`bytes 2-5/${TEXT.length}`);
      expect(answer.headers['content-length']).to.equal('4');
      expect(answer.headers.etag).to.equal(etag);
      expect(answer.body.toString()).to.equal('2345');
    });

    it('open-ended and suffix ranges', async () => {
      expect((await get(port, '/public/text.txt', { range: 'bytes=15-' })).body.toString()).to.equal('fghij');
      expect((await get(port, '/public/text.txt', { range: 'bytes=-3' })).body.toString()).to.equal('hij');
      const clamped = await get(port, '/public/text.txt', { range: 'bytes=18-999' });
      expect(clamped.headers['content-range']).to.equal(`bytes 18-19/${TEXT.length}`);
      expect(clamped.body.toString()).to.equal('ij');
    });

    it('a range past the end: 416 with Content-Range: bytes */size', async () => {
      const answer = await get(port, '/public/text.txt', { range: 'bytes=20-30' });
      expect(answer.status).to.equal(416);
      expect(answer.headers['content-range']).to.equal(`bytes */${TEXT.length}`);
      expect(errorBody(answer)).to.include({ statusCode: 416, error: 'Range Not Satisfiable' });
      expect((await get(port, '/public/empty.txt', { range: 'bytes=0-' })).status).to.equal(416);
    });

    it('sends the whole file for several ranges, bad syntax, or another unit', async () => {
      for (const range of ['bytes=0-1,5-6', 'bytes=5-2', 'bytes=x', 'lines=0-1']) {
        const answer = await get(port, '/public/text.txt', { range });
        expect(answer.status, range).to.equal(200);
        expect(answer.body.toString()).to.equal(TEXT);
      }
    });

    it('If-Range with the current ETag or Last-Modified: 206; with an old one: 200 and the whole file', async () => {
      expect((await get(port, '/public/text.txt', { range: 'bytes=0-0', 'if-range': etag })).status).to.equal(206);
      const byDate = await get(port, '/public/text.txt', { range: 'bytes=0-0', 'if-range': lastModified });
      expect(byDate.status).to.equal(206);
      const stale = await get(port, '/public/text.txt', { range: 'bytes=0-0', 'if-range': '"old"' });
      expect(stale.status).to.equal(200);
      expect(stale.body.toString()).to.equal(TEXT);
    });

    it('a 304 wins over a range', async () => {
      const answer = await get(port, '/public/text.txt', { range: 'bytes=0-0', 'if-none-match': etag });
      expect(answer.status).to.equal(304);
    });

    it('HEAD ignores Range', async () => {
      const answer = await get(port, '/public/text.txt', { range: 'bytes=0-0' }, 'HEAD');
      expect(answer.status).to.equal(200);
      expect(answer.headers['content-length']).to.equal(String(TEXT.length));
      expect(answer.body.length).to.equal(0);
    });
  });
});
