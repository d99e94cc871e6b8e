/**
 * The dashboard example (examples/dashboard) in a real browser: Chromium, driven by
 * playwright-core, loads it from the host and (ESPRUINO_BIN) from the real interpreter, its
 * assets in Storage. What a person would see: the page whole, assets fetched in parallel
 * from flash, 304s on a second load, the LED toggle, a live counter, the connection freed on
 * leaving.
 */
import { strict as assert } from 'node:assert';
import type { Browser, Page, Response } from 'playwright-core';
import { CHROMIUM, launch } from './e2e/browser';
import { requireOrSkip, requireRealInterpreter } from './e2e/environment';
import { kinds, start, Target } from './e2e/target';

const BUNDLE = 'build/examples/dashboard/app.js';

/** Loads the dashboard in `page`; returns every response and every failed request. */
async function load(page: Page, url: string, reload = false) {
  const responses: Response[] = [];
  const failed: string[] = [];
  page.on('response', (r) => responses.push(r));
  page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  await (reload ? page.reload({ waitUntil: 'load' }) : page.goto(url, { waitUntil: 'load' }));
  // the state arrives by fetch once the script has run
  await page.waitForFunction(() => document.getElementById('free')!.textContent != '…', null, { timeout: 10000 });
  return { responses, failed };
}

/** Runs `fn` on a page of a fresh browser context (no cache, no cookies), closed afterwards. */
async function withPage(browser: Browser, fn: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext();
  try {
    await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

/** Whether the server answered 304: Chromium shows a revalidated page as its cached 200, sent
 *  no body for it, and had asked with If-None-Match. */
async function revalidated(r: Response): Promise<boolean> {
  if (r.status() == 304) return true;
  const asked = (await r.request().allHeaders())['if-none-match'];
  return !!asked && (await r.request().sizes()).responseBodySize == 0;
}

const where = { host: 'the host', espruino: 'the real interpreter', small: 'espruino-1700 from Storage', board: 'the board' };

// not on espruino-1700: the dashboard (its code 15 KB) runs out of JsVars there while its code
// loads from Storage, though the example with static files alone (677) or live events alone
// (680) fits; on the full interpreter it holds 796 once listening. Open: see the README
for (const kind of kinds().filter((k): k is 'host' | 'espruino' => k == 'host' || k == 'espruino')) {
  describe(`the dashboard in Chromium, served by ${where[kind]}`, function () {
    this.timeout(60000);
    let browser: Browser;
    let target: Target;
    let url: string;

    before(async function () {
      requireOrSkip(this, 'the browser tests', CHROMIUM ? '' :
        'no Chromium: install Debian\'s chromium (apt-get install chromium) or set CHROMIUM to one');
      if (kind != 'host') requireRealInterpreter(this, `the dashboard on ${where[kind]}`);
      target = await start(kind, BUNDLE, false);
      url = `http://${target.host}:${target.port}/`;
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      target?.stop();
    });

    it('loads whole from flash: the page and every asset 200, gzipped, with an ETag, no failed request', async function () {
      await withPage(browser, async (page) => {
        const { responses, failed } = await load(page, url);
        assert.deepEqual(failed, []);
        const bad = responses.filter((r) => r.status() >= 400 && !r.url().endsWith('/events'));
        assert.deepEqual(bad.map((r) => `${r.status()} ${r.url()}`), []);
        const assets = responses.filter((r) => /\.(css|js|svg)$/.test(r.url()));
        assert.ok(assets.length >= 2, `assets: ${responses.map((r) => r.url())}`);
        for (const r of [responses[0], ...assets]) {
          assert.equal(r.status(), 200, r.url());
          assert.equal((await r.allHeaders())['content-encoding'], 'gzip', `${r.url()} not gzipped`);
          assert.ok((await r.allHeaders()).etag, `${r.url()} has no ETag`);
        }
        assert.equal(await page.title(), 'Board dashboard');
        // the stylesheet applied: the cards have their background
        const background = await page.$eval('.card', (e) => getComputedStyle(e).backgroundColor);
        assert.equal(background, 'rgb(255, 255, 255)');
        assert.match((await page.textContent('#free'))!, /^\d+$/);
      });
    });

    it('loads ten times in a row with no failed request, and the board keeps its memory', async function () {
      const free: number[] = [];
      for (let i = 0; i < 10; i++) {
        await withPage(browser, async (page) => {
          const { failed } = await load(page, url);
          assert.deepEqual(failed, [], `load ${i + 1}`);
          free.push(Number(await page.textContent('#free')));
        });
      }
      // on an interpreter the page shows its JsVars free (the host reports a made-up figure)
      if (kind != 'host') assert.ok(free[9] >= free[1] - 20, `JsVars free fell from ${free[1]} to ${free[9]}: ${free}`);
      console.log(`      JsVars free at each load: ${free.join(', ')}`);
    });

    it('a second load revalidates with 304s', async function () {
      await withPage(browser, async (page) => {
        await load(page, url);
        const { responses, failed } = await load(page, url, true);
        assert.deepEqual(failed, []);
        const again = responses.filter((r) => /\/$|\.(css|js)$/.test(r.url()));
        const answers = await Promise.all(again.map(async (r) => `${await revalidated(r) ? 304 : r.status()} ${r.url()}`));
        assert.ok(answers.length >= 3 && answers.every((a) => a.startsWith('304 ')), answers.join(', '));
      });
    });

    it('the LED toggle round-trips', async function () {
      await withPage(browser, async (page) => {
        await load(page, url);
        const before = await page.textContent('#led');
        await page.click('#toggle');
        await page.waitForFunction((was) => document.getElementById('led')!.textContent != was, before, { timeout: 5000 });
        const after = await page.textContent('#led');
        assert.deepEqual([before, after].sort(), ['off', 'on']);
      });
    });

    it('the live counter moves, and leaving the page frees its connection', async function () {
      await withPage(browser, async (page) => {
        await load(page, url);
        await page.waitForFunction(() => document.getElementById('status')!.textContent == 'live', null, { timeout: 5000 });
        const first = Number(await page.textContent('#count'));
        await page.waitForFunction((n) => Number(document.getElementById('count')!.textContent) > n, first, { timeout: 5000 });
        const state = () => page.evaluate(() => fetch('/api/state').then((r) => r.json()));
        assert.equal((await state()).live, 1);
        await page.goto('about:blank');
        const probe = await page.context().newPage();
        await probe.goto(url + 'api/state');
        let live = -1;
        for (let i = 0; i < 20 && live != 0; i++) {
          await new Promise((r) => setTimeout(r, 250));
          live = JSON.parse((await (await probe.reload())!.text())).live;
        }
        assert.equal(live, 0, 'the event stream was not freed when the page went away');
      });
    });
  });
}
