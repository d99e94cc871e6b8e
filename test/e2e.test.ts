/**
 * End to end: real HTTP over sockets to the built bundles, on the host and (ESPRUINO_BIN) on
 * the real interpreter, or on a board (E2E_HOST). The same table runs unchanged on each.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { exchange } from './e2e/client';
import { Case, cases, mismatch } from './e2e/cases';
import { Kind, kinds, start, Target, warnIfNoInterpreter } from './e2e/target';

after(warnIfNoInterpreter);

const where = { host: 'the host (Node sockets)', espruino: 'the real interpreter',
  small: 'espruino-1700 (1,700 JsVars, like an ESP8266)', board: 'the board',
  sources: 'the TypeScript sources in this process (npm run mutate)' };

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
    it(`the ${list.length} cases, in order`, async function () {
      for (const c of list) await runCase(c, target());
    });
    return;
  }
  for (const c of list) it(c.name, () => runCase(c, target()));
}

for (const kind of kinds()) {
  describe(`end to end on ${where[kind]}`, function () {
    if (kind === 'small') {
      // the code in Storage, run from flash at boot, as flash.sh --save leaves a board
      describe('build/app.js from Storage: the cases the spec example answers', function () {
        let target: Target;
        before(async function () {
          if (process.getuid?.() !== 0) {
            console.log('    (skipped: build/app.js listens on port 80, which needs root here)');
            return this.skip();
          }
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

      it('a connection over limits.connections is answered 503 with Retry-After, then served again', async function () {
        const held = await Promise.all([0, 1, 2].map(() => new Promise<net.Socket>((resolve) => {
          const s = net.connect(target.port, target.host, () => { s.write('GET /page HTTP/1.1\r\n'); resolve(s); });
          s.on('error', () => {});
        })));
        await new Promise((r) => setTimeout(r, 200));
        const refused = await exchange({ host: target.host, port: target.port, send: ['GET /page HTTP/1.1\r\nHost: x\r\n\r\n'] });
        held.forEach((s) => s.destroy());
        assert.equal(refused.status, 503, refused.raw);
        assert.equal(refused.headers['retry-after'], '1');
        await new Promise((r) => setTimeout(r, 300));
        const next = await exchange({ host: target.host, port: target.port, send: ['GET /page HTTP/1.1\r\nHost: x\r\n\r\n'] });
        assert.equal(next.status, 200, next.raw);
      });

      it('clients that reset mid-head or mid-page, more of them than slots, cost nothing after', async function () {
        // the fixture has limits.connections = 3: a slot kept per reset would leave none (until
        // the head's timeout, 1 s, answers the dead connection)
        for (let i = 0; i < 4; i++) {
          await new Promise<void>((resolve) => {
            const s = net.connect(target.port, target.host, () => {
              s.write('GET /page HTTP/1.1\r\n');
              setTimeout(() => { s.resetAndDestroy(); resolve(); }, 50);
            });
            s.on('error', () => resolve());
          });
        }
        for (let i = 0; i < 4; i++) {
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

      it('the second server refuses connections once closed', async function () {
        await assert.rejects(exchange({ host: target.host, port: target.port + 1, send: ['GET /ping HTTP/1.0\r\n\r\n'] }),
          /ECONNREFUSED/);
      });
    });

    describe('build/app.js: the spec example as built', function () {
      let target: Target;
      before(async function () {
        if (kind === 'espruino' && process.getuid?.() !== 0) {
          console.log('    (skipped: build/app.js listens on port 80, which needs root here)');
          return this.skip();
        }
        target = await start(kind, 'build/app.js', false);
      });
      after(() => target?.stop());

      it('serves Hello from Kyanit! at /page', async function () {
        const reply = await exchange({ host: target.host, port: target.port,
          send: ['GET /page HTTP/1.1\r\nHost: board\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n'] });
        assert.equal(reply.status, 200, reply.raw);
        assert.equal(reply.body, 'Hello from Kyanit!');
      });

      it('answers 404 elsewhere', async function () {
        const reply = await exchange({ host: target.host, port: target.port, send: ['GET / HTTP/1.0\r\n\r\n'] });
        assert.equal(reply.status, 404, reply.raw);
      });
    });
  });
}
