// Debian's Chromium, headless, as the browser tests drive it (playwright-core);
// CHROMIUM_PATH picks another binary. Screenshots go to dist/test-artifacts/.

import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
