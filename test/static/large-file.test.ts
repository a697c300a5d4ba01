// Files larger than maxFileSize stream from disk: whole, by range, HEAD and
// conditionals, and the file handle is closed however the answer ends
// (finished, client gone mid-file, file shrinking under the stream).

import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { appStarter } from '../helpers/start-app';
import { contentHeaders, eventually, get, openPaths, patterned, sparseFile, tempFolders } from './fixtures';

const BIG = patterned(700 * 1024);
const HUGE = 64 * 1024 * 1024;

describe('static: large files stream from disk', () => {
  const makeFolder = tempFolders();
  const startApp = appStarter({ scope: 'all' });
  let root: string;
  let port: number;
  let stats: () => { hits: number; misses: number; entries: number; bytes: number };

  const isOpen = async (name: string) => (await openPaths()).includes(path.join(root, name));

  before(async () => {
    root = await makeFolder({ 'big.bin': BIG, 'big.txt': 'all work and no play\n'.repeat(20_000) });
    await sparseFile(path.join(root, 'huge.bin'), HUGE);
    await sparseFile(path.join(root, 'shrinks.bin'), HUGE);
    const started = await startApp({ static: [{ prefix: '/s', root, maxAge: 5 }] });
    port = started.port;
    stats = () => started.app.stats().static;
  });

  afterEach(async () => {
    await eventually(async () => !(await isOpen('big.bin')) && !(await isOpen('huge.bin')), 'files to be closed');
  });

  it('streams the whole file with its headers, and never caches it', async () => {
    const before = stats();
    const answer = await get(port, '/s/big.bin');
    expect(answer.status).to.equal(200);
    expect(answer.headers).to.include({
      'content-type': 'application/octet-stream',
      'content-length': String(BIG.length),
      'cache-control': 'public, max-age=5',
      'accept-ranges': 'bytes',
    });
    expect(answer.headers.etag).to.match(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(answer.headers['last-modified']).to.be.a('string');
    expect(answer.body.equals(BIG)).to.equal(true);
    expect(stats()).to.include({ misses: before.misses + 1, hits: before.hits, entries: 0, bytes: 0 });
  });

  it('sends a large text file as is: variants are made for cached files only', async () => {
    const answer = await get(port, '/s/big.txt', { 'accept-encoding': 'br, gzip' });
    expect(answer.status).to.equal(200);
    expect(answer.headers).to.not.have.property('content-encoding');
    expect(answer.headers).to.not.have.property('vary');
    expect(answer.body.length).to.equal(20_000 * 21);
  });

  it('serves concurrent downloads of one file, each whole', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => get(port, '/s/big.bin')));
    for (const answer of answers) expect(answer.body.equals(BIG)).to.equal(true);
  });

  describe('ranges', () => {
    const cases: [string, number, number][] = [
      ['bytes=1000-1999', 1000, 1999],
      ['bytes=500000-', 500000, BIG.length - 1],
      ['bytes=-100', BIG.length - 100, BIG.length - 1],
      ['bytes=0-0', 0, 0],
    ];
    for (const [range, start, end] of cases) {
      it(`${range} → 206 with bytes ${start}-${end}`, async () => {
        const answer = await get(port, '/s/big.bin', { range });
        expect(answer.status).to.equal(206);
        expect(answer.headers['content-range']).to.equal(`bytes ${start}-${end}/${BIG.length}`);
        expect(answer.headers['content-length']).to.equal(String(end - start + 1));
        expect(answer.body.equals(BIG.subarray(start, end + 1))).to.equal(true);
      });
    }

    it('a range past the end → 416 with Content-Range: bytes */size', async () => {
      const answer = await get(port, '/s/big.bin', { range: `bytes=${BIG.length}-` });
      expect(answer.status).to.equal(416);
      expect(answer.headers['content-range']).to.equal(`bytes */${BIG.length}`);
    });

    it('If-Range with the ETag → 206; with an old ETag → 200 and the whole file', async () => {
      const { etag } = (await get(port, '/s/big.bin', {}, 'HEAD')).headers;
      const partial = await get(port, '/s/big.bin', { range: 'bytes=10-19', 'if-range': etag as string });
      expect(partial.status).to.equal(206);
      expect(partial.body.equals(BIG.subarray(10, 20))).to.equal(true);
      const whole = await get(port, '/s/big.bin', { range: 'bytes=10-19', 'if-range': '"old"' });
      expect(whole.status).to.equal(200);
      expect(whole.body.equals(BIG)).to.equal(true);
    });
  });

  describe('answers without a body', () => {
    it('HEAD: the headers, no body', async () => {
      const answer = await get(port, '/s/big.bin', {}, 'HEAD');
      expect(answer.status).to.equal(200);
      expect(answer.headers['content-length']).to.equal(String(BIG.length));
      expect(answer.body.length).to.equal(0);
    });

    it('If-None-Match with the ETag: 304 without Content-* headers', async () => {
      const { etag } = (await get(port, '/s/big.bin', {}, 'HEAD')).headers;
      const answer = await get(port, '/s/big.bin', { 'if-none-match': etag as string });
      expect(answer.status).to.equal(304);
      expect(answer.headers.etag).to.equal(etag);
      expect(contentHeaders(answer.headers)).to.deep.equal([]);
      expect(answer.body.length).to.equal(0);
    });

    it('If-Match with another ETag: 412', async () => {
      expect((await get(port, '/s/big.bin', { 'if-match': '"other"' })).status).to.equal(412);
    });

    it('POST: 405', async () => {
      expect((await get(port, '/s/big.bin', {}, 'POST')).status).to.equal(405);
    });
  });

  describe('streams that end early', () => {
    // Keep-alive, as browsers connect: a short body on a connection the
    // server keeps open would leave the client waiting for the rest forever.
    const agent = new Agent({ keepAlive: true });
    after(() => agent.destroy());

    /** Starts a download, resolves once the first bytes arrived, with the response paused. */
    function startDownload(name: string) {
      return new Promise<{ res: IncomingMessage; destroy: () => void }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: `/s/${name}`, agent }, (res) => {
          res.once('data', () => {
            res.pause();
            resolve({ res, destroy: () => req.destroy() });
          });
        });
        req.once('error', reject);
        req.end();
      });
    }

    it('closes the file when the client goes away mid-file', async () => {
      const download = await startDownload('huge.bin');
      expect(download.res.headers['content-length']).to.equal(String(HUGE));
      expect(await isOpen('huge.bin'), 'open while streaming').to.equal(true);
      download.destroy();
      await eventually(async () => !(await isOpen('huge.bin')), 'huge.bin to be closed');
      expect((await get(port, '/s/big.bin', { range: 'bytes=0-9' })).status).to.equal(206);
    });

    it('cuts the connection when the file shrinks under the stream, rather than pass a short body for whole', async () => {
      // The client reads one chunk and pauses; the server, which reads only
      // as fast as the socket drains, has read a few MiB at most. Truncating
      // now leaves it short of the Content-Length it promised. (Were the file
      // buffered whole, the truncation would change nothing.)
      const download = await startDownload('shrinks.bin');
      await fs.truncate(path.join(root, 'shrinks.bin'), 1024 * 1024);
      let received = 0;
      const closed = new Promise<boolean>((resolve) => {
        download.res.on('data', (chunk: Buffer) => (received += chunk.length));
        download.res.once('error', () => undefined);
        download.res.once('close', () => resolve(download.res.complete));
        download.res.resume();
      });
      expect(await closed, 'response complete').to.equal(false);
      expect(received).to.be.below(HUGE);
      await eventually(async () => !(await isOpen('shrinks.bin')), 'shrinks.bin to be closed');
    });
  });
});
