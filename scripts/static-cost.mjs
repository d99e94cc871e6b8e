// What serving static files costs (after npm run build):
//   bytes      the spec's example with and without serveStatic() registered (and that
//              build/bundle.js carries none of src/static.ts)
//   JsVars     on espruino-1700, the code booted from Storage (with build/e2e-www's assets
//              written beside it): once listening, with and without, and after serving files
//   time       on ESPRUINO_BIN: the handler's work per request (manifest lookup, head), and
//              the manifest lookups it could have used instead
//   node scripts/static-cost.mjs        (ESPRUINO_BIN=../shared/espruino/espruino for the last two)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as net from 'node:net';
import * as esbuild from 'esbuild';
import { readAssets } from './assets.mjs';
import { fileCommands } from './upload-assets.mjs';
import { bin, bin1700, bootFromStorage } from './small-board.mjs';
import { esbuildOptions, joinStrings } from './build.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
process.chdir(root);
const ASSETS = join(root, 'build/e2e-www');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** ES5 source bundled from build/tsc/src as build.mjs bundles the app; returns the file. */
async function bundle(contents, name) {
  const r = await esbuild.build({ ...esbuildOptions, stdin: { contents, resolveDir: join(root, 'build/tsc/src') },
    write: false, define: { WIFI_CONFIG: '{}' } });
  const file = join(mkdtempSync(join(tmpdir(), 'static-cost-')), name);
  writeFileSync(file, joinStrings(r.outputFiles[0].text));
  return file;
}

/** The spec's example on `port`, with serveStatic() at / when `withStatic`. */
const example = (port, withStatic) => `import * as httpsrv from './httpsrv'; import * as runner from './runner';
${withStatic ? "import { serveStatic } from './static';" : ''}
runner.start({ main: function () {
  var server = new httpsrv.HTTPServer(${port});
  server.register('GET', '^/page$', function () { return httpsrv.response(200, 'Hello from Kyanit!'); });
  ${withStatic ? "server.register('GET', '^/', serveStatic());" : ''}
  runner.createTask('httpsrv', server.catchRequests);
}, cleanup: function () {} });`;

function freePort() {
  return new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}
/** One request; resolves with the status and the body's length. */
function request(port, head) {
  return new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(head));
    const parts = [];
    s.on('data', (d) => parts.push(d));
    s.on('error', rej);
    s.on('close', () => {
      const raw = Buffer.concat(parts).toString('latin1'), end = raw.indexOf('\r\n\r\n');
      res({ status: Number(raw.slice(9, 12)), body: end < 0 ? 0 : raw.length - end - 4 });
    });
  });
}

// ---- bytes
const port = await freePort();
const without = await bundle(example(port, false), 'without.js');
const withStatic = await bundle(example(port, true), 'with.js');
const size = (f) => readFileSync(f).length;
console.log('Bytes (minified, as build.mjs bundles)');
console.log(`  the example                        ${size(without)}`);
console.log(`  the example with serveStatic() at / ${size(withStatic)} (+${size(withStatic) - size(without)})`);
console.log(`  build/bundle.js carries src/static.ts: ${/www\.json|Not Acceptable/.test(readFileSync('build/bundle.js', 'utf8')) ? 'YES' : 'no'}`);

// ---- JsVars
if (!bin || !bin1700) {
  console.log('\nJsVars and time: set ESPRUINO_BIN (with espruino-1700 beside it)');
  process.exit(0);
}
const requests = [
  ['GET /index.html, gzip', 'GET / HTTP/1.1\r\nHost: b\r\nAccept-Encoding: gzip, deflate\r\n\r\n'],
  ['GET /big.txt (6,000 bytes), plain', 'GET /big.txt HTTP/1.1\r\nHost: b\r\n\r\n'],
  ['GET /bytes.bin, plain', 'GET /bytes.bin HTTP/1.1\r\nHost: b\r\n\r\n'],
  ['GET /style.css, revalidated (304)', `GET /style.css HTTP/1.1\r\nHost: b\r\nIf-None-Match: "${readAssets(ASSETS).manifest['/style.css'].e}"\r\n\r\n`]
];
console.log(`\nJsVars on ${bin1700}, the code run from Storage (each figure includes the meter's 6)`);
for (const [label, file, assets] of [['the example', without], ['with serveStatic() at /', withStatic, ASSETS]]) {
  const board = bootFromStorage(file, { assets });
  try {
    // no probe connection to see it listens: one that sends nothing is held until its head
    // times out (10 s) and would be counted; the meter reporting means the code has run
    const { usage, total } = await board.vars();
    let line = `  ${label.padEnd(26)} once listening ${usage} of ${total}`;
    if (assets) {
      // two rounds: the first may leave the interpreter's one-time costs, the second must add nothing
      for (const round of [1, 2]) {
        for (const [name, head] of requests) {
          for (let i = 0; i < 20; i++) {
            const r = await request(port, head);
            if (r.status != 200 && r.status != 304) throw new Error(`${name}: ${r.status}\n${board.output().slice(-300)}`);
          }
        }
        await sleep(1000);
        line += `, after ${round * 20 * requests.length} file requests ${(await board.vars()).usage}`;
      }
    }
    console.log(line);
  } finally {
    board.stop();
  }
}

// ---- time: the handler on the interpreter, a stand-in connection, the fixture's manifest
const driver = await bundle(`import { serveStatic } from './static';
var serve = serveStatic(), N = 200, sink = { write: function () {} }, t, i;
var manifest = require('Storage').read('www.json'), kept = JSON.parse(manifest);
// the least of 5 runs: the machine is shared
function time(label, fn) {
  var best = 1e9;
  for (var run = 0; run < 5; run++) {
    t = getTime();
    for (i = 0; i < N; i++) fn();
    best = Math.min(best, (getTime() - t) / N * 1e6);
  }
  print('TIME ' + label + ' ' + best.toFixed(0));
}
var tag = '"' + kept['/style.css'].e + '"';
time('handler, 200 (head and first piece)', function () { serve('GET', '/style.css', {}, {}, sink); });
time('handler, 304', function () { serve('GET', '/style.css', {}, { 'if-none-match': tag }, sink); });
time('lookup as served: indexOf, parse the entry', function () {
  var list = require('Storage').read('www.json'), at = list.indexOf('"/style.css":{');
  JSON.parse(list.substring(list.indexOf('{', at + 1), list.indexOf('}', at) + 1));
});
time('lookup: JSON.parse the whole manifest', function () { JSON.parse(require('Storage').read('www.json'))['/style.css']; });
time('lookup: a manifest kept parsed in RAM', function () { kept['/style.css']; });
print('KEPT ' + E.getSizeOf(kept) + ' ' + manifest.length);
// a file in flight: what the handler leaves to the connection (its next-piece function and scope)
var held = [], before = process.memory().usage;
['/big.txt', '/index.html'].forEach(function (path) {
  serve('GET', path, {}, { 'accept-encoding': 'gzip' }, { write: function (data) { if (typeof data == 'function') held.push(data); } });
});
print('INFLIGHT ' + Math.round((process.memory().usage - before) / held.length));
`, 'driver.js');
const dir = mkdtempSync(join(tmpdir(), 'static-cost-'));
const lines = readAssets(ASSETS).files.flatMap((f) => fileCommands(f.name, readFileSync(f.path)));
execFileSync(bin, ['-e', lines.join('\n')], { cwd: dir, timeout: 20000, stdio: 'ignore' });
const out = execFileSync(bin, [driver], { cwd: dir, timeout: 60000, encoding: 'latin1' });
const small = execFileSync(bin1700, [driver], { cwd: dir, timeout: 60000, encoding: 'latin1' });
console.log(`\nInterpreter time per request on ${bin} (µs; the fixture's ${Object.keys(readAssets(ASSETS).manifest).length}-file manifest)`);
for (const [, label, us] of out.matchAll(/TIME (.*) (\d+)/g)) console.log(`  ${label.padEnd(44)} ${us.padStart(5)}`);
const kept = /KEPT (\d+) (\d+)/.exec(out);
if (kept) console.log(`  a manifest kept parsed in RAM holds ${kept[1]} JsVars (its JSON: ${kept[2]} bytes)`);
const inflight = /INFLIGHT (\d+)/.exec(small);
if (inflight) console.log(`JsVars a file in flight holds (its next-piece function, on ${bin1700}): ${inflight[1]}`);
