/**
 * The dashboard example (examples/dashboard) in a real browser: Chromium, driven by
 * playwright-core, loads it from the host and (ESPRUINO_BIN) from the real interpreter, its
 * assets in Storage. What a person would see: the page whole, assets fetched in parallel
 * from flash, 304s on a second load, the LED toggle, a live counter, the connection freed on
 * leaving.
 */
import { strict as assert } from 'node:assert';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import { CHROMIUM, launch } from './e2e/browser';
import { waitForPort } from './e2e/client';
import { requireOrSkip, requireRealInterpreter, smallInterpreterProblem } from './e2e/environment';
import { interpreterErrors } from './e2e/output';
import { ESPRUINO_1700, kinds, ROOT, start, Target } from './e2e/target';

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

/** Ten loads, each from a fresh context: none fails; on an interpreter (`measured`: the page
 *  shows its real JsVars) the free JsVars do not fall. Prints the figures. */
async function tenLoads(browser: Browser, url: string, measured: boolean): Promise<void> {
  const free: number[] = [];
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < 10; i++) {
    await withPage(browser, async (page) => {
      const began = Date.now();
      const { failed } = await load(page, url);
      times.push(Date.now() - began);
      assert.deepEqual(failed, [], `load ${i + 1}`);
      free.push(Number(await page.textContent('#free')));
      total = Number((await page.evaluate(() => fetch('/api/state').then((r) => r.json()))).total);
    });
  }
  // on an interpreter the page shows its JsVars free (the host reports a made-up figure); a
  // reading is lower by what other requests of the page hold at that moment, so the quiet
  // level (the most free) of the last five loads is compared with that of the first five
  const quiet = (loads: number[]) => Math.max(...loads);
  if (measured) {
    assert.ok(quiet(free.slice(5)) >= quiet(free.slice(0, 5)) - 20,
      `JsVars free fell from ${quiet(free.slice(0, 5))} to ${quiet(free.slice(5))}: ${free}`);
  }
  console.log(`      JsVars free at each load: ${free.join(', ')} (of ${total}: ${total - Math.min(...free)} in use at most)`);
  console.log(`      load times (ms, to the state shown): ${times.join(', ')}`);
}

const where = { host: 'the host', espruino: 'the real interpreter', small: 'espruino-1700 from Storage', board: 'the board' };

for (const kind of kinds().filter((k): k is 'host' | 'espruino' | 'small' => k != 'board' && k != 'sources')) {
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
      await tenLoads(browser, url, kind != 'host');
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

// as the issue has it flashed: the user's command against espruino-1700 (an ESP8266's 1,700
// JsVars) with Telnet, then a reset; the board then boots the dashboard from its Storage
describe('the dashboard in Chromium, flashed by ./flash.sh --app examples/dashboard --save onto espruino-1700 --telnet', function () {
  this.timeout(180000);
  let browser: Browser;
  let board: ChildProcess | undefined;
  let printed = '';
  let dir = '';
  const boot = async (args: string[]) => {
    board = spawn(ESPRUINO_1700, args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    board.stdout!.setEncoding('latin1').on('data', (d) => { printed += d; });
    board.stderr!.setEncoding('latin1').on('data', (d) => { printed += d; });
  };
  const powerOff = () => { board?.kill('SIGKILL'); board = undefined; };

  before(async function () {
    requireOrSkip(this, 'the browser tests', CHROMIUM ? '' :
      'no Chromium: install Debian\'s chromium (apt-get install chromium) or set CHROMIUM to one');
    requireRealInterpreter(this, 'the dashboard flashed onto espruino-1700');
    requireOrSkip(this, 'the dashboard flashed onto espruino-1700', smallInterpreterProblem());
    dir = mkdtempSync(join(tmpdir(), 'flash-dashboard-'));
    await boot(['--telnet']);
    await waitForPort('127.0.0.1', 2323, 10000);
    const flashed = await new Promise<string>((resolve, reject) => execFile(join(ROOT, 'flash.sh'),
      ['tcp://127.0.0.1:2323', '--app', 'examples/dashboard', '--save'], { cwd: ROOT, timeout: 150000, maxBuffer: 64 << 20,
        // the system API's token it sets is kept here, not in this machine's own list of boards
        env: { ...process.env, HTTPSRV_BOARDS: join(dir, 'boards.json') } },
      (err, stdout, stderr) => (err ? reject(new Error(`flash.sh failed: ${stdout}${stderr}`)) : resolve(stdout))));
    assert.match(flashed, /\.bootcde verified/);
    // a reset: the board boots what flash.sh left in Storage
    powerOff();
    printed = '';
    await boot([]);
    await waitForPort('127.0.0.1', 80, 10000);
    browser = await launch();
  });
  after(async function () {
    this.timeout(60000);
    await browser?.close();
    powerOff();
    // flash.sh built the dashboard into build/app.js: the spec's example again for the suites after
    if (dir) await new Promise((resolve) => execFile(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT }, resolve));
  });

  it('loads ten times in a row with no failed request and no JsVar growth, the board printing no error', async function () {
    await tenLoads(browser, 'http://127.0.0.1/', true);
    assert.deepEqual(interpreterErrors(printed), []);
  });
});
