// Where a request's time goes, measured inside the real interpreter (ESPRUINO_BIN): each step
// of serving the benchmark's request (browser headers, GET /page of the spec's example, whose
// callback reads neither params nor headers; and the same request to a callback declaring and
// reading both, GET /all?a=1) timed
// with getTime() over a few hundred runs, and the whole request driven through a stand-in
// socket. No network and no load tool: figures are steady from run to run (ab's are not on a
// shared machine; each figure is the least of 5 runs), so they show what a change to the code
// gains or costs.
// Used by npm run bench; run alone with `node scripts/profile.mjs` after `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { esbuildOptions, joinStrings } from './build.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const tsc = join(root, 'build/tsc/src');

/** The browser-like header fields npm run bench sends (with ab) and profiles. */
export const HEADERS = ['User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language: en-US,en;q=0.9', 'Accept-Encoding: gzip, deflate'];
/** The whole head as ab sends it (HTTP/1.0, its own Host). */
const BENCH_HEAD = 'GET /page HTTP/1.0\r\nHost: 127.0.0.1\r\n' + HEADERS.join('\r\n') + '\r\n\r\n';

// Runs in the interpreter: P (global.profiled) holds the modules. Requests go through a stand-in
// socket in batches, with a pause between them so that timers and Promises settle as they
// would. In a function of its own: the bundle's top-level names are globals, which the
// driver's must not replace.
const DRIVER = `(function () {
var P = global.profiled;
var HEAD = ${JSON.stringify(BENCH_HEAD)};
function time(n, f) { var s = getTime(); for (var i = 0; i < n; i++) f(); return (getTime() - s) / n * 1e6; }
var out = {};
out['parse the head (feed)'] = time(300, function () { P.feed({}, HEAD, P.limits); });
// the per-line loop: a head in two pieces (its request line apart), as a slow client sends it
var LINE_END = HEAD.indexOf('\\n') + 1, LINE = HEAD.substring(0, LINE_END), FIELDS = HEAD.substring(LINE_END);
out['parse the head in two pieces (per-line loop)'] = time(300, function () { var h = {}; P.feed(h, LINE, P.limits); P.feed(h, FIELDS, P.limits); });
out['split and decode the target'] = time(500, function () { P.parseTarget('/page'); });
var routes = { GET: [['^/page$', function () {}, 0]] };
out['find the callback (match)'] = time(500, function () { P.match(routes, 'GET', '/page'); });
out['make the response object'] = time(500, function () { P.response(200, 'Hello from Kyanit!'); });
var r = P.response(200, 'Hello from Kyanit!');
out['format the response head'] = time(500, function () { P.formatHead(r, true, P.byteLength); });
var server = new P.HTTPServer(0);
// the spec example's callback, as src/main.ts declares it: it reads no params nor headers
server.register('GET', '^/page$', function () {
  return P.response(200, 'Hello from Kyanit!');
});
// one that reads everything: params and headers are made for it
server.register('GET', '^/all$', function (method, loc, params, headers, conn, addr) {
  return P.response(200, 'Hello from Kyanit!' + headers.host + params.a);
});
var HEAD_ALL = HEAD.replace('/page', '/all?a=1');
function Sock() { this.h = {}; }
Sock.prototype.on = function (e, f) { this.h[e] = f; };
Sock.prototype.write = function (d) { this.w = d; };
Sock.prototype.end = function () {};
var spent = [0, 0, 0], done = 0, k, all = 0;
function batch() {
  for (var i = 0; i < 40; i++) {
    var t0 = getTime();
    k = new Sock();
    server.processor(k);
    var t1 = getTime();
    k.h.data.call(k, done >= 400 ? HEAD_ALL : HEAD);
    var t2 = getTime();
    if (k.h.drain) k.h.drain.call(k);
    k.h.close.call(k);
    if (done >= 400) all += getTime() - t0;
    else { spent[0] += t1 - t0; spent[1] += t2 - t1; spent[2] += getTime() - t2; }
  }
  done += 40;
  if (done < 800) return setTimeout(batch, 5);
  if (k.w.indexOf('HTTP/1.1 200 OK') != 0 || k.w.indexOf('127.0.0.11') < 0) throw new Error('unexpected answer ' + k.w);
  out['accept: connection state, handlers, timer'] = spent[0] / 400 * 1e6;
  out['data: the head in, the answer out'] = spent[1] / 400 * 1e6;
  out['close'] = spent[2] / 400 * 1e6;
  out['a whole request'] = (spent[0] + spent[1] + spent[2]) / 400 * 1e6;
  out['a whole request, a callback reading all'] = all / 400 * 1e6;
  print('PROFILE ' + JSON.stringify(out));
}
batch();
})();
`;

/** Runs the profile on `bin` `runs` times; returns { step: microseconds }, the least of the
 *  runs for each step (whatever else the machine does only ever adds time). */
export async function profile(bin, runs = 5) {
  const entry = `import { feed } from './http/parse'; import { DEFAULT_LIMITS } from './http/limits';
    import { parseTarget } from './http/url'; import { match } from './http/router';
    import { response, formatHead } from './http/response'; import { byteLength } from './port/espruino';
    import { HTTPServer } from './httpsrv';
    // a name no minified top-level name can be (they are globals too)
    global.profiled = { feed, limits: DEFAULT_LIMITS, parseTarget, match, response, formatHead, byteLength, HTTPServer };`;
  const built = await esbuild.build({ ...esbuildOptions, stdin: { contents: entry, resolveDir: tsc }, write: false });
  const dir = mkdtempSync(join(tmpdir(), 'profile-'));
  const file = join(dir, 'profile.js');
  writeFileSync(file, joinStrings(built.outputFiles[0].text) + DRIVER);
  const least = {};
  for (let i = 0; i < runs; i++) {
    const run = spawnSync(bin, [file], { cwd: dir, encoding: 'latin1', timeout: 60000, killSignal: 'SIGKILL' });
    const line = /PROFILE (\{.*\})/.exec(run.stdout || '');
    if (!line) throw new Error('the profile printed nothing: ' + (run.stdout || '').slice(-300));
    for (const [step, us] of Object.entries(JSON.parse(line[1]))) least[step] = Math.min(least[step] ?? Infinity, us);
  }
  return least;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bin = process.env.ESPRUINO_BIN;
  if (!bin) {
    console.log('Set ESPRUINO_BIN (e.g. ../shared/espruino/espruino) to profile on the real interpreter.');
    process.exit(1);
  }
  const steps = await profile(resolve(bin));
  for (const [step, us] of Object.entries(steps)) console.log(`  ${step.padEnd(44)} ${us.toFixed(0).padStart(5)} µs`);
}
