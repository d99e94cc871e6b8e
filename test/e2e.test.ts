/**
 * End to end: real HTTP over sockets to the built bundles, on the host and (ESPRUINO_BIN) on
 * the real interpreter, or on a board (E2E_HOST). The same table runs unchanged on each.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { exchange, parseReply, Reply } from './e2e/client';
import { Case, cases, mismatch } from './e2e/cases';
import { requireOrSkip, rootProblem, smallInterpreterProblem } from './e2e/environment';
import { withoutInterpreterErrors } from './e2e/output';
import { Kind, kinds, start, Target } from './e2e/target';

const where = { host: 'the host (Node sockets)', espruino: 'the real interpreter',
  small: 'espruino-1700 (1,700 JsVars, like an ESP8266)', board: 'the board',
  sources: 'the TypeScript sources in this process (npm run mutate)' };

/** Opens `count` connections, each having sent `first` (by default a head's first line). */
function holdMidHead(t: Target, count: number, first = 'GET /page HTTP/1.1\r\n'): Promise<net.Socket[]> {
  return Promise.all(Array.from({ length: count }, () => new Promise<net.Socket>((resolve) => {
    const s = net.connect(t.port, t.host, () => { if (first) s.write(first); resolve(s); });
    s.on('error', () => {});
  })));
}

/** Sends `text` on an open socket and reads the reply until the server closes. */
function readReply(s: net.Socket, text: string): Promise<Reply> {
  return new Promise((resolve) => {
    let raw = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => { raw += d; });
    s.on('close', () => resolve(parseReply(raw)));
    s.write(text);
  });
}

/** An `it` that also fails when the interpreter printed an error while it ran. */
function itOn(target: () => Target, name: string, fn: (t: Target) => Promise<void>): void {
  it(name, function () {
    const t = target();
    return withoutInterpreterErrors(t, () => fn(t));
  });
}

/** The reply as expected, and after bad input the next request served. */
async function runCase(c: Case, t: Target): Promise<void> {
  const reply = await exchange({ host: t.host, port: t.port + (c.second ? 1 : c.third ? 2 : 0),
    send: c.send, pause: c.pause, timeout: c.timeout });
  const problem = mismatch(c, reply);
  assert.equal(problem, '', `${c.name}: ${problem}\n      server said: ${t.output().slice(-500)}`);
  if (c.bad) {
    const next = await exchange({ host: t.host, port: t.port,
      send: ['GET /page HTTP/1.1\r\nHost: x\r\n\r\n'] });
    assert.equal(next.status, 200, `the request after "${c.name}" was not served: ${next.raw}`);
  }
}

/** One `it` per case; on the sources, one `it` for the table: the mutation tester runs only
 *  the tests that reach a mutant, and a case run without those before it (which register
 *  routes, set the error view, close a server) would fail whatever the mutant did. */
function itCases(list: Case[], target: () => Target, kind: Kind): void {
  if (kind === 'sources') {
    itOn(target, `the ${list.length} cases, in order`, async function (t) {
      for (const c of list) await runCase(c, t);
    });
    return;
  }
  for (const c of list) itOn(target, c.name, (t) => runCase(c, t));
}

for (const kind of kinds()) {
  describe(`end to end on ${where[kind]}`, function () {
    if (kind === 'small') {
      // the code in Storage, run from flash at boot, as flash.sh --save leaves a board
      describe('build/app.js from Storage: the cases the spec example answers', function () {
        let target: Target;
        before(async function () {
          requireOrSkip(this, 'build/app.js cannot be tried on espruino-1700', smallInterpreterProblem() || rootProblem());
          target = await start(kind, 'build/app.js', false);
        });
        after(() => target?.stop());
        itCases(cases.filter((c) => c.example), () => target, kind);
      });
      return;
    }
    describe('build/e2e-app.js: the whole API', function () {
      let target: Target;
      before(async function () { target = await start(kind, 'build/e2e-app.js', true); });
      after(() => target?.stop());

      itCases(cases, () => target, kind);

      itOn(() => target, 'a connection beyond limits.connections + limits.queue is answered 503 with Retry-After, then served again', async function () {
        // the fixture serves 3 at once and holds 2 more; a connection that sent nothing (the
        // harness's port probes) holds a place until the fixture's 1 s head timeout
        await new Promise((r) => setTimeout(r, 1200));
        const held = await holdMidHead(target, 5);
        await new Promise((r) => setTimeout(r, 200));
        const refused = await exchange({ host: target.host, port: target.port, send: ['GET /page HTTP/1.1\r\nHost: x\r\n\r\n'] });
        held.forEach((s) => s.destroy());
        assert.equal(refused.status, 503, refused.raw);
        assert.equal(refused.headers['retry-after'], '1');
        await new Promise((r) => setTimeout(r, 300));
        const next = await exchange({ host: target.host, port: target.port, send: ['GET /page HTTP/1.1\r\nHost: x\r\n\r\n'] });
        assert.equal(next.status, 200, next.raw);
      });

      itOn(() => target, 'requests beyond the busy slots wait and are served in the order their heads arrived', async function () {
        // connections that sent nothing (the harness's port probes) hold a place until the
        // fixture's 1 s head timeout
        await new Promise((r) => setTimeout(r, 1200));
        // 3 slow requests take every slot; two more wait, the first to arrive is served first
        const slow = [0, 1, 2].map(() => exchange({ host: target.host, port: target.port, send: ['GET /slow HTTP/1.1\r\nHost: x\r\n\r\n'] }));
        await new Promise((r) => setTimeout(r, 100));
        const first = exchange({ host: target.host, port: target.port, send: ['GET /turn HTTP/1.1\r\nHost: x\r\n\r\n'] });
        await new Promise((r) => setTimeout(r, 50));
        const second = exchange({ host: target.host, port: target.port, send: ['GET /turn HTTP/1.1\r\nHost: x\r\n\r\n'] });
        const [a, b] = await Promise.all([first, second]);
        for (const r of await Promise.all(slow)) assert.equal(r.status, 200, r.raw);
        assert.equal(a.status, 200, a.raw);
        assert.equal(b.status, 200, b.raw);
        assert.equal(Number(b.body), Number(a.body) + 1, `served out of turn: ${a.body} then ${b.body}`);
        assert.match(a.body, /^\d+$/);
      });

      itOn(() => target, 'live events: a stream of ticks outside the handler timeout, freed when the client leaves', async function () {
        const s = net.connect(target.port, target.host);
        let raw = '';
        s.setEncoding('latin1');
        s.on('data', (d: string) => { raw += d; });
        s.on('error', () => {});
        s.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
        // the fixture's handler timeout is 1 s: the stream outlives it
        await new Promise((r) => setTimeout(r, 1500));
        const head = parseReply(raw);
        assert.equal(head.status, 200, raw.slice(0, 300));
        assert.equal(head.headers['content-type'], 'text/event-stream');
        assert.equal(head.headers['cache-control'], 'no-cache');
        const ticks = [...head.body.matchAll(/event: tick\ndata: (\d+)\n\n/g)].map((m) => Number(m[1]));
        assert.ok(ticks.length >= 5, `few ticks in 1.5 s: ${JSON.stringify(head.body.slice(0, 200))}`);
        assert.ok(ticks.every((t, i) => !i || t > ticks[i - 1]), 'ticks in order');
        assert.match(head.body, /^retry: 1000\n\n/);
        const open = await exchange({ host: target.host, port: target.port, send: ['GET /events/open HTTP/1.1\r\nHost: x\r\n\r\n'] });
        assert.equal(open.body, '1', 'served beside the stream, which is counted open');
        s.destroy();
        await new Promise((r) => setTimeout(r, 300));
        const after = await exchange({ host: target.host, port: target.port, send: ['GET /events/open HTTP/1.1\r\nHost: x\r\n\r\n'] });
        assert.equal(after.body, '0', 'the stream did not end when its client left');
      });

      itOn(() => target, 'clients that reset mid-head or mid-page, more of them than places, cost nothing after', async function () {
        // the fixture serves 3 at once and holds 2 more: a place kept per reset would leave
        // none (until the head's timeout, 1 s, answers a dead connection)
        for (let i = 0; i < 6; i++) {
          await new Promise<void>((resolve) => {
            const s = net.connect(target.port, target.host, () => {
              s.write('GET /page HTTP/1.1\r\n');
              setTimeout(() => { s.resetAndDestroy(); resolve(); }, 50);
            });
            s.on('error', () => resolve());
          });
        }
        for (let i = 0; i < 6; i++) {
          const first = await new Promise<string>((resolve) => {
            const s = net.connect(target.port, target.host, () => s.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n'));
            s.once('data', (d) => { s.resetAndDestroy(); resolve(d.toString('latin1')); });
            s.on('error', () => resolve(''));
          });
          assert.match(first, /^HTTP\/1\.1 200 /, `reset mid-page ${i + 1}: not served`);
        }
        await new Promise((r) => setTimeout(r, 100));
        for (let i = 0; i < 5; i++) {
          const next = await exchange({ host: target.host, port: target.port, send: ['GET /page HTTP/1.1\r\nHost: x\r\n\r\n'] });
          assert.equal(next.status, 200, next.raw);
        }
      });

      itOn(() => target, 'the second server refuses connections once closed', async function () {
        await assert.rejects(exchange({ host: target.host, port: target.port + 1, send: ['GET /ping HTTP/1.0\r\n\r\n'] }),
          /ECONNREFUSED/);
      });
    });

    describe('build/app.js: the spec example as built', function () {
      let target: Target;
      before(async function () {
        if (kind === 'espruino') requireOrSkip(this, 'build/app.js cannot be tried on the real interpreter', rootProblem());
        target = await start(kind, 'build/app.js', false);
      });
      after(() => target?.stop());

      itOn(() => target, 'serves Hello from Kyanit! at /page', async function () {
        const reply = await exchange({ host: target.host, port: target.port,
          send: ['GET /page HTTP/1.1\r\nHost: board\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n'] });
        assert.equal(reply.status, 200, reply.raw);
        assert.equal(reply.body, 'Hello from Kyanit!');
      });

      itOn(() => target, "a browser's burst: 8 requests sent at once on 8 open connections are all served", async function () {
        // Chromium opens up to 6 connections per host for a page's assets; the example holds 4 + 4
        const sockets = await holdMidHead(target, 8, '');
        const replies = await Promise.all(sockets.map((s) => readReply(s, 'GET /page HTTP/1.1\r\nHost: b\r\n\r\n')));
        assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200, 200, 200, 200, 200],
          replies.map((r) => r.raw).join('\n'));
        for (const r of replies) assert.equal(r.body, 'Hello from Kyanit!');
      });

      itOn(() => target, 'clients that connect and leave at once (a port scan, cancelled preconnects) take no place: 8 requests after them are all served', async function () {
        // Espruino tells no 'close' to a socket that closed before its connection callback ran
        for (let round = 0; round < 3; round++) {
          await Promise.all(Array.from({ length: 12 }, () => new Promise<void>((resolve) => {
            const s = net.connect(target.port, target.host, () => { s.destroy(); resolve(); });
            s.on('error', () => resolve());
          })));
        }
        await new Promise((r) => setTimeout(r, 200));
        const sockets = await holdMidHead(target, 8, '');
        const replies = await Promise.all(sockets.map((s) => readReply(s, 'GET /page HTTP/1.1\r\nHost: b\r\n\r\n')));
        assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200, 200, 200, 200, 200],
          replies.map((r) => r.raw).join('\n'));
      });

      itOn(() => target, 'a ninth connection while eight are held is 503 with Retry-After, then served once they leave', async function () {
        const held = await holdMidHead(target, 8);
        await new Promise((r) => setTimeout(r, 200));
        const refused = await exchange({ host: target.host, port: target.port, send: ['GET /page HTTP/1.1\r\nHost: x\r\n\r\n'] });
        held.forEach((s) => s.destroy());
        // the server hears of the closes a moment later: the next test must find its places free
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(refused.status, 503, refused.raw);
        assert.equal(refused.headers['retry-after'], '1');
        // the server hears of the closes a moment later (the next test found slots still held)
        let next = refused;
        for (let i = 0; i < 20 && next.status != 200; i++) {
          await new Promise((r) => setTimeout(r, 100));
          next = await exchange({ host: target.host, port: target.port, send: ['GET /page HTTP/1.1\r\nHost: x\r\n\r\n'] });
        }
        assert.equal(next.status, 200, `still refused 2 s after the held connections left: ${next.raw}`);
      });

      itOn(() => target, 'answers 404 elsewhere', async function () {
        const reply = await exchange({ host: target.host, port: target.port, send: ['GET / HTTP/1.0\r\n\r\n'] });
        assert.equal(reply.status, 404, reply.raw);
      });
    });
  });
}
