/**
 * The system API (src/sysapi.ts) against a stand-in socket and the Storage stand-in
 * (host/storage.ts): what goes to the socket and to Storage, and when. That a file is sent a
 * piece per drain and an upload written a piece at a time as it arrives, never held whole; that
 * an upload is visible under its name only once complete; the API mounted under a prefix; the
 * runner's restart(). The end-to-end suite (sysapi-e2e.test.ts) checks what a user sees.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { HostStorage } from '../host/storage';
import { HTTPServer, response } from '../src/httpsrv';
import * as runner from '../src/runner';
import { Library } from '../src/version';
import { ESPRUINO_BIN, ROOT } from './e2e/target';
import { espruinoGlobals, FakeSocket } from './fake-socket';

const TOKEN = 'unit-token-0123456789abcdef';

/** Storage that records what is written to it (name, bytes, offset, size), and read. */
class RecordingStorage extends HostStorage {
  writes: [string, number, number, number | undefined][] = [];
  reads: [string, number | undefined, number | undefined][] = [];
  read(name: string, offset?: number, length?: number): string | undefined {
    this.reads.push([name, offset, length]);
    return super.read(name, offset, length);
  }
  write(name: string, data: unknown, offset?: number, size?: number): boolean {
    this.writes.push([name, String(data).length, offset || 0, size]);
    return super.write(name, data, offset, size);
  }
}

describe('sysapi: what the socket and Storage are given', function () {
  espruinoGlobals();
  let storage: RecordingStorage;
  let sysapi: typeof import('../src/sysapi');
  let server: HTTPServer;
  let loads: (string | undefined)[];
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;

  before(function () {
    storage = new RecordingStorage();
    storage.write('.bootcde', '(function(){})();');
    storage.write('.systoken', TOKEN);
    loads = [];
    // what Espruino gives the module: its Storage, load(), E.CRC32 and getTime()
    loader._load = (request, ...rest) => (request == 'Storage' ? storage : load(request, ...rest));
    Object.assign(globalThis, {
      getTime: () => Date.now() / 1000,
      load: (file?: string) => { loads.push(file); },
      E: { isUTF8: () => false, CRC32: (s: string) => crc32(Buffer.from(s, 'latin1')) }
    });
    sysapi = require('../src/sysapi');
    server = new HTTPServer(0);
    server.register('GET', '^/page$', () => response(200, 'page'));
    sysapi.mount(server, '/kyanit');
  });
  after(function () {
    loader._load = load;
    for (const name of ['getTime', 'load']) delete (globalThis as any)[name];
  });

  /** A request on a new stand-in socket; the socket drains only when the test says. */
  function open(head: string): FakeSocket {
    const socket = new FakeSocket();
    void server.processor(socket as any);
    socket.emit('data', head);
    return socket;
  }
  const auth = `Authorization: Bearer ${TOKEN}\r\n`;
  const tick = () => new Promise((r) => setTimeout(r, 5));

  /** Drains the socket until it ends; returns what was written after the first write. */
  async function drainAll(socket: FakeSocket): Promise<string[]> {
    for (let i = 0; i < 200 && !socket.ended; i++) {
      socket.emit('drain');
      await tick();
    }
    assert.ok(socket.ended, 'never ended');
    return socket.writes;
  }

  it('sends a file a piece per drain, each read from Storage, never the file whole', async function () {
    const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 255)).toString('latin1');
    storage.write('data.bin', data);
    storage.reads = [];
    const socket = open(`GET /kyanit/files/data.bin HTTP/1.1\r\nHost: b\r\n${auth}\r\n`);
    await tick();
    assert.equal(socket.writes.length, 1, 'only the head before the first drain');
    assert.match(socket.writes[0], /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 3000\r\n/);
    const writes = await drainAll(socket);
    const pieces = writes.slice(1);
    assert.deepEqual(pieces.map((p) => p.length), [512, 512, 512, 512, 512, 440]);
    assert.equal(pieces.join(''), data);
    // read afresh for each piece (a file replaced meanwhile ends the answer short, never garbled)
    assert.deepEqual(storage.reads.filter((r) => r[1] !== undefined),
      [0, 512, 1024, 1536, 2048, 2560].map((at) => ['data.bin', at, 512]));
  });

  it('writes an upload to Storage a piece at a time as it arrives, under its name only once complete', async function () {
    storage.write('up.txt', 'old');
    storage.writes = [];
    const body = 'x'.repeat(1000) + 'y'.repeat(1000);
    const socket = open(`PUT /kyanit/files/up.txt HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 2000\r\n\r\n` + body.substring(0, 300));
    socket.emit('data', body.substring(300, 1100));
    assert.deepEqual(storage.writes, [['.sysup', 300, 0, 2000], ['.sysup', 800, 300, 2000]],
      'each piece written at its place in a file of the full size');
    assert.equal(storage.read('up.txt'), 'old', 'visible before it is complete');
    assert.equal(socket.writes.length, 0, 'answered before the body came');
    socket.emit('data', body.substring(1100));
    assert.equal(storage.read('up.txt'), body);
    assert.equal(storage.read('.sysup'), undefined, 'the upload file stays');
    assert.ok(storage.writes.filter((w) => w[0] == 'up.txt').every((w) => w[1] <= 512), 'copied whole');
    assert.match(socket.writes.join(''), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\{"name":"up.txt","size":2000,"crc":\d+\}$/);
    await drainAll(socket);
  });

  it('a client that leaves midway leaves the old file, and the next upload is taken', async function () {
    storage.write('left.txt', 'old');
    const socket = open(`PUT /kyanit/files/left.txt HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 100\r\n\r\n` + 'z'.repeat(40));
    socket.emit('close');
    assert.equal(storage.read('left.txt'), 'old');
    assert.equal(storage.read('.sysup'), undefined);
    const next = open(`PUT /kyanit/files/left.txt HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 3\r\n\r\nnew`);
    assert.match(next.writes.join(''), /^HTTP\/1\.1 200 OK/);
    assert.equal(storage.read('left.txt'), 'new');
  });

  it('an upload that stops coming is answered 408 after limits.timeout, the old file kept', async function () {
    storage.write('slow.txt', 'old');
    server.limits.timeout = 0.05;
    try {
      const socket = open(`PUT /kyanit/files/slow.txt HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 100\r\n\r\nabc`);
      await new Promise((r) => setTimeout(r, 120));
      assert.match(socket.writes.join(''), /^HTTP\/1\.1 408 Request Timeout/);
      assert.equal(storage.read('slow.txt'), 'old');
      assert.equal(storage.read('.sysup'), undefined);
    } finally {
      server.limits.timeout = 10;
    }
  });

  it('one upload at a time: a second while one is under way is 409', async function () {
    const first = open(`PUT /kyanit/files/a.txt HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 10\r\n\r\n12345`);
    const second = open(`PUT /kyanit/files/b.txt HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 2\r\n\r\nab`);
    await tick();
    assert.match(second.writes.join(''), /^HTTP\/1\.1 409 Conflict/);
    first.emit('data', '67890');
    assert.equal(storage.read('a.txt'), '1234567890');
  });

  it('a name over 28 characters is 400 (Storage would cut it and write another file)', async function () {
    const socket = open(`PUT /kyanit/files/${'n'.repeat(29)} HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 1\r\n\r\nx`);
    await tick();
    assert.match(socket.writes.join(''), /^HTTP\/1\.1 400 Bad Request/);
    assert.equal(storage.read('n'.repeat(28)), undefined);
  });

  it('mounted under a prefix: the app keeps its routes, and stop is refused (409: it would stop the API)', async function () {
    const page = open('GET /page HTTP/1.1\r\nHost: b\r\n\r\n');
    assert.match(page.writes.join(''), /\r\n\r\npage$/);
    const state = open(`GET /kyanit/sys/state HTTP/1.1\r\nHost: b\r\n${auth}\r\n`);
    await tick();
    assert.match(state.writes.join(''), /\r\n\r\n\{"state":/);
    const stop = open(`POST /kyanit/sys/stop HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 0\r\n\r\n`);
    await tick();
    assert.match(stop.writes.join(''), /^HTTP\/1\.1 409 Conflict[\s\S]*its own port/);
    const outside = open(`GET /sys/state HTTP/1.1\r\nHost: b\r\n${auth}\r\n`);
    assert.match(outside.writes.join(''), /^HTTP\/1\.1 404/);
    assert.throws(() => sysapi.mount(server, 'kyanit'), /prefix/);
    assert.throws(() => sysapi.mount(server, '/a(b)'), /prefix/);
  });

  it('reboot answers first, and restarts once the answer has gone out', async function () {
    loads.length = 0;
    const socket = open(`POST /kyanit/sys/reboot HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 0\r\n\r\n`);
    assert.match(socket.writes.join(''), /^HTTP\/1\.1 200 OK[\s\S]*"rebooting":true/);
    assert.deepEqual(loads, [], 'restarted before the answer went out');
    await drainAll(socket);
    socket.emit('close');
    assert.deepEqual(loads, [undefined]);
  });

  it('an application upload goes to a staging file and runs on trial once answered; .bootcde is untouched', async function () {
    loads.length = 0;
    const code = '(function(){ /* v2 */ })();';
    const socket = open(`PUT /kyanit/sys/app HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: ${code.length}\r\n\r\n${code}`);
    assert.match(socket.writes.join(''), /"trial":true/);
    assert.equal(storage.read('.app1'), code);
    assert.equal(storage.read('.bootcde'), '(function(){})();');
    await drainAll(socket);
    socket.emit('close');
    assert.deepEqual(loads, ['.sysrun']);
    assert.match(storage.read('.sysrun')!, /SYSAPI_TRIAL="\.app1"[\s\S]*load\(\)\},10000\);eval\(require\("Storage"\)\.read\(SYSAPI_TRIAL\)\)$/);
  });

  it('the netvar: published by the application (512 bytes of JSON at most), received from a client', async function () {
    sysapi.publishNetvar({ temp: 21.5 });
    const get = open(`GET /kyanit/netvar HTTP/1.1\r\nHost: b\r\n${auth}\r\n`);
    await tick();
    assert.match(get.writes.join(''), /\r\n\r\n\{"temp":21\.5\}$/);
    assert.throws(() => sysapi.publishNetvar({ text: 'x'.repeat(600) }), /512 bytes/);
    const post = open(`POST /kyanit/netvar HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 12\r\n\r\n{"led":true}`);
    await tick();
    assert.match(post.writes.join(''), /^HTTP\/1\.1 200 OK/);
    assert.deepEqual(sysapi.receivedNetvar(), { led: true });
  });

  let laterBy = 0;
  it('without the token: 401 at once; with a wrong one: 401 later, later again the next time; nothing done', async function () {
    storage.write('guarded.txt', 'kept');
    const none = open('DELETE /kyanit/files/guarded.txt HTTP/1.1\r\nHost: b\r\n\r\n');
    assert.match(none.writes.join(''), /^HTTP\/1\.1 401 Unauthorized\r\n[\s\S]*WWW-Authenticate: Bearer/);
    const times: number[] = [];
    // a minute later than any failure before (the module is loaded once per process, and a
    // mutation run repeats this test): the delays start again from the shortest
    const clock = (globalThis as any).getTime, later = (laterBy += 61);
    (globalThis as any).getTime = () => clock() + later;
    // one character off at the start, one at the end, one fewer
    for (const token of ['X' + TOKEN.substring(1), TOKEN.replace(/.$/, 'X'), TOKEN.substring(1)]) {
      const started = Date.now();
      const wrong = open(`DELETE /kyanit/files/guarded.txt HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer ${token}\r\n\r\n`);
      assert.equal(wrong.writes.length, 0, 'answered at once');
      while (!wrong.writes.length) await tick();
      times.push(Date.now() - started);
      assert.match(wrong.writes.join(''), /^HTTP\/1\.1 401 Unauthorized[\s\S]*"wrong token"/);
    }
    (globalThis as any).getTime = clock;
    assert.ok(times[0] >= 150 && times[1] > times[0] && times[2] > times[1], times.join(', '));
    assert.equal(storage.read('guarded.txt'), 'kept');
  });

  it("the system's files: 403 to read, write or erase, and not listed", async function () {
    for (const head of ['GET /kyanit/files/.systoken', 'DELETE /kyanit/files/.bootcde', 'GET /kyanit/files/.wificfg']) {
      const socket = open(`${head} HTTP/1.1\r\nHost: b\r\n${auth}\r\n`);
      await tick();
      assert.match(socket.writes.join(''), /^HTTP\/1\.1 403 Forbidden/, head);
    }
    const put = open(`PUT /kyanit/files/.bootcde HTTP/1.1\r\nHost: b\r\n${auth}Content-Length: 2\r\n\r\n1;`);
    await tick();
    assert.match(put.writes.join(''), /^HTTP\/1\.1 403 Forbidden/);
    assert.equal(storage.read('.bootcde'), '(function(){})();');
    assert.equal(storage.read('.systoken'), TOKEN);
    const list = open(`GET /kyanit/files HTTP/1.1\r\nHost: b\r\n${auth}\r\n`);
    await tick();
    const names = JSON.parse(list.writes.join('').split('\r\n\r\n')[1]).map((f: { name: string }) => f.name);
    assert.ok(names.length && !names.some((n: string) => n.startsWith('.')), names.join(' '));
  });

  it("the library's version is package.json's", function () {
    assert.equal(Library.VERSION, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});

describe('runner.restart()', function () {
  afterEach(() => runner.stop());

  it('stops a running application (cleanup() once) and runs its main() again', function () {
    let mains = 0;
    const cleaned: unknown[] = [];
    runner.start({ main() { mains++; }, cleanup(e?: unknown) { cleaned.push(e); } });
    assert.equal(runner.restart(), true);
    assert.equal(mains, 2);
    assert.deepEqual(cleaned, [undefined]);
    assert.equal(runner.getState(), 'running');
  });

  it('after an error: main() again, cleanup() not called a second time, the error cleared', function () {
    let fail = true;
    const cleaned: unknown[] = [];
    runner.start({ main() { if (fail) throw new Error('first'); }, cleanup(e?: unknown) { cleaned.push(e); } });
    assert.equal(runner.getState(), 'error');
    fail = false;
    runner.restart();
    assert.equal(cleaned.length, 1);
    assert.equal(runner.getState(), 'running');
    assert.equal(runner.getError(), null);
  });

  it('from stopped: main() runs again', function () {
    let mains = 0;
    runner.start({ main() { mains++; }, cleanup() {} });
    runner.stop();
    runner.restart();
    assert.equal(mains, 2);
    assert.equal(runner.getState(), 'running');
  });
});

describe('host/storage.ts: what Espruino\'s Storage does', function () {
  // one sequence of operations, each result printed as JSON, on the stand-in and (with
  // ESPRUINO_BIN) on the real interpreter's Storage
  const steps = [
    "s.write('a'.repeat(29),'cut')", "s.list()", "s.read('nope')", "s.write('z','')",
    "s.write('w','abc',0,6)", "s.write('w','abd',0,6)", "s.read('w')", "s.write('w','def',3)",
    "s.write('w','x',3)", "s.write('w','xyzw',4)", "s.read('w',2,10)", "s.read('w',10,2)",
    "s.write('j',{x:1})", "s.read('j')", "s.erase('j')", "s.list()", "s.getFree()",
    "s.getStats().trashBytes", "s.compact()", "s.getStats().trashBytes", "s.getFree()",
    "s.write('b','\\xff\\x00\\x80')", "s.read('b')"
  ];
  // a string as its bytes in hex: the two JSONs escape bytes over 0x7f differently
  const show = `function show(v){if(v===undefined)return 'undefined';if(typeof v=='string'){var h='';` +
    `for(var i=0;i<v.length;i++)h+=(v.charCodeAt(i)<16?'0':'')+v.charCodeAt(i).toString(16);return 'S'+h}return JSON.stringify(v)}`;
  const run = (s: any) => steps.map((step) => {
    try {
      return new Function('s', `${show};return show(${step})`)(s);
    } catch (e) {
      return 'ERR ' + (e as Error).message;
    }
  });

  it('matches the real interpreter, operation by operation', function () {
    if (!ESPRUINO_BIN) return this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'storage-'));
    writeFileSync(join(dir, 'steps.js'), `var s=require('Storage');s.eraseAll();${show}\n` + steps.map((step) =>
      `try{print('R '+show(${step}))}catch(e){print('R ERR '+e.message)}`).join('\n'));
    const out = execFileSync(ESPRUINO_BIN, ['steps.js'], { cwd: dir, timeout: 10000, killSignal: 'SIGKILL', encoding: 'latin1' });
    const real = out.split(/\r?\n/).filter((l) => l.startsWith('R ')).map((l) => l.substring(2));
    assert.deepEqual(run(new HostStorage()), real);
  });

  it('refuses what Espruino refuses, and keeps every byte value', function () {
    const results = run(new HostStorage());
    assert.equal(results[3], "ERR Can't create zero length file");
    assert.equal(results[8], 'ERR File already written with different data');
    assert.equal(results[9], 'ERR Too much data for file size');
    assert.equal(results[22], 'Sff0080');
  });
});
