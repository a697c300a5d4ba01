// The demo service (npm start) serves examples/public/ under /public: the
// page and its stylesheet from memory, large.txt streamed from disk.

import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { startDemo } from '../../examples/demo-service';
import type { HttpPoolApp } from '../../src/index';
import { get } from './fixtures';

// Compiled to dist/test/static: the repository is three levels up.
const PUBLIC = path.join(__dirname, '..', '..', '..', 'examples', 'public');

describe('static: the demo service', () => {
  let app: HttpPoolApp | undefined;
  let port: number;
  before(async () => {
    app = await startDemo(0, '127.0.0.1', false);
    port = (app.server.address() as AddressInfo).port;
  });
  after(() => app?.close());

  it('serves examples/public/index.html at /public/', async () => {
    const answer = await get(port, '/public/');
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-type']).to.equal('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).to.equal('public, max-age=60');
    expect(answer.body.equals(await fs.readFile(path.join(PUBLIC, 'index.html')))).to.equal(true);
  });

  it('serves the stylesheet brotli-compressed to a client that accepts it', async () => {
    const answer = await get(port, '/public/style.css', { 'accept-encoding': 'br' });
    expect(answer.headers['content-encoding']).to.equal('br');
    expect(brotliDecompressSync(answer.body).equals(await fs.readFile(path.join(PUBLIC, 'style.css')))).to.equal(true);
  });

  it('streams large.txt, which is larger than the 256 KiB cache limit', async () => {
    const file = await fs.readFile(path.join(PUBLIC, 'large.txt'));
    expect(file.length).to.be.above(256 * 1024);
    const answer = await get(port, '/public/large.txt');
    expect(answer.body.equals(file)).to.equal(true);
    const stats = app!.stats().static;
    expect(stats.misses).to.be.at.least(1);
    expect(stats.bytes, 'large.txt is not held').to.be.below(file.length);
    const tail = await get(port, '/public/large.txt', { range: 'bytes=-10' });
    expect(tail.status).to.equal(206);
    expect(tail.body.equals(file.subarray(file.length - 10))).to.equal(true);
  });
});
