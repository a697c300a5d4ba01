// Swagger UI, as a browser shows it: Debian's headless Chromium (driven by
// playwright-core) opens the demo's /docs and finds its routes drawn, with no
// console error and nothing fetched from another host. Run by
// `npm run test:browser` (.ci/run installs Chromium first); a screenshot goes
// to dist/test-artifacts/.

import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchChromium } from './chromium';
import { startDemo } from '../../examples/demo-service';
import type { HttpPoolApp } from '../../src/index';

describe('Swagger UI in Chromium', function () {
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

  it("renders the demo's routes from /openapi.json, with no console error and no other host", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(url) && !request.url().startsWith('data:')) elsewhere.push(request.url());
    });
    await page.goto(`${url}/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
    const paths = await page.$$eval('.opblock-summary-path', (nodes) => nodes.map((node) => node.textContent?.trim()));
    expect(paths).to.include.members(['/api/users/{id}', '/api/users', '/api/upload', '/admin/pool', '/test']);
    const title = await page.textContent('.info .title');
    expect(title).to.contain('httppool demo');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'swagger-ui.png'), fullPage: true });
    expect(problems, 'console errors').to.deep.equal([]);
    expect(elsewhere, 'requests to other hosts').to.deep.equal([]);
    await page.close();
  });
});
