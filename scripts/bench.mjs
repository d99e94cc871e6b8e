// npm run bench: what a request costs, next to Espruino's built-in http module (C).
//   sizes of build/bundle.js (what build/app.js installs) and of the library; on the real interpreter (ESPRUINO_BIN) requests
//   per second and p50/p99 latency at -c 1 and -c 4 with browser-like headers, alternating
//   with the built-in server, median of ROUNDS; on espruino-1700 (beside ESPRUINO_BIN, or
//   ESPRUINO_1700) the JsVars in use once listening read inside a request (issue 11's figure),
//   after 1,000 requests, and while a connection is held open; what each optional module costs
//   (scripts/module-cost.mjs); last, issue 11's table. The load comes from ab (apache2-utils),
//   installed here if absent.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { HEADERS, profile } from './profile.mjs';
import { bin, bin1700, bootFromStorage } from './small-board.mjs';
import { measuringBundle, varsInRequest } from './request-vars.mjs';
import { costLines, moduleCosts } from './module-cost.mjs';
import { esbuildOptions, joinStrings } from './build.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
process.chdir(root);
const ROUNDS = Number(process.env.ROUNDS || 3);
const REQUESTS = Number(process.env.REQUESTS || 2000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const missing = [];
/** The issue's figures, printed last as its table reads them. */
const figures = {};

// ---- sizes
const app = statSync('build/bundle.js').size;
async function minified(contents, outfile) {
  const r = await esbuild.build({ ...esbuildOptions, stdin: { contents, resolveDir: join(root, 'build/tsc/src') },
    write: false, define: { WIFI_CONFIG: '{}' } });
  const code = Buffer.from(joinStrings(r.outputFiles[0].text));
  if (outfile) writeFileSync(outfile, code);
  return code.length;
}
const library = await minified("export * from './httpsrv'; export * from './runner';");
// the example with every export of httpsrv and runner kept (none tree-shaken away), as the
// issue counts it: "with the whole seed API available". They are referenced from a function
// that is never called (about 5 JsVars): a namespace object would add a getter per export.
async function exportsOf(module) {
  const r = await esbuild.build({ entryPoints: [join(root, 'build/tsc/src', module + '.js')], bundle: true,
    format: 'esm', write: false, metafile: true, outdir: 'out', external: ['net', 'Storage'] });
  return Object.values(r.metafile.outputs)[0].exports;
}
const kept = [...(await exportsOf('httpsrv')).map((n) => 'h.' + n), ...(await exportsOf('runner')).map((n) => 'r.' + n)];
const fullAppFile = join(mkdtempSync(join(tmpdir(), 'full-')), 'full-app.js');
const fullApp = await minified("import * as h from './httpsrv'; import * as r from './runner'; import './boot'; " +
  `global.keepApi = function () { return [${kept.join(', ')}]; };`, fullAppFile);
console.log('Bundle');
console.log(`  build/bundle.js (the spec's example, as built)     ${app} bytes`);
console.log(`  the example with the whole API kept               ${fullApp} bytes`);
console.log(`  the library alone (httpsrv + runner, all exports) ${library} bytes`);

// ---- helpers
function freePort() {
  return new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}
async function waitPort(port, ms = 10000) {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(100)) {
    const ok = await new Promise((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (ok) return;
  }
  throw new Error(`nothing listens on ${port}`);
}
function startEspruino(exe, file) {
  // stdin an open pipe: at end of input the Linux build feeds its console garbage (test/e2e/target.ts)
  const child = spawn(exe, [file], { cwd: mkdtempSync(join(tmpdir(), 'bench-')), stdio: ['pipe', 'pipe', 'pipe'] });
  child.out = '';
  child.stdout.setEncoding('latin1').on('data', (d) => { child.out += d; });
  child.stderr.setEncoding('latin1').on('data', (d) => { child.out += d; });
  return child;
}
/** Runs ab (asynchronously: the interpreters' output pipes must keep being read). */
async function ab(port, concurrency, n) {
  const csv = join(mkdtempSync(join(tmpdir(), 'ab-')), 'p.csv');
  const args = ['-q', '-c', String(concurrency), '-n', String(n), '-s', '10', '-e', csv];
  for (const h of HEADERS) args.push('-H', h);
  const out = await new Promise((resolve) => {
    const child = spawn('ab', [...args, `http://127.0.0.1:${port}/page`]);
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.stderr.on('data', (d) => { text += d; });
    child.on('close', () => resolve(text));
  });
  if (!existsSync(csv)) throw new Error(`ab failed: ${out.trim().split('\n').slice(-2).join(' ')}`);
  const rps = Number(/Requests per second:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const failed = Number(/Failed requests:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const pct = Object.fromEntries(readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number)));
  return { rps, failed, p50: pct[50], p99: pct[99] };
}
function haveAb() {
  if (spawnSync('ab', ['-V']).status === 0) return true;
  console.log('  (installing ab from apache2-utils)');
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'ignore', timeout: 300000 }).status === 0;
  return (apt(['install', '-y', 'apache2-utils']) || (apt(['update']) && apt(['install', '-y', 'apache2-utils'])))
    && spawnSync('ab', ['-V']).status === 0;
}

// ---- where a request's time goes (steady figures: no network, no load tool)
if (bin) {
  try {
    const steps = await profile(bin);
    console.log(`\nInterpreter time per step of the benchmark's request, on ${bin} (getTime(), stand-in socket)`);
    for (const [step, us] of Object.entries(steps)) console.log(`  ${step.padEnd(44)} ${us.toFixed(0).padStart(5)} µs`);
  } catch (e) {
    missing.push(`profile: ${e.message}`);
  }
} else missing.push('time per step: set ESPRUINO_BIN');

// ---- throughput
if (process.env.SKIP_THROUGHPUT) missing.push('throughput: SKIP_THROUGHPUT is set');
else if (!bin) missing.push('requests per second and latency: set ESPRUINO_BIN (e.g. ../shared/espruino/espruino)');
else if (!haveAb()) missing.push('requests per second and latency: ab (apache2-utils) could not be installed');
else {
  const builtinPort = await freePort();
  const builtinFile = join(mkdtempSync(join(tmpdir(), 'builtin-')), 'builtin.js');
  writeFileSync(builtinFile, `require('http').createServer(function (req, res) {
  res.writeHead(200, {'Content-Type': 'text/plain', 'Content-Length': 18});
  res.end('Hello from Kyanit!'); }).listen(${builtinPort});\n`);
  const builtin = startEspruino(bin, builtinFile);
  const ours = startEspruino(bin, join(root, 'build/bundle.js'));
  try {
    await waitPort(builtinPort);
    await waitPort(80);
    console.log(`\nThroughput on ${bin} (${REQUESTS} requests a run, median of ${ROUNDS} alternating rounds)`);
    for (const c of [1, 4]) {
      const runs = { builtin: [], ours: [] };
      for (let i = 0; i < ROUNDS; i++) {
        runs.builtin.push(await ab(builtinPort, c, REQUESTS));
        runs.ours.push(await ab(80, c, REQUESTS));
      }
      const row = (name, rs) => {
        const rps = median(rs.map((r) => r.rps));
        console.log(`  -c ${c} ${name.padEnd(22)} ${rps.toFixed(0).padStart(6)} req/s  p50 ${median(rs.map((r) => r.p50)).toFixed(3)} ms` +
          `  p99 ${median(rs.map((r) => r.p99)).toFixed(3)} ms  failed ${rs.reduce((a, r) => a + r.failed, 0)}`);
        return rps;
      };
      const b = row('built-in http (C)', runs.builtin), o = row('httpsrv (build/bundle.js)', runs.ours);
      const ratios = runs.ours.map((r, i) => r.rps / runs.builtin[i].rps);
      console.log(`  -c ${c} ratio httpsrv / built-in: ${median(ratios).toFixed(2)} (median of rounds; medians ${(o / b).toFixed(2)})`);
      figures[c] = { ratio: median(ratios), ours: o, builtin: b, low: Math.min(...ratios), high: Math.max(...ratios) };
    }
  } catch (e) {
    missing.push(`throughput: ${e.message}`);
  } finally {
    builtin.kill('SIGKILL');
    ours.kill('SIGKILL');
  }
}

// ---- memory on an interpreter as small as an ESP8266
if (!bin1700) missing.push('JsVars: no espruino-1700 beside ESPRUINO_BIN (or ESPRUINO_1700)');
else if (!bin) missing.push('JsVars: ESPRUINO_BIN is needed to write the code to Storage');
else if (spawnSync('ab', ['-V']).status !== 0) missing.push('JsVars after 1,000 requests: no ab');
else {
  // as the issue reads it: inside a request, that request's connection included
  try {
    const { first, last } = await varsInRequest(await measuringBundle());
    figures.vars = last;
    console.log(`\nJsVars on ${bin1700}, the example's code run from Storage (flash.sh --save), read inside a request`);
    console.log(`  in use once listening (process.memory().usage in the callback) ${last} (the first request: ${first})`);
  } catch (e) {
    missing.push(`JsVars inside a request: ${e.message}`);
  }
  const small = bootFromStorage(join(root, 'build/bundle.js'));
  try {
    // its meter reporting means it listens: a port probe would hold a connection (until the
    // head timeout: Espruino tells no close of a socket that sent nothing) and be counted
    await small.vars();
    const { usage: listening, total } = await small.vars();
    await ab(80, 1, 1000);
    // the last sockets close a moment after their answers
    await sleep(1500);
    const { usage: after } = await small.vars();
    // one connection held open mid-head: what it costs while it lasts
    const held = net.connect(80, '127.0.0.1');
    await new Promise((r) => held.on('connect', r));
    held.write('GET /page HTTP/1.1\r\nHost: bench\r\n' + HEADERS.join('\r\n') + '\r\n');
    await sleep(300);
    const { usage: holding } = await small.vars();
    held.destroy();
    // a browser's burst: 6 connections with their heads all but the last line sent
    const burst = await Promise.all([0, 1, 2, 3, 4, 5].map(() => new Promise((resolve) => {
      const s = net.connect(80, '127.0.0.1', () => {
        s.write('GET /page HTTP/1.1\r\nHost: bench\r\n' + HEADERS.join('\r\n') + '\r\n');
        resolve(s);
      });
    })));
    await sleep(300);
    const { usage: bursting } = await small.vars();
    burst.forEach((s) => s.destroy());
    await sleep(300);
    console.log(`JsVars on ${bin1700} (${total} in all), read by an interval (its 6 JsVars included)`);
    console.log(`  in use once listening, no request     ${listening}`);
    console.log(`  after 1,000 requests                  ${after} (growth ${after - listening})`);
    console.log(`  with one connection mid-head          ${holding} (that connection: ${holding - listening})`);
    console.log(`  with 6 at once (a browser's burst)    ${bursting} (free: ${total - bursting})`);
  } catch (e) {
    missing.push(`JsVars: ${e.message}`);
  } finally {
    small.stop();
  }
  const full = bootFromStorage(fullAppFile);
  try {
    await full.vars();
    console.log(`  in use once listening, whole API kept ${(await full.vars()).usage}`);
  } catch (e) {
    missing.push(`JsVars with the whole API: ${e.message}`);
  } finally {
    full.stop();
  }
}

// ---- the optional modules: what importing each costs, and that leaving it out costs nothing
try {
  console.log(`\nOptional modules, each beside the spec's example${bin1700 && bin ? ` (JsVars read inside a request on ${bin1700})` : ''}`);
  for (const line of costLines(await moduleCosts())) console.log(line);
} catch (e) {
  missing.push(`optional modules: ${e.message}`);
}

// ---- issue 11's table
console.log('\nIssue 11 (spec example; targets: <= 450 JsVars, >= 0.3x at -c 1, >= 0.25x at -c 4)');
console.log(`  JsVars once listening, from flash, read inside a request, espruino-1700  ${figures.vars ?? 'not measured'}`);
for (const c of [1, 4]) {
  const f = figures[c];
  console.log(`  req/s vs C http, ab -c ${c}, 4 browser headers, alternating runs      ` + (f
    ? `${f.ratio.toFixed(2)}x (rounds ${f.low.toFixed(2)}-${f.high.toFixed(2)}; ${f.ours.toFixed(0)} vs ${f.builtin.toFixed(0)} req/s)`
    : 'not measured'));
}

if (missing.length) {
  console.log('\nNot measured:');
  for (const m of missing) console.log(`  - ${m}`);
}
