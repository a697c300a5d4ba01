// A static mount at `/`: it serves what no route takes (routes win), with an
// optional single-page fallback; and ranges that overlap or touch are one 206.

import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Controller, Get, HttpPoolApp, Post } from '../../src/index';
import { parseRange } from '../../src/static/byte-range';
import { appStarter } from '../helpers/start-app';

@Controller('/api')
class ApiController {
  @Get('/users')
  users() {
    return [{ id: 1 }];
  }

  @Post('/users')
  create() {
    return { created: true };
  }
}

const INDEX = '<!doctype html><title>app</title>';
const DIGITS = '0123456789abcdefghij';

describe('a static mount at /', () => {
  const startApp = appStarter();
  let site: string;
  let assets: string;

  before(async () => {
    site = await mkdtemp(path.join(tmpdir(), 'httppool-site-'));
    await writeFile(path.join(site, 'index.html'), INDEX);
    await mkdir(path.join(site, 'css'));
    await writeFile(path.join(site, 'css', 'site.css'), 'body{}');
    await writeFile(path.join(site, 'digits.txt'), DIGITS);
    // A file where a route is: the route wins.
    await mkdir(path.join(site, 'api'));
    await writeFile(path.join(site, 'api', 'users'), 'the file, never served');
    assets = await mkdtemp(path.join(tmpdir(), 'httppool-assets-'));
    await writeFile(path.join(assets, 'logo.svg'), '<svg/>');
  });
  after(async () => {
    await rm(site, { recursive: true, force: true });
    await rm(assets, { recursive: true, force: true });
  });

  const start = (fallback?: string) =>
    startApp({
      controllers: [ApiController],
      metrics: true,
      static: [
        { prefix: '/', root: site, ...(fallback === undefined ? {} : { fallback }) },
        { prefix: '/assets', root: assets },
      ],
    });

  it('serves files where no route matches, the folder index at /', async () => {
    const { url } = await start();
    for (const [target, body] of [
      ['/', INDEX],
      ['/index.html', INDEX],
      ['/css/site.css', 'body{}'],
      ['/assets/logo.svg', '<svg/>'],
    ] as const) {
      const res = await fetch(url + target);
      expect(res.status, target).to.equal(200);
      expect(await res.text(), target).to.equal(body);
    }
  });

  it('lets routes win, answers other methods on unknown paths 404, and leaves /metrics alone', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/api/users`)).json()).to.deep.equal([{ id: 1 }]);
    expect((await fetch(`${url}/api/users`, { method: 'DELETE' })).status, 'a route path keeps its 405').to.equal(405);
    expect((await fetch(`${url}/css/site.css`, { method: 'POST' })).status).to.equal(404);
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).to.match(/^text\/plain/);
  });

  it('answers a missing file 404, and keeps paths inside its root', async () => {
    const { url } = await start();
    for (const target of ['/missing.html', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/.env']) {
      const res = await fetch(url + target, { headers: { accept: 'text/html' } });
      expect(res.status, target).to.equal(404);
      expect(res.headers.get('content-type'), target).to.equal('application/json; charset=utf-8');
    }
  });

  it('with a fallback, gives unknown GET paths that accept HTML the app shell, and the rest their 404', async () => {
    const { url } = await start('index.html');
    const page = await fetch(`${url}/settings/profile`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(await page.text()).to.equal(INDEX);
    expect((await fetch(`${url}/settings/profile`, { headers: { accept: 'application/json' } })).status).to.equal(404);
    expect((await fetch(`${url}/missing.css`)).status, 'no Accept: text/html').to.equal(404);
    expect((await fetch(`${url}/settings`, { method: 'POST', headers: { accept: 'text/html' } })).status).to.equal(404);
    expect(await (await fetch(`${url}/api/users`, { headers: { accept: 'text/html' } })).json()).to.deep.equal([
      { id: 1 },
    ]);
  });

  it('serves the same through inject(): files, the fallback, routes first', async () => {
    const app = await HttpPoolApp.bootstrap({
      controllers: [ApiController],
      logger: false,
      static: [{ prefix: '/', root: site, fallback: 'index.html' }],
    });
    try {
      expect((await app.inject({ url: '/css/site.css' })).body).to.equal('body{}');
      expect((await app.inject({ url: '/deep/link', headers: { accept: 'text/html' } })).body).to.equal(INDEX);
      expect((await app.inject({ url: '/api/users' })).json()).to.deep.equal([{ id: 1 }]);
      expect((await app.inject({ url: '/missing.js' })).statusCode).to.equal(404);
    } finally {
      await app.close();
    }
  });

  it('answers ranges that overlap or touch as one 206, and ranges with a gap with the whole file', async () => {
    const { url } = await start();
    for (const [range, status, body] of [
      ['bytes=0-4,5-9', 206, DIGITS.slice(0, 10)],
      ['bytes=2-8,0-4', 206, DIGITS.slice(0, 9)],
      ['bytes=-5,10-14', 206, DIGITS.slice(10)],
      ['bytes=0-1,5-6', 200, DIGITS],
    ] as const) {
      const res = await fetch(`${url}/digits.txt`, { headers: { range } });
      expect(res.status, range).to.equal(status);
      expect(await res.text(), range).to.equal(body);
      if (status === 206) {
        const start = DIGITS.indexOf(body);
        expect(res.headers.get('content-range'), range).to.equal(
          `bytes ${start}-${start + body.length - 1}/${DIGITS.length}`,
        );
      }
    }
  });
});

describe('parseRange', () => {
  it('combines ranges that overlap or touch, in any order, and gives up on gaps', () => {
    expect(parseRange('bytes=0-49,50-99', 1000)).to.deep.equal({ start: 0, end: 99 });
    expect(parseRange('bytes=50-99,0-60', 1000)).to.deep.equal({ start: 0, end: 99 });
    expect(parseRange('bytes=0-9, 5-7, 10-', 20)).to.deep.equal({ start: 0, end: 19 });
    expect(parseRange('bytes=0-9,11-19', 20)).to.equal(undefined);
    expect(parseRange('bytes=0-9,30-40', 20), 'an unsatisfiable part is dropped').to.deep.equal({ start: 0, end: 9 });
  });
});
