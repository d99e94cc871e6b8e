// npm run soak: hours of a home network in a minute, against the spec's example running from
// Storage on espruino-1700 (1,700 JsVars, like an ESP8266): thousands of requests of every kind,
// bad ones and slow ones mixed in, and bursts of concurrent clients. Prints the JsVars before
// and after, the most connections held at once, and every request that was not answered as
// expected. Needs ESPRUINO_BIN (to write the code to Storage) and espruino-1700 beside it.
import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import { join, resolve } from 'node:path';
import { exchange, Reply, waitForPort } from '../test/e2e/client';
import { bin, bin1700, bootFromStorage } from './small-board.mjs';

const root = resolve(__dirname, '..');
const REQUESTS = Number(process.env.REQUESTS || 3000);
const PORT = 80;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (!bin || !bin1700) {
  console.log('soak: set ESPRUINO_BIN to a Linux build of Espruino with espruino-1700 beside it ' +
    '(e.g. ../shared/espruino/espruino)');
  process.exit(2);
}

const H = 'Host: board\r\n';
const good = `GET /page HTTP/1.1\r\n${H}User-Agent: Mozilla/5.0\r\nAccept: text/html\r\nAccept-Language: en\r\n\r\n`;
/** [name, request, acceptable statuses] */
const kinds: [string, string, (number | null)[]][] = [
  ['page', good, [200]],
  ['head', `HEAD /page HTTP/1.1\r\n${H}\r\n`, [200]],
  ['404', `GET /nothing/here HTTP/1.1\r\n${H}\r\n`, [404]],
  ['http/1.0', 'GET /page HTTP/1.0\r\n\r\n', [200]],
  ['query', `GET /page?a=1&b HTTP/1.1\r\n${H}\r\n`, [200]],
  ['post without route', `POST /page HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`, [501]],
  ['garbage', 'GARBAGE\r\n\r\n', [400]],
  ['no host', 'GET /page HTTP/1.1\r\n\r\n', [400]],
  ['NUL', `GET /page HTTP/1.1\r\n${H}X: a\x00b\r\n\r\n`, [400]],
  ['non-ASCII', `GET /p\xe4ge HTTP/1.1\r\n${H}\r\n`, [400]],
  ['bad escape', `GET /%zz HTTP/1.1\r\n${H}\r\n`, [400]],
  ['long URL', `GET /${'a'.repeat(700)} HTTP/1.1\r\n${H}\r\n`, [414]],
  ['big header', `GET /page HTTP/1.1\r\n${H}X: ${'b'.repeat(2500)}\r\n\r\n`, [431]],
  ['many headers', `GET /page HTTP/1.1\r\n${H}${'X-A: 1\r\n'.repeat(40)}\r\n`, [431]],
  ['CL+TE', `POST /page HTTP/1.1\r\n${H}Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\nx`, [400]],
  ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', [505]],
  ['TLS hello', '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03' + 'r'.repeat(40) + '\n', [400]],
  ['lower-case method', `get /page HTTP/1.1\r\n${H}\r\n`, [501]]
];

const failures: string[] = [];
function check(name: string, r: Reply | Error, ok: (number | null)[]) {
  if (r instanceof Error) failures.push(`${name}: ${r.message}`);
  else if (!ok.includes(r.status)) failures.push(`${name}: status ${r.status}, expected ${ok.join(' or ')}`);
}
const send = (pieces: string[], pause = 0, timeout = 15000) =>
  exchange({ host: '127.0.0.1', port: PORT, send: pieces, pause, timeout }).catch((e: Error) => e);

(async () => {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'ignore' });
  const board = bootFromStorage(join(root, 'build/bundle.js'));
  const vars = async () => (await board.vars()).usage;
  const started = Date.now();
  try {
    await waitForPort('127.0.0.1', PORT, 10000);
    await sleep(500);
    const boot = await vars();
    // the interpreter sizes some of its own tables on the first requests: measure after them
    for (let i = 0; i < 200; i++) check('warm-up', await send([good]), [200]);
    await sleep(1500);
    const before = await vars();
    console.log(`soak: ${bin1700}, build/bundle.js from Storage (+ a 6-JsVar meter)`);
    console.log(`  JsVars once listening: ${boot}; after 200 requests to warm up: ${before}`);

    // twice: the first pass shows what the interpreter sizes once (socket tables, timers),
    // the second whether anything is left behind per request
    let passStart = before;
    for (const pass of [1, 2]) {
      console.log(`  pass ${pass}:`);
      // 1. many requests of every kind, one after another
      const counts: { [kind: string]: number } = {};
      for (let i = 0; i < REQUESTS; i++) {
        const [name, text, ok] = i % 3 ? kinds[0] : kinds[(i / 3) % kinds.length | 0];
        counts[name] = (counts[name] || 0) + 1;
        // a few arrive in pieces, as from a slow network
        const pieces = i % 7 == 0 ? text.match(/[\s\S]{1,40}/g)! : [text];
        check(name, await send(pieces, i % 7 == 0 ? 2 : 0), ok);
      }
      console.log(`  ${REQUESTS} requests in turn: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}`);

      // 2a. what one connection costs at each stage its limits allow
      const costs: string[] = [];
      const base = await vars();
      for (const [what, text] of [['idle (nothing sent)', ''], ['mid-head, 60 bytes', 'GET /page HTTP/1.1\r\nHost: board\r\nAccept: text/html\r\n'],
        ['head near limits.head (1,000 bytes)', 'GET /page HTTP/1.1\r\nHost: board\r\nX: ' + 'h'.repeat(975)]] as [string, string][]) {
        const s = net.connect(PORT, '127.0.0.1');
        s.on('error', () => {});
        await new Promise((r) => s.on('connect', r));
        if (text) s.write(text);
        await sleep(300);
        costs.push(`${what} ${(await vars()) - base}`);
        s.destroy();
        await sleep(500);
      }
      console.log(`  JsVars one connection holds: ${costs.join(', ')}`);

      // 2b. the most connections held at once: open them mid-head until one is refused
      const held: net.Socket[] = [];
      let most = 0;
      for (let i = 0; i < 12; i++) {
        const s = net.connect(PORT, '127.0.0.1');
        s.on('error', () => {});
        let got = '';
        s.setEncoding('latin1').on('data', (d) => { got += d; });
        await new Promise((r) => s.on('connect', r));
        s.write('GET /page HTTP/1.1\r\nHost: board\r\n');
        await sleep(150);
        if (/^HTTP\/1\.1 503/.test(got)) { s.destroy(); break; }
        held.push(s);
        most = held.length;
      }
      const holding = await vars();
      for (const s of held) s.write('\r\n');
      await sleep(500);
      held.forEach((s) => s.destroy());
      console.log(`  most connections held at once: ${most} (JsVars with them: ${holding}, ${((holding - before) / Math.max(most, 1)).toFixed(0)} a connection)`);

      // 3. slow clients: heads dripping in, some never finished (408 after the timeout)
      const slow = await Promise.all(Array.from({ length: 8 }, (_, i) => i % 2
        ? send(good.match(/[\s\S]{1,4}/g)!, 20)
        : send(['GET /page HTTP/1.1\r\nHost: b'], 0, 20000)));
      slow.forEach((r, i) => check(i % 2 ? 'slow head' : 'unfinished head', r, i % 2 ? [200, 503] : [408, 503]));
      console.log(`  8 slow clients: ${slow.map((r) => (r instanceof Error ? 'error' : r.status)).join(' ')}`);

      // 4. bursts of concurrent clients: each is answered, 200 or 503 with Retry-After
      const statuses: { [s: string]: number } = {};
      for (let b = 0; b < 20; b++) {
        const burst = await Promise.all(Array.from({ length: 8 }, () => send([good])));
        for (const r of burst) {
          check('burst', r, [200, 503]);
          const key = r instanceof Error ? 'error' : String(r.status);
          statuses[key] = (statuses[key] || 0) + 1;
        }
      }
      console.log(`  20 bursts of 8 at once: ${Object.entries(statuses).map(([s, n]) => `${n} × ${s}`).join(', ')}`);

      await sleep(500);
      check('after all', await send([good]), [200]);
      // the last sockets close a moment after their answers
      await sleep(1500);
      const after = await vars();
      console.log(`  JsVars in use after pass ${pass}: ${after} (growth over the pass ${after - passStart}, since warm-up ${after - before}); ${((Date.now() - started) / 1000).toFixed(0)} s`);
      passStart = after;
    }
  } catch (e) {
    failures.push(`soak stopped: ${(e as Error).message}`);
  } finally {
    board.stop();
  }
  console.log(failures.length ? `${failures.length} requests not answered as expected:\n  ${failures.slice(0, 50).join('\n  ')}`
    : 'every request was answered as expected');
  process.exit(failures.length ? 1 : 0);
})();
