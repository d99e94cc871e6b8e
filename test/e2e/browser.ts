/**
 * A real browser for the end-to-end suite: Debian's Chromium (or CHROMIUM), driven by
 * playwright-core. Started as on a machine with no network beyond loopback.
 */
import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser']
  .find((path) => existsSync(path)) || '';

/** Launches Chromium headless; each test takes a fresh context (no cache, no cookies). */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // without the background-networking flags Chromium's own connections fail here, many at a time
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync']
  });
}
