// Precompressed variants over HTTP: chosen by Accept-Encoding, decompressing
// to the file, with their own ETags and Vary: Accept-Encoding on every answer.

import { expect } from 'chai';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { appStarter } from '../helpers/start-app';
import { get, patterned, tempFolders } from './fixtures';

const CSS = Buffer.from('.card { display: flex; padding: 1rem; color: #333; }\n'.repeat(64));

describe('static: compressed variants', () => {
  const makeFolder = tempFolders();
  const startApp = appStarter({ scope: 'all' });
  let port: number;

  before(async () => {
    const root = await makeFolder({
      'site.css': CSS,
      'small.css': 'a{}',
      'image.png': patterned(4096),
    });
    ({ port } = await startApp({ static: [{ prefix: '/s', root, maxAge: 10 }] }));
  });

  it('Accept-Encoding: br → a brotli body that decompresses to the file', async () => {
    const answer = await get(port, '/s/site.css', { 'accept-encoding': 'br' });
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-encoding']).to.equal('br');
    expect(answer.headers.vary).to.equal('Accept-Encoding');
    expect(answer.headers['content-type']).to.equal('text/css; charset=utf-8');
    expect(answer.headers['content-length']).to.equal(String(answer.body.length));
    expect(answer.body.length).to.be.below(CSS.length / 4);
    expect(answer.headers.etag).to.match(/^"[0-9a-f]+-[0-9a-f]+-br"$/);
    expect(brotliDecompressSync(answer.body).equals(CSS)).to.equal(true);
  });

  it('Accept-Encoding: gzip → a gzip body that decompresses to the file', async () => {
    const answer = await get(port, '/s/site.css', { 'accept-encoding': 'gzip' });
    expect(answer.headers['content-encoding']).to.equal('gzip');
    expect(answer.headers.etag).to.match(/-gz"$/);
    expect(gunzipSync(answer.body).equals(CSS)).to.equal(true);
  });

  it('a browser-like header gets brotli; q-values are honoured', async () => {
    expect((await get(port, '/s/site.css', { 'accept-encoding': 'gzip, deflate, br, zstd' })).headers).to.include({
      'content-encoding': 'br',
    });
    expect((await get(port, '/s/site.css', { 'accept-encoding': 'br;q=0.1, gzip' })).headers).to.include({
      'content-encoding': 'gzip',
    });
  });

  it('no Accept-Encoding, or only identity: the file as is, still with Vary', async () => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'deflate' }]) {
      const answer = await get(port, '/s/site.css', headers);
      expect(answer.headers).to.not.have.property('content-encoding');
      expect(answer.headers.vary).to.equal('Accept-Encoding');
      expect(answer.headers.etag).to.match(/^"[0-9a-f]+-[0-9a-f]+"$/);
      expect(answer.body.equals(CSS)).to.equal(true);
    }
  });

  it('makes each variant once and holds file + variants in the cache', async () => {
    // An app of its own, so that the bytes held are this test's files only.
    const json = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` })) });
    const root = await makeFolder({ 'site.css': CSS, 'data.json': json });
    const own = await startApp({ static: [{ prefix: '/s', root }] });
    const fetchAll = (name: string) =>
      Promise.all(
        ['identity', 'br', 'gzip'].map((encoding) => get(own.port, `/s/${name}`, { 'accept-encoding': encoding })),
      );
    const [identity, br, gzip] = await fetchAll('data.json');
    expect(br!.headers['content-encoding']).to.equal('br');
    expect(gzip!.headers['content-encoding']).to.equal('gzip');
    expect(JSON.parse(brotliDecompressSync(br!.body).toString())).to.deep.equal(JSON.parse(json));
    const css = await fetchAll('site.css');
    const held = [identity!, br!, gzip!, ...css].reduce((sum, answer) => sum + answer.body.length, 0);
    expect(own.app.stats().static).to.include({ entries: 2, bytes: held });
    // Asking again makes nothing new: the same bytes, nothing more held.
    const [, again] = await fetchAll('data.json');
    expect(again!.body.equals(br!.body)).to.equal(true);
    expect(own.app.stats().static).to.include({ entries: 2, bytes: held });
  });

  it('304 for the variant’s own ETag, with Vary; the identity ETag does not match a brotli answer', async () => {
    const br = await get(port, '/s/site.css', { 'accept-encoding': 'br' });
    const identity = await get(port, '/s/site.css');
    const notModified = await get(port, '/s/site.css', {
      'accept-encoding': 'br',
      'if-none-match': br.headers.etag as string,
    });
    expect(notModified.status).to.equal(304);
    expect(notModified.headers.vary).to.equal('Accept-Encoding');
    expect(notModified.headers.etag).to.equal(br.headers.etag);
    expect(notModified.headers).to.not.have.property('content-encoding');
    const other = await get(port, '/s/site.css', {
      'accept-encoding': 'br',
      'if-none-match': identity.headers.etag as string,
    });
    expect(other.status).to.equal(200);
    expect(other.headers['content-encoding']).to.equal('br');
  });

  it('a Range is served from the identity bytes, whatever Accept-Encoding says', async () => {
    const answer = await get(port, '/s/site.css', { 'accept-encoding': 'br', range: 'bytes=0-9' });
    expect(answer.status).to.equal(206);
    expect(answer.headers).to.not.have.property('content-encoding');
    expect(answer.headers['content-range']).to.equal(`bytes 0-9/${CSS.length}`);
    expect(answer.body.equals(CSS.subarray(0, 10))).to.equal(true);
  });

  it('HEAD tells the variant’s length and encoding', async () => {
    const got = await get(port, '/s/site.css', { 'accept-encoding': 'gzip' });
    const head = await get(port, '/s/site.css', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.headers['content-encoding']).to.equal('gzip');
    expect(head.headers['content-length']).to.equal(String(got.body.length));
    expect(head.body.length).to.equal(0);
  });

  it('leaves images and files under 1 KiB as they are, without Vary', async () => {
    for (const name of ['image.png', 'small.css']) {
      const answer = await get(port, `/s/${name}`, { 'accept-encoding': 'br, gzip' });
      expect(answer.status).to.equal(200);
      expect(answer.headers, name).to.not.have.property('content-encoding');
      expect(answer.headers, name).to.not.have.property('vary');
    }
  });
});
