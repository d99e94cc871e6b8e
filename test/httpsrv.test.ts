/**
 * The server against a stand-in socket (Espruino's net socket: `this` in handlers, 'drain'
 * after each write): what it hands the socket, and when. The end-to-end suite checks what a
 * client receives; this checks that a large answer never sits in the socket whole.
 */
import { strict as assert } from 'node:assert';
import { Connection, errorView, HTTPError, HTTPServer, readallFrom, response, sendResponse,
  setErrorView } from '../src/httpsrv';

/** Every stand-in socket made and not yet closed. */
const open = new Set<FakeSocket>();

class FakeSocket {
  writes: string[] = [];
  handlers: { [event: string]: (this: FakeSocket, ...args: any[]) => void } = {};
  ended = false;
  [field: string]: any;
  constructor() { open.add(this); }
  on(event: string, fn: (this: FakeSocket, ...args: any[]) => void) { this.handlers[event] = fn; }
  write(data: string) { this.writes.push(data); }
  end() { this.ended = true; }
  emit(event: string, ...args: any[]) {
    if (event == 'close') open.delete(this);
    this.handlers[event].apply(this, args);
  }
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** JsVars the stand-in process.memory() reports free: `quick` without a collection
 *  (memory(false)), `collected` after one. */
const free = { quick: 10000, collected: 10000 };

/** For each describe: what the port asks of Espruino (process.memory(), E.isUTF8(); Node has
 *  neither), and every connection closed after each test, so none leaves a timer running. The
 *  stand-ins stay after: a timer left all the same (by a mutant, npm run mutate) must not meet
 *  a missing global in a later test. */
function standInPlatform(): void {
  before(function () {
    (process as any).memory = (gc?: boolean) => {
      const n = gc === false ? free.quick : free.collected;
      return { free: n, usage: 10000 - n, total: 10000 };
    };
    (globalThis as any).E = { isUTF8: () => false };
  });
  afterEach(function () {
    for (const socket of open) if ('close' in socket.handlers) socket.emit('close');
    open.clear();
  });
}

/** A new connection to `server`, through processor(). */
function connect(server: HTTPServer): FakeSocket {
  const socket = new FakeSocket();
  void server.processor(socket as any);
  return socket;
}

describe('httpsrv: what the socket is given', function () {
  standInPlatform();

  function serve(body: string): FakeSocket {
    const server = new HTTPServer(0);
    server.register('GET', '^/big$', () => response(200, body));
    const socket = new FakeSocket();
    void server.processor(socket as any);
    socket.emit('data', 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    return socket;
  }

  it('hands a large page over one 512-byte piece per drain, then ends', function () {
    const socket = serve('x'.repeat(1300));
    assert.equal(socket.writes.length, 1, 'only the head before the first drain');
    assert.match(socket.writes[0], /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 1300\r\n[\s\S]*\r\n\r\n$/);
    const sizes: number[] = [];
    while (!socket.ended) {
      const count: number = socket.writes.length;
      socket.emit('drain');
      assert.equal(socket.writes.length, count + 1, 'one piece per drain');
      sizes.push(socket.writes[count].length);
    }
    assert.deepEqual(sizes, [512, 512, 276]);
    assert.equal(socket.writes.slice(1).join(''), 'x'.repeat(1300));
  });

  it('hands a small answer over in one write and ends', function () {
    const socket = serve('hello');
    assert.equal(socket.writes.length, 1);
    assert.match(socket.writes[0], /\r\n\r\nhello$/);
    assert.ok(socket.ended);
  });

  it('queues what a handler writes while a piece is in flight, and ends after it', function () {
    const server = new HTTPServer(0);
    server.register('GET', '^/parts$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      conn.write('a'.repeat(100));
      conn.write('b'.repeat(100));
      conn.write('c'.repeat(100));
    });
    const socket = new FakeSocket();
    void server.processor(socket as any);
    socket.emit('data', 'GET /parts HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.deepEqual(socket.writes, ['a'.repeat(100)], 'the rest waits for the drain');
    assert.ok(!socket.ended, 'the end waits too');
    socket.emit('drain');
    assert.deepEqual(socket.writes.slice(1), ['b'.repeat(100)]);
    socket.emit('drain');
    assert.deepEqual(socket.writes.slice(2), ['c'.repeat(100)]);
    assert.ok(socket.ended);
  });

  it('sends nothing more once a callback has ended the connection itself', function () {
    const server = new HTTPServer(0);
    server.register('GET', '^/early$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      conn.write('HTTP/1.1 204 No Content\r\n\r\n');
      conn.end();
      conn.write('late');
      return response(200, 'also late');
    });
    const socket = new FakeSocket();
    void server.processor(socket as any);
    socket.emit('data', 'GET /early HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.emit('drain');
    assert.deepEqual(socket.writes, ['HTTP/1.1 204 No Content\r\n\r\n']);
    assert.ok(socket.ended);
  });

  it('reads nothing more once the head has timed out: the rest of it never reaches a callback', async function () {
    const server = new HTTPServer(0);
    let calls = 0;
    server.register('GET', '^/late$', () => { calls++; return response(200, 'late'); });
    server.setTimeout(0.05);
    const socket = new FakeSocket();
    void server.processor(socket as any);
    socket.emit('data', 'GET /late HTTP/1.1\r\n');
    await new Promise((r) => setTimeout(r, 100));
    assert.match(socket.writes.join(''), /^HTTP\/1\.1 408 /);
    assert.ok(socket.ended);
    socket.emit('data', 'Host: x\r\n\r\n');
    assert.equal(calls, 0);
    assert.equal(socket.writes.length, 1);
  });
});

describe('httpsrv: readallFrom on a request', function () {
  standInPlatform();
  it('keeps body bytes that arrive before it is called, exactly Content-Length of them', async function () {
    const server = new HTTPServer(0);
    server.register('POST', '^/later$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) =>
      // the callback reads the body only later, as one that first waits for something else
      new Promise((resolve) => setTimeout(() => resolve(readallFrom(conn).then((body: string) =>
        response(200, '[' + body + ']'))), 20)));
    const socket = connect(server);
    socket.emit('data', 'POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhel');
    socket.emit('data', 'lo wo');
    socket.emit('data', 'rldEXTRA');
    await tick(40);
    assert.match(socket.writes.join(''), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\[hello world\]$/);
  });

  it('takes exactly Content-Length bytes of what arrives while it waits', async function () {
    const server = new HTTPServer(0);
    server.register('POST', '^/now$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) =>
      readallFrom(conn).then((body: string) => response(200, '[' + body + ']')));
    const socket = connect(server);
    socket.emit('data', 'POST /now HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n');
    socket.emit('data', 'ab');
    socket.emit('data', 'cdeEXTRA');
    await tick();
    assert.match(socket.writes.join(''), /\r\n\r\n\[abcde\]$/);
  });

  it('rejects with 400 when the client leaves mid-body, and nothing is written after', async function () {
    const server = new HTTPServer(0);
    let failed: any;
    server.register('POST', '^/body$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) =>
      readallFrom(conn).catch((e) => { failed = e; throw e; }));
    const socket = connect(server);
    socket.emit('data', 'POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    socket.emit('close');
    await tick();
    assert.ok(failed instanceof HTTPError, `readallFrom settled with ${failed}`);
    assert.equal(failed.status, 400);
    assert.deepEqual(socket.writes, []);
  });

  it('answers 408 when the body stops coming for its timeout', async function () {
    const server = new HTTPServer(0);
    server.register('POST', '^/slow$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) =>
      readallFrom(conn, null, 0.03).then(() => response(200, 'all')));
    const socket = connect(server);
    socket.emit('data', 'POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    await tick(60);
    assert.match(socket.writes.join(''), /^HTTP\/1\.1 408 /);
    assert.ok(socket.ended);
  });
});

/** A stream as Espruino's are: on('data'|'close'|'end', fn). */
class FakeStream {
  handlers: { [event: string]: ((...args: any[]) => void)[] } = {};
  on(event: string, fn: (...args: any[]) => void) { (this.handlers[event] ||= []).push(fn); }
  emit(event: string, ...args: any[]) { for (const fn of this.handlers[event] || []) fn(...args); }
}

describe('httpsrv: readallFrom on streams and files', function () {
  it('reads a stream until it closes, or ends', async function () {
    for (const last of ['close', 'end']) {
      const stream = new FakeStream();
      const all = readallFrom(stream);
      stream.emit('data', 'ab');
      stream.emit('data', 'cd');
      stream.emit(last);
      stream.emit('data', 'late');
      assert.equal(await all, 'abcd', last);
    }
  });

  it('writes a stream into `into` in chunkSize pieces, and resolves with `into`', async function () {
    const pieces: string[] = [];
    const into = { write: (d: string) => { pieces.push(d); } };
    const stream = new FakeStream();
    const all = readallFrom(stream, into, undefined, 3);
    stream.emit('data', 'abcdefg');
    stream.emit('data', 'hi');
    stream.emit('close');
    assert.equal(await all, into);
    assert.deepEqual(pieces, ['abc', 'def', 'g', 'hi']);
  });

  it('writes in 64-byte pieces by default', async function () {
    const pieces: string[] = [];
    const stream = new FakeStream();
    const all = readallFrom(stream, { write: (d: string) => { pieces.push(d); } });
    stream.emit('data', 'x'.repeat(150));
    stream.emit('close');
    await all;
    assert.deepEqual(pieces.map((p) => p.length), [64, 64, 22]);
  });

  it('given a timeout, resolves with what came once the stream is quiet that long', async function () {
    const stream = new FakeStream();
    let done = false;
    const all = readallFrom(stream, null, 0.04).then((s: string) => { done = true; return s; });
    stream.emit('data', 'a');
    await tick(25);
    stream.emit('data', 'b');
    await tick(25);
    assert.equal(done, false, 'data came 25 ms ago: not yet quiet for 40');
    assert.equal(await all, 'ab');
  });

  it('reads a file with read(chunkSize) until it gives nothing', async function () {
    const text = 'abcdefghij';
    let at = 0;
    const asked: number[] = [];
    const file = { read: (n: number) => { asked.push(n); const piece = text.substring(at, at + n); at += n; return piece; } };
    assert.equal(await readallFrom(file, null, undefined, 4), text);
    assert.deepEqual(asked, [4, 4, 4, 4]);
    const pieces: string[] = [];
    at = 0;
    await readallFrom(file, { write: (d: string) => { pieces.push(d); } }, undefined, 3);
    assert.deepEqual(pieces, ['abc', 'def', 'ghi', 'j']);
  });

  it('rejects what it cannot read', async function () {
    await assert.rejects(readallFrom(42), /cannot read/);
  });
});

describe('httpsrv: connection limits', function () {
  standInPlatform();
  afterEach(() => { free.quick = free.collected = 10000; });

  function get(server: HTTPServer): FakeSocket {
    const socket = connect(server);
    socket.emit('data', 'GET /page HTTP/1.1\r\nHost: x\r\n\r\n');
    return socket;
  }

  function served(): { server: HTTPServer; calls: () => number } {
    const server = new HTTPServer(0);
    let calls = 0;
    server.register('GET', '^/page$', () => { calls++; return response(200, 'page'); });
    return { server, calls: () => calls };
  }

  it('answers 503 with Retry-After, and calls nothing, with fewer than limits.minFree JsVars free', function () {
    const { server, calls } = served();
    server.limits.minFree = 300;
    free.quick = free.collected = 299;
    const socket = connect(server);
    assert.match(socket.writes.join(''), /^HTTP\/1\.1 503 Service Unavailable\r\nRetry-After: 1\r\n/);
    assert.ok(socket.ended);
    assert.equal(socket.handlers.data, undefined, 'nothing of the request is read');
    free.quick = free.collected = 300;
    assert.match(get(server).writes.join(''), /^HTTP\/1\.1 200 /, 'exactly minFree free is enough');
    assert.equal(calls(), 1);
  });

  it('serves when a collection frees enough, though the quick count says no', function () {
    const { server } = served();
    server.limits.minFree = 300;
    free.quick = 100;
    free.collected = 300;
    assert.match(get(server).writes.join(''), /^HTTP\/1\.1 200 /);
  });

  it('answers 503 over limits.connections, and a connection that closes frees its slot', function () {
    const { server } = served();
    server.limits.connections = 2;
    const held = [connect(server), connect(server)];
    assert.match(connect(server).writes.join(''), /^HTTP\/1\.1 503 /);
    held[0].emit('close');
    assert.match(get(server).writes.join(''), /^HTTP\/1\.1 200 /);
  });

  it('clients that reset mid-head or mid-page, more of them than slots, leak no slot', function () {
    const server = new HTTPServer(0);
    server.register('GET', '^/big$', () => response(200, 'x'.repeat(2000)));
    server.limits.connections = 2;
    for (let i = 0; i < 3; i++) {
      const midHead = connect(server);
      midHead.emit('data', 'GET /big HTTP/1.1\r\n');
      midHead.emit('close');
      const midPage = connect(server);
      midPage.emit('data', 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(midPage.writes[0], /^HTTP\/1\.1 200 /, `round ${i}: not served`);
      midPage.emit('close');
    }
    const last = connect(server);
    last.emit('data', 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(last.writes[0], /^HTTP\/1\.1 200 /);
  });
});

describe('httpsrv: answers', function () {
  standInPlatform();
  afterEach(() => setErrorView(errorView));

  function serve(method: string, callback: (...args: any[]) => any): FakeSocket {
    const server = new HTTPServer(0);
    server.register('GET', '^/x$', callback);
    const socket = connect(server);
    socket.emit('data', `${method} /x HTTP/1.1\r\nHost: x\r\n\r\n`);
    return socket;
  }

  it('sendResponse(conn, status, body) sends the body on GET, and on HEAD only the head', function () {
    const send = (m: string, l: string, p: unknown, h: unknown, conn: Connection) => { sendResponse(conn, 200, 'hello'); };
    assert.match(serve('GET', send).writes.join(''), /Content-Length: 5\r\n[\s\S]*\r\n\r\nhello$/);
    const head = serve('HEAD', send);
    assert.match(head.writes.join(''), /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 5\r\n[\s\S]*\r\n\r\n$/);
    assert.ok(head.ended);
  });

  it('a custom error view that throws is called once; the default view answers with its error', function () {
    let calls = 0;
    setErrorView(() => { calls++; throw new Error('view broke'); });
    const socket = serve('GET', () => { throw new Error('callback broke'); });
    assert.equal(calls, 1);
    const reply = socket.writes.join('');
    assert.match(reply, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    assert.deepEqual(JSON.parse(reply.substring(reply.indexOf('\r\n\r\n') + 4)), { error: 'Error', detail: 'view broke' });
    assert.ok(socket.ended);
  });

  it('a custom error view answers what the callback threw', function () {
    setErrorView((exc: any) => response(500, 'custom: ' + exc.message));
    const reply = serve('GET', () => { throw new Error('boom'); }).writes.join('');
    assert.match(reply, /^HTTP\/1\.1 500 [\s\S]*\r\n\r\ncustom: boom$/);
  });
});
