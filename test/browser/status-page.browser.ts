// The status page, as a browser shows it: Debian's headless Chromium (driven
// by playwright-core) opens the demo's /_httppool and finds its charts drawn
// from the event stream and moving while a bounded load runs, with no console
// error and nothing fetched from another host. A screenshot under load goes
// to dist/test-artifacts/status-page.png.

import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from './chromium';
import { startDemo } from '../../examples/demo-service';
import type { HttpPoolApp } from '../../src/index';

/** The load: at most this many requests, 20 at a time, to 127.0.0.1 only. */
const MAX_REQUESTS = 20_000;
const CONCURRENCY = 20;

/** In the page: the 2xx/s the requests chart's legend shows. */
const LEGEND_2XX = "Number(document.querySelector('.chart .legend span')?.textContent?.split(' ').pop())";

/** The requests chart's legend entry for 2xx (the value the page drew last). */
async function okRate(page: Page): Promise<number> {
  const text = await page.$eval('.chart .legend span', (node) => node.textContent ?? '');
  return Number(text.split(' ').pop());
}

describe('status page in Chromium', function () {
  this.timeout(60_000);
  let app: HttpPoolApp;
  let browser: Browser;
  let url: string;

  before(async () => {
    app = await startDemo(0, '127.0.0.1', false);
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('draws live charts that move under load, with no console error and no other host', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(url) && !request.url().startsWith('data:')) elsewhere.push(request.url());
    });
    await page.goto(`${url}/_httppool`);
    await page.waitForSelector('#state.live', { timeout: 10_000 });
    // The page's own loads count too: wait for a quiet tick before the load.
    await page.waitForFunction(`${LEGEND_2XX} === 0`, undefined, { timeout: 10_000 });
    const idle = await page.$eval('canvas', (canvas) => (canvas as unknown as { toDataURL(): string }).toDataURL());

    // Bounded load: until the page shows it, at most MAX_REQUESTS.
    let sent = 0;
    let shown = false;
    const worker = async (): Promise<void> => {
      while (!shown && sent < MAX_REQUESTS) {
        sent++;
        await (await fetch(`${url}/test`)).arrayBuffer();
      }
    };
    const load = Promise.all(Array.from({ length: CONCURRENCY }, worker));
    try {
      await page.waitForFunction(`${LEGEND_2XX} > 0`, undefined, { timeout: 30_000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'status-page.png'), fullPage: true });
    } finally {
      shown = true;
      await load;
    }
    expect(await okRate(page), 'requests/s under load').to.be.greaterThan(0);
    const busy = await page.$eval('canvas', (canvas) => (canvas as unknown as { toDataURL(): string }).toDataURL());
    expect(busy, 'the requests chart was redrawn with the load').not.to.equal(idle);
    const rows = await page.$$eval('#processes tbody tr', (nodes) => nodes.map((node) => node.textContent));
    expect(rows, 'one row: one process').to.have.length(1);
    expect(problems, 'console errors').to.deep.equal([]);
    expect(elsewhere, 'requests to other hosts').to.deep.equal([]);
    await page.close();
  });
});
