/**
 * Static files (src/static.ts) against a stand-in socket and the host's Storage stand-in
 * holding a www/ folder built by scripts/assets.mjs: what is read from flash, and when (a
 * piece per drain, never ahead), what each request is answered. The end-to-end suite checks
 * the same files arrive over real sockets, on the host and on the interpreter.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildAssets } from '../scripts/assets.mjs';
import { storageModule, StorageModule } from '../host/storage';
import { Connection, HTTPServer } from '../src/httpsrv';
import { serveStatic } from '../src/static';
import { loadInEspruinoRealm } from './espruino-realm';
import { espruinoGlobals, FakeSocket } from './fake-socket';

/** 3,000 bytes: six pieces of 512 and one of 440 */
const BIG = Array.from({ length: 300 }, (_, i) => `line ${String(i).padStart(4, '0')}\n`).join('');
/** every byte value, and a run of 0xFF (Storage.open() would end the file there) */
const BYTES = Buffer.from([...Array(256).keys(), ...Array(100).fill(255), ...Array(256).keys()]);
const WWW: { [path: string]: string | Buffer } = {
  '/bytes.bin': BYTES,
  '/index.html': '<!DOCTYPE html>\n<html>  <body>  <p>home</p>  </body></html>\n',
  '/big.txt': BIG,
  '/a.js': 'var where = "top";\n',
  '/x/a.js': 'var where = "x";\n',
  '/tiny.txt': 'hi',
  '/gz.txt': 'compressible '.repeat(20)
};

describe('conn.write() with a function: pieces made as the socket drains', function () {
  espruinoGlobals();

  /** A connection whose callback writes `parts`; the socket as it stands. */
  function written(parts: (conn: Connection) => void): FakeSocket {
    const server = new HTTPServer(0);
    server.register('GET', '^/', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => parts(conn));
    const socket = new FakeSocket();
    void server.processor(socket as any);
    socket.emit('data', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    return socket;
  }

  it('asks the function for a piece per drain until it makes none, then sends what follows it, then ends', function () {
    const made: number[] = [];
    const socket = written((conn) => {
      conn.write('head|');
      let n = 0;
      conn.write(() => { made.push(n); return n < 3 ? 'piece' + n++ + '|' : ''; });
      conn.write('tail');
    });
    assert.deepEqual(socket.writes, ['head|']);
    assert.deepEqual(made, [], 'nothing made before the socket has sent the head');
    for (let i = 0; i < 4; i++) socket.emit('drain');
    assert.deepEqual(socket.writes, ['head|', 'piece0|', 'piece1|', 'piece2|', 'tail']);
    assert.deepEqual(made, [0, 1, 2, 3]);
    assert.ok(socket.ended);
  });

  it('an empty string holds nothing up', function () {
    const socket = written((conn) => { conn.write('a'); conn.write(''); conn.write('b'); });
    socket.emit('drain');
    socket.emit('drain');
    assert.deepEqual(socket.writes, ['a', 'b']);
    assert.ok(socket.ended);
  });

  it('a function that ends with nothing after it tells a writer waiting for the drain', function () {
    let drained = 0;
    const server = new HTTPServer(0);
    let conn: Connection | undefined;
    server.register('GET', '^/', (m: string, l: string, p: unknown, h: unknown, c: Connection) => {
      conn = c;
      c.detach();
      c.drained_ = () => { drained++; };
      let left = 1;
      c.write(() => (left-- ? 'once' : ''));
    });
    const socket = new FakeSocket();
    void server.processor(socket as any);
    socket.emit('data', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.deepEqual(socket.writes, ['once']);
    assert.equal(drained, 0);
    socket.emit('drain');
    assert.equal(drained, 1, 'the socket went idle with nothing waiting: drained_ is told');
    assert.equal(conn!.out_, null);
  });
});

describe('static: files from Storage', function () {
  espruinoGlobals();
  let storage: StorageModule;
  /** Storage.read() calls, [name, offset, length] */
  let reads: [string, number | undefined, number | undefined][];
  let manifest: { [path: string]: any };
  let load: any;

  before(async function () {
    const www = mkdtempSync(join(tmpdir(), 'static-www-'));
    for (const [path, content] of Object.entries(WWW)) {
      mkdirSync(dirname(join(www, path)), { recursive: true });
      writeFileSync(join(www, path), content);
    }
    const out = join(mkdtempSync(join(tmpdir(), 'static-built-')), 'www');
    manifest = (await buildAssets(www, out, { gzipOnly: (path: string) => path == '/gz.txt' })).manifest;
    const backing = storageModule(out);
    // the stand-in's other methods as they are, its reads recorded
    storage = Object.assign(Object.create(backing) as StorageModule, {
      read(name: string, offset?: number, length?: number) { reads.push([name, offset, length]); return backing.read(name, offset, length); }
    });
    // src/port/espruino.ts asks require('Storage'), as on Espruino
    load = (Module as any)._load;
    (Module as any)._load = function (request: string, ...rest: unknown[]) {
      return request == 'Storage' ? storage : load.call(this, request, ...rest);
    };
  });
  after(() => { (Module as any)._load = load; });
  beforeEach(() => { reads = []; });

  /** A server with serveStatic(prefix) at `pattern`, sent `head`; the socket as it stands. */
  function request(head: string, prefix?: string, pattern = '^/'): FakeSocket {
    const server = new HTTPServer(0);
    server.register('GET', pattern, serveStatic(prefix));
    const socket = new FakeSocket();
    void server.processor(socket as any);
    socket.emit('data', head);
    return socket;
  }
  const get = (path: string, more = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${more}\r\n`;
  /** Drains until the socket is ended; what went out after the head. */
  function drainAll(socket: FakeSocket): string {
    for (let i = 0; !socket.ended && i < 100; i++) socket.emit('drain');
    assert.ok(socket.ended, 'never ended');
    return socket.writes.slice(1).join('');
  }
  const contentReads = () => reads.filter(([name, , length]) => name != 'www.json' && length != 1);
  const status = (socket: FakeSocket) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(socket.writes.join(''))?.[1]);
  const field = (socket: FakeSocket, name: string) =>
    new RegExp(`\r\n${name}: ([^\r]*)\r\n`, 'i').exec(socket.writes[0])?.[1];

  it('reads a file from flash a piece at a time, each when the socket has sent the last', function () {
    const socket = request(get('/big.txt'));
    assert.equal(socket.writes.length, 1, 'the head alone before the first drain');
    assert.match(socket.writes[0], /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(field(socket, 'Content-Length'), '3000');
    assert.equal(field(socket, 'Content-Type'), 'text/plain; charset=utf-8');
    assert.deepEqual(contentReads(), [], 'nothing of the file read ahead of the socket');
    const sizes: number[] = [];
    for (let i = 1; !socket.ended; i++) {
      socket.emit('drain');
      if (socket.writes.length > i) sizes.push(socket.writes[i].length);
      assert.ok(contentReads().length <= i, `${contentReads().length} pieces read after ${i} drains`);
    }
    assert.deepEqual(sizes, [512, 512, 512, 512, 512, 440]);
    assert.equal(socket.writes.slice(1).join(''), BIG);
    assert.deepEqual(contentReads().map(([name, offset, length]) => `${name}@${offset}+${length}`),
      [0, 512, 1024, 1536, 2048, 2560].map((at) => `w/big.txt@${at}+512`));
  });

  it('a binary file goes out byte for byte, 0xFF included', function () {
    const socket = request(get('/bytes.bin'));
    assert.equal(field(socket, 'Content-Type'), 'application/octet-stream');
    assert.equal(drainAll(socket), BYTES.toString('latin1'));
  });

  it('HEAD: the head alone, nothing of the file read', function () {
    const socket = request('HEAD /big.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(drainAll(socket), '');
    assert.equal(field(socket, 'Content-Length'), '3000');
    assert.deepEqual(contentReads(), []);
  });

  it('a client that leaves mid-file: nothing more is read', function () {
    const socket = request(get('/big.txt'));
    socket.emit('drain');
    socket.emit('drain');
    socket.emit('close');
    socket.emit('drain');
    assert.equal(contentReads().length, 2);
  });

  it('gzip when the client accepts it, with Vary; the plain file otherwise', function () {
    const accepting = ['gzip', 'GZIP', 'deflate, gzip;q=0.5', 'br, x-gzip', '*', 'identity, *;q=1'];
    const refusing = ['', 'identity', 'deflate, br', 'gzip;q=0', 'gzip; q=0.000, *', '*;q=0'];
    for (const value of [...accepting, ...refusing]) {
      const socket = request(get('/big.txt', value ? `Accept-Encoding: ${value}\r\n` : ''));
      const gzip = accepting.includes(value);
      assert.equal(field(socket, 'Content-Encoding'), gzip ? 'gzip' : undefined, `Accept-Encoding: ${value}`);
      assert.equal(field(socket, 'Content-Length'), String(gzip ? manifest['/big.txt'].g : 3000), value);
      assert.equal(field(socket, 'Vary'), 'Accept-Encoding');
      assert.equal(field(socket, 'ETag'), `"${manifest['/big.txt'].e}${gzip ? '-gz' : ''}"`);
    }
  });

  it('a file whose gzip would not be smaller has no gzip and no Vary', function () {
    const socket = request(get('/tiny.txt', 'Accept-Encoding: gzip\r\n'));
    assert.equal(drainAll(socket), 'hi');
    assert.equal(field(socket, 'Content-Encoding'), undefined);
    assert.equal(field(socket, 'Vary'), undefined);
  });

  it('304 when If-None-Match names the ETag (alone, weak, in a list, or *); 200 when stale', function () {
    const tag = `"${manifest['/big.txt'].e}"`;
    for (const [value, expected] of [[tag, 304], [`W/${tag}`, 304], [`"0000", ${tag}`, 304], ['*', 304], [' * ', 304],
      ['"0000000000000000"', 200], [tag.slice(0, -1) + 'x"', 200], [`${tag.slice(0, -1)}-gz"`, 200]] as [string, number][]) {
      const socket = request(get('/big.txt', `If-None-Match: ${value}\r\n`));
      assert.equal(status(socket), expected, `If-None-Match: ${value}`);
      if (expected == 304) {
        assert.equal(drainAll(socket), '', 'a 304 has no body');
        assert.equal(field(socket, 'ETag'), tag);
        assert.equal(field(socket, 'Cache-Control'), 'no-cache');
        assert.equal(field(socket, 'Content-Length'), undefined);
        assert.deepEqual(contentReads(), []);
      }
      reads = [];
    }
  });

  it("the gzip's ETag is its own: the plain file's does not revalidate it", function () {
    const plain = `"${manifest['/big.txt'].e}"`, gzip = `"${manifest['/big.txt'].e}-gz"`;
    assert.equal(status(request(get('/big.txt', `Accept-Encoding: gzip\r\nIf-None-Match: ${plain}\r\n`))), 200);
    assert.equal(status(request(get('/big.txt', `Accept-Encoding: gzip\r\nIf-None-Match: ${gzip}\r\n`))), 304);
  });

  it('/ and a folder are their index.html; a path ending another listed one is not taken for it', function () {
    assert.match(drainAll(request(get('/'))), /^<!DOCTYPE html>\n<html> <body> <p>home<\/p> <\/body><\/html>$/);
    assert.equal(drainAll(request(get('/a.js'))), 'var where="top";');
    assert.equal(drainAll(request(get('/x/a.js'))), 'var where="x";');
    assert.equal(status(request(get('/x/'))), 404);
  });

  it('paths that cannot name a file are 400, without a look at Storage', function () {
    for (const path of ['/../big.txt', '/x/../a.js', '/./big.txt', '/..', '/%2e%2e/big.txt', '/%2E%2e/x',
      '/a\\b', '/x%5ca.js', '/a%00', '/' + 'a'.repeat(27), '/big.txt;x', '/sp%20ace']) {
      const socket = request(get(path));
      assert.equal(status(socket), 400, path);
      assert.match(socket.writes[0], /"error":"HTTPError"/);
      assert.deepEqual(reads, [], `${path}: Storage read`);
    }
    // the longest name that fits: 'w' + 27 characters
    assert.equal(status(request(get('/' + 'a'.repeat(26)))), 404);
  });

  it('a missing file is 404; a file kept only gzipped is 406 to a client refusing gzip', function () {
    assert.equal(status(request(get('/nope.txt'))), 404);
    const refused = request(get('/gz.txt'));
    assert.equal(status(refused), 406);
    assert.equal(drainAll(refused), '/gz.txt is kept gzip-compressed only: send Accept-Encoding: gzip\n');
    assert.equal(field(refused, 'Content-Length'), '65');
    assert.equal(drainAll(request('HEAD /gz.txt HTTP/1.1\r\nHost: x\r\n\r\n')), '', 'HEAD: the head alone');
    const socket = request(get('/gz.txt', 'Accept-Encoding: gzip\r\n'));
    assert.equal(status(socket), 200);
    assert.equal(field(socket, 'Content-Encoding'), 'gzip');
  });

  it('under a prefix: its files, and 404 outside it', function () {
    for (const prefix of ['/static', '/static/']) {
      assert.equal(drainAll(request(get('/static/a.js'), prefix, '^/static')), 'var where="top";');
      assert.equal(status(request(get('/static/'), prefix, '^/static')), 200);
      assert.equal(status(request(get('/static'), prefix, '^/static')), 404);
      assert.equal(status(request(get('/staticx/a.js'), prefix, '^/static')), 404);
    }
    // a pattern wider than the prefix: what lies outside it is not cut to a listed path
    assert.equal(status(request(get('/abcdef/a.js'), '/static', '^/')), 404);
    assert.equal(status(request(get('/static/a.js'), '/static', '^/')), 200);
  });

  it('a manifest written part way (the rest reads 0xFF): its whole entries serve, the cut one is 404', function () {
    const original = storage.read;
    const whole = original('www.json')!, cut = whole.indexOf('"/x/a.js":{') + 20;
    try {
      storage.read = (name, offset, length) =>
        (name == 'www.json' ? whole.slice(0, cut) + '\xff'.repeat(whole.length - cut) : original(name, offset, length));
      assert.equal(drainAll(request(get('/a.js'))), 'var where="top";');
      assert.equal(status(request(get('/x/a.js'))), 404);
    } finally {
      storage.read = original;
    }
  });

  it('a path that begins a listed one is not it: 404', function () {
    for (const path of ['/a', '/big', '/x/a']) assert.equal(status(request(get(path))), 404, path);
  });

  it("its 404s say why: outside the prefix, or listed but not in Storage", function () {
    const detail = (socket: FakeSocket) => {
      const reply = socket.writes.join('');
      return JSON.parse(reply.substring(reply.indexOf('\r\n\r\n') + 4)).detail;
    };
    assert.match(detail(request(get('/staticx/a.js'), '/static', '^/static')), /^not under \/static\/: \/staticx\/a\.js$/);
    const original = storage.read;
    try {
      storage.read = (name, offset, length) => (name == 'w/a.js' ? undefined : original(name, offset, length));
      assert.match(detail(request(get('/a.js'))), /^not in Storage: w\/a\.js$/);
    } finally {
      storage.read = original;
    }
  });

  it('a file listed but not in Storage, or no manifest at all, is 404', function () {
    const original = storage.read;
    try {
      storage.read = (name, offset, length) => (name == 'w/a.js' ? undefined : original(name, offset, length));
      assert.equal(status(request(get('/a.js'))), 404);
      storage.read = (name, offset, length) => (name == 'www.json' ? undefined : original(name, offset, length));
      assert.equal(status(request(get('/a.js'))), 404);
    } finally {
      storage.read = original;
    }
  });

  describe("on Espruino's string methods (the host's Espruino context)", function () {
    type Callback = (m: string, l: string, p: unknown, h: { [name: string]: string }, c: Partial<Connection>) => void;
    let serve: Callback;
    before(function () {
      const realm = loadInEspruinoRealm<{ serveStatic: () => Callback }>(join(__dirname, '..', 'src', 'static.ts'),
        { require: (name: string) => (name == 'Storage' ? storage : undefined) });
      serve = realm.serveStatic();
    });
    function answer(path: string, headers: { [name: string]: string }): string {
      const written: unknown[] = [];
      serve('GET', path, {}, headers, { write: (data) => { written.push(data); } });
      return String(written[0]);
    }

    it('an ETag cut off at the end of If-None-Match is no match (Espruino reports it found)', function () {
      const tag = `"${manifest['/big.txt'].e}"`;
      assert.match(answer('/big.txt', { 'if-none-match': tag }), /^HTTP\/1\.1 304 /);
      assert.match(answer('/big.txt', { 'if-none-match': tag.slice(0, 9) }), /^HTTP\/1\.1 200 /);
      assert.match(answer('/big.txt', { 'if-none-match': `"0", ${tag.slice(0, -1)}` }), /^HTTP\/1\.1 200 /);
    });

    it('serves the same answers there', function () {
      assert.match(answer('/big.txt', { 'accept-encoding': 'gzip' }), /\r\nContent-Encoding: gzip\r\n/);
      assert.match(answer('/a.js', {}), /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/javascript; charset=utf-8\r\nContent-Length: 16\r\n/);
      assert.throws(() => answer('/nope', {}), (e: any) => e.status == 404);
    });
  });
});
