// The file cache over HTTP: hits, misses and bytes in app.stats(),
// revalidation against the disk (changed, replaced, deleted files), and LRU
// eviction by total bytes.

import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { HttpPoolOptions } from '../../src/index';
import { resolveOptions } from '../../src/options';
import { FileCache } from '../../src/static/file-cache';
import { prepareMounts } from '../../src/static/static-mount';
import { appStarter } from '../helpers/start-app';
import { get, patterned, tempFolders } from './fixtures';

describe('static: the file cache', () => {
  const makeFolder = tempFolders();
  const startApp = appStarter();

  async function startWith(files: Record<string, string | Buffer>, staticCache: HttpPoolOptions['staticCache']) {
    const root = await makeFolder(files);
    const { app, port } = await startApp({ static: [{ prefix: '/s', root }], staticCache });
    const body = async (name: string) => (await get(port, `/s/${name}`)).body.toString();
    return { app, port, root, body, stats: () => app.stats().static };
  }

  /** Sets a file's mtime to `seconds` after the epoch: a change the revalidation must see. */
  async function touch(file: string, seconds: number): Promise<void> {
    await fs.utimes(file, seconds, seconds);
  }

  describe('stats', () => {
    it('counts a miss, then hits, and shows the bytes and entries held', async () => {
      const { app, port, stats } = await startWith({ 'a.txt': 'x'.repeat(100) }, { revalidateMs: 60_000 });
      expect(stats()).to.deep.equal({ hits: 0, misses: 0, evictions: 0, entries: 0, bytes: 0 });
      expect((await get(port, '/s/a.txt')).status).to.equal(200);
      expect(stats()).to.deep.equal({ hits: 0, misses: 1, evictions: 0, entries: 1, bytes: 100 });
      await get(port, '/s/a.txt');
      await get(port, '/s/a.txt', {}, 'HEAD');
      expect(stats()).to.include({ hits: 2, misses: 1, entries: 1, bytes: 100 });
      // The pool's figures are still there, beside `static`.
      expect(app.stats()).to.include({ busy: 0, queued: 0, completed: 0 });
    });

    it('counts a 404 as neither hit nor miss', async () => {
      const { port, stats } = await startWith({}, {});
      expect((await get(port, '/s/missing.txt')).status).to.equal(404);
      expect(stats()).to.include({ hits: 0, misses: 0, entries: 0 });
    });

    it('is all zeros for an app without mounts', async () => {
      const { app } = await startApp({});
      expect(app.stats().static).to.deep.equal({ hits: 0, misses: 0, evictions: 0, entries: 0, bytes: 0 });
    });
  });

  describe('revalidation', () => {
    it('serves the cached bytes until revalidateMs has passed', async () => {
      const { root, body } = await startWith({ 'a.txt': 'first' }, { revalidateMs: 60_000 });
      expect(await body('a.txt')).to.equal('first');
      await fs.writeFile(path.join(root, 'a.txt'), 'second, longer');
      expect(await body('a.txt')).to.equal('first');
    });

    it('serves a changed file fresh once revalidateMs has passed', async () => {
      const { root, body } = await startWith({ 'a.txt': 'first' }, { revalidateMs: 30 });
      expect(await body('a.txt')).to.equal('first');
      await fs.writeFile(path.join(root, 'a.txt'), 'second, longer');
      // Polling, bounded: the new bytes must show within a few revalidation periods.
      const deadline = Date.now() + 2000;
      while ((await body('a.txt')) !== 'second, longer') {
        expect(Date.now(), 'fresh content within 2 s').to.be.below(deadline);
        await delay(10);
      }
    });

    it('with revalidateMs 0, sees a new size, a new mtime, and a file replaced with the same size and mtime', async () => {
      const { port, root, body, stats } = await startWith({ 'a.txt': 'aaaa' }, { revalidateMs: 0 });
      const file = path.join(root, 'a.txt');
      await touch(file, 1_700_000_000);
      const first = await get(port, '/s/a.txt');
      expect(first.body.toString()).to.equal('aaaa');

      await fs.writeFile(file, 'bbbbbb');
      await touch(file, 1_700_000_000);
      const grown = await get(port, '/s/a.txt');
      expect(grown.body.toString()).to.equal('bbbbbb');
      expect(grown.headers.etag).to.not.equal(first.headers.etag);

      await fs.writeFile(file, 'cccccc');
      await touch(file, 1_700_000_100);
      expect(await body('a.txt')).to.equal('cccccc');

      // Same size, same mtime, new inode: a deploy that renames over the file keeping its times.
      await fs.writeFile(path.join(root, 'next.tmp'), 'dddddd');
      await touch(path.join(root, 'next.tmp'), 1_700_000_100);
      await fs.rename(path.join(root, 'next.tmp'), file);
      expect(await body('a.txt')).to.equal('dddddd');
      expect(stats()).to.include({ misses: 4, hits: 0, entries: 1, bytes: 6 });
    });

    it('counts an unchanged file found on revalidation as a hit', async () => {
      const { port, stats } = await startWith({ 'a.txt': 'same' }, { revalidateMs: 0 });
      await get(port, '/s/a.txt');
      await get(port, '/s/a.txt');
      await get(port, '/s/a.txt');
      expect(stats()).to.include({ misses: 1, hits: 2 });
    });

    it('answers a deleted file 404 and drops it from the cache', async () => {
      const { port, root, stats } = await startWith({ 'a.txt': 'here' }, { revalidateMs: 0 });
      expect((await get(port, '/s/a.txt')).status).to.equal(200);
      expect(stats().entries).to.equal(1);
      await fs.rm(path.join(root, 'a.txt'));
      expect((await get(port, '/s/a.txt')).status).to.equal(404);
      expect(stats()).to.include({ entries: 0, bytes: 0 });
    });

    it('answers a file swapped for a symlink leading out 404', async () => {
      const outside = await makeFolder({ 'secret.txt': 'TOP SECRET' });
      const { port, root } = await startWith({ 'a.txt': 'fine' }, { revalidateMs: 0 });
      expect((await get(port, '/s/a.txt')).body.toString()).to.equal('fine');
      await fs.rm(path.join(root, 'a.txt'));
      await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'a.txt'));
      const answer = await get(port, '/s/a.txt');
      expect(answer.status).to.equal(404);
      expect(answer.body.toString()).to.not.include('SECRET');
    });
  });

  describe('size bounds', () => {
    it('evicts the least recently used files to stay within maxSize bytes', async () => {
      const files = { 'a.bin': patterned(1000), 'b.bin': patterned(1000), 'c.bin': patterned(1000) };
      const { port, stats } = await startWith(files, { maxSize: 2500, maxFileSize: 1000, revalidateMs: 60_000 });
      await get(port, '/s/a.bin');
      await get(port, '/s/b.bin');
      expect(stats()).to.include({ entries: 2, bytes: 2000, evictions: 0 });
      await get(port, '/s/c.bin'); // evicts a, the least recently used
      expect(stats()).to.include({ entries: 2, bytes: 2000, evictions: 1, misses: 3 });
      await get(port, '/s/b.bin'); // a hit: b is now the most recently used
      expect(stats()).to.include({ hits: 1, misses: 3 });
      const again = await get(port, '/s/a.bin'); // a miss, which evicts c
      expect(again.body.equals(files['a.bin'])).to.equal(true);
      expect(stats()).to.include({ hits: 1, misses: 4, evictions: 2 });
      await get(port, '/s/b.bin');
      expect(stats()).to.include({ hits: 2, misses: 4 });
      await get(port, '/s/c.bin');
      expect(stats()).to.include({ hits: 2, misses: 5, evictions: 3, entries: 2, bytes: 2000 });
    });

    it('never caches a file larger than maxFileSize', async () => {
      const big = patterned(2048);
      const { port, stats } = await startWith({ 'big.bin': big }, { maxFileSize: 1024 });
      for (let i = 0; i < 2; i++) expect((await get(port, '/s/big.bin')).body.equals(big)).to.equal(true);
      expect(stats()).to.include({ misses: 2, hits: 0, entries: 0, bytes: 0 });
    });

    it('with maxFileSize 0, streams every non-empty file', async () => {
      const { port, stats } = await startWith({ 'a.txt': 'abc' }, { maxFileSize: 0 });
      expect((await get(port, '/s/a.txt')).body.toString()).to.equal('abc');
      expect(stats()).to.include({ misses: 1, entries: 0 });
    });

    it('counts compressed variants in the bytes held', async () => {
      const css = '.rule { color: red; margin: 0 auto; }\n'.repeat(100);
      const { port, stats } = await startWith({ 'site.css': css }, {});
      await get(port, '/s/site.css');
      const { bytes } = stats();
      expect(bytes).to.be.above(css.length);
      expect(bytes).to.be.below(css.length * 1.2);
    });
  });

  describe('FileCache.lookup()', () => {
    it('shares one disk trip among concurrent lookups of a key, and starts a new one after', async () => {
      const root = await makeFolder({ 'a.txt': 'shared' });
      const [mount] = await prepareMounts(resolveOptions({ static: [{ prefix: '/s', root }] }).static, []);
      const cache = new FileCache(resolveOptions({}).staticCache);
      const first = cache.lookup('/s/a.txt', mount!, '/a.txt');
      expect(cache.lookup('/s/a.txt', mount!, '/a.txt')).to.equal(first);
      expect(cache.lookup('/s/b.txt', mount!, '/b.txt')).to.not.equal(first);
      const found = await first;
      expect(found).to.include({ kind: 'cached', fromDisk: true });
      expect(cache.lookup('/s/a.txt', mount!, '/a.txt')).to.not.equal(first);
    });
  });
});
