/**
 * The server against a stand-in socket (Espruino's net socket: `this` in handlers, 'drain'
 * after each write): what it hands the socket, and when. The end-to-end suite checks what a
 * client receives; this checks that a large answer never sits in the socket whole.
 */
import { strict as assert } from 'node:assert';
import { Connection, errorView, HTTPError, HTTPServer, readallFrom, response, sendResponse,
  setErrorView } from '../src/httpsrv';
import { espruinoGlobals, FakeSocket, free } from './fake-socket';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** A new connection to `server`, through processor(). */
function connect(server: HTTPServer): FakeSocket {
  const socket = new FakeSocket();
  void server.processor(socket as any);
  return socket;
}

describe('httpsrv: what the socket is given', function () {
  espruinoGlobals();

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

  it('gives params and headers to every callback that can read them; the fields object made only for those', function () {
    const server = new HTTPServer(0), seen: unknown[][] = [];
    server.register('GET', '^/none$', function () { seen.push([...arguments]); return response(200, 'n'); });
    server.register('GET', '^/all$', function (m: string, l: string, p: unknown, h: unknown) {
      seen.push([p, h]);
      return response(200, 'a');
    });
    // bound arguments come first: the callback's own length still covers what it reads
    server.register('GET', '^/bound$', function (extra: string, m: string, l: string, p: unknown, h: unknown) {
      seen.push([extra, h]);
      return response(200, 'b');
    }.bind(null, 'x'));
    server.register('GET', '^/page$', function (m: string) { seen.push([m]); return response(200, 'p'); });
    const conns: Connection[] = [];
    for (const path of ['/none?a=1', '/all?a=1', '/bound', '/page']) {
      const socket = connect(server);
      socket.emit('data', `GET ${path} HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n`);
      assert.match(socket.writes[0], /^HTTP\/1\.1 200 OK/);
      conns.push(socket.hc);
    }
    assert.deepEqual(seen[0].slice(0, 4), ['GET', '/none', { a: '1' }, { host: 'x', 'x-a': '1' }]);
    assert.equal(seen[0][4], conns[0]);
    assert.deepEqual(seen[1], [{ a: '1' }, { host: 'x', 'x-a': '1' }]);
    assert.equal(conns[1].fields_, seen[1][1]);
    assert.deepEqual(seen[2], ['x', { host: 'x', 'x-a': '1' }]);
    // a callback declaring only the method: its head was checked, its fields never split
    assert.deepEqual(seen[3], ['GET']);
    assert.equal(conns[3].fields_, undefined);
  });

  it('hands a small answer over in one write and ends', function () {
    const socket = serve('hello');
    assert.equal(socket.writes.length, 1);
    assert.match(socket.writes[0], /\r\n\r\nhello$/);
    assert.ok(socket.ended);
  });

  it('an answer whose head and body together pass 512 bytes goes in pieces, though its body alone does not', function () {
    const socket = serve('z'.repeat(500));
    assert.ok(socket.writes[0].length <= 512, `first write ${socket.writes[0].length} bytes`);
    while (!socket.ended) socket.emit('drain');
    assert.ok(socket.writes.every((w) => w.length <= 512));
    assert.match(socket.writes.join(''), /\r\n\r\nz{500}$/);
  });

  it('a response returned after the callback wrote to conn goes out after what it wrote, in order', function () {
    const server = new HTTPServer(0);
    server.register('GET', '^/both$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      conn.write('a'.repeat(600));
      return response(200, 'tail');
    });
    const socket = connect(server);
    socket.emit('data', 'GET /both HTTP/1.1\r\nHost: x\r\n\r\n');
    while (!socket.ended) socket.emit('drain');
    const all = socket.writes.join('');
    assert.equal(all.substring(0, 600), 'a'.repeat(600), 'what the callback wrote comes first, whole');
    assert.match(all.substring(600), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\ntail$/);
    assert.ok(socket.writes.every((w) => w.length <= 512));
  });

  it('on HEAD, a response settled after sendResponse() sent the head adds nothing: one head goes out', async function () {
    const server = new HTTPServer(0);
    server.register('GET', '^/twice$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      sendResponse(conn, 200, 'body');
      return new Promise((resolve) => setTimeout(() => resolve(response(200, 'again')), 5));
    });
    const socket = connect(server);
    socket.emit('data', 'HEAD /twice HTTP/1.1\r\nHost: x\r\n\r\n');
    // the head has gone and the socket is idle when the response comes
    socket.emit('drain');
    await tick(20);
    while (!socket.ended) socket.emit('drain');
    const all = socket.writes.join('');
    assert.equal(all.split('HTTP/1.1 ').length - 1, 1, all);
    assert.doesNotMatch(all, /body|again/);
  });

  it('conn.end(data) writes its last bytes and ends, after what was written before it', function () {
    const server = new HTTPServer(0);
    server.register('GET', '^/last$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      conn.end('HTTP/1.1 204 No Content\r\n\r\n');
    });
    server.register('GET', '^/after$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      conn.write('a'.repeat(600));
      conn.end('z');
    });
    const last = connect(server);
    last.emit('data', 'GET /last HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.deepEqual(last.writes, ['HTTP/1.1 204 No Content\r\n\r\n']);
    assert.ok(last.ended);
    const after = connect(server);
    after.emit('data', 'GET /after HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(!after.ended, 'the end waits for what is queued');
    while (!after.ended) after.emit('drain');
    assert.equal(after.writes.join(''), 'a'.repeat(600) + 'z');
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

  describe('detach(): a callback takes its connection over', function () {
    function detached(limits: { connections: number; queue: number }) {
      const server = new HTTPServer(0);
      Object.assign(server.limits, limits, { handler: 0.05 });
      const got: (string | null)[] = [];
      let conn: Connection | undefined;
      server.register('GET', '^/live$', (m: string, l: string, p: unknown, h: unknown, c: Connection) => {
        conn = c;
        c.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n');
        c.detach((data) => got.push(data), () => got.push(null));
        return new Promise(() => {});
      });
      server.register('GET', '^/page$', () => response(200, 'page'));
      const socket = new FakeSocket();
      void server.processor(socket as any);
      socket.emit('data', 'GET /live HTTP/1.1\r\nHost: x\r\n\r\n');
      return { server, socket, got, conn: () => conn! };
    }

    it('is neither answered, timed out nor closed by the server, and gives its later bytes to the owner', async function () {
      const { socket, got, conn } = detached({ connections: 1, queue: 0 });
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(socket.writes.length, 1, 'nothing but what the owner wrote: ' + socket.writes.join('|'));
      assert.ok(!socket.ended, 'the server did not close it');
      socket.emit('data', 'ping');
      conn().write('data: 1\n\n');
      socket.emit('drain');
      assert.deepEqual(socket.writes.slice(1), ['data: 1\n\n'], 'writes still go out, paced');
      socket.emit('close');
      assert.deepEqual(got, ['ping', null]);
    });

    it('frees its slot: with one slot and no queue, the next request is served', function () {
      const { server } = detached({ connections: 1, queue: 0 });
      const next = new FakeSocket();
      void server.processor(next as any);
      next.emit('data', 'GET /page HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(next.writes.join(''), /^HTTP\/1\.1 200 OK[\s\S]*page$/);
    });
  });
  it('a drain that runs after the client reset writes nothing and throws nothing; its close ends the connection', async function () {
    // Espruino queues 'drain' once a piece has gone, then finds the client gone: that drain
    // runs before 'close', and until then the socket's write() throws "This socket is closed"
    const server = new HTTPServer(0);
    server.register('GET', '^/big$', () => response(200, 'x'.repeat(1300)));
    const socket = new FakeSocket();
    const done = server.processor(socket as any);
    socket.emit('data', 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(socket.writes.length, 1, 'the head, then the page waits for a drain');
    socket.write = () => { throw new Error('This socket is closed'); };
    assert.doesNotThrow(() => socket.emit('drain'));
    socket.emit('close', true);
    await done;
    assert.ok(!socket.ended, 'end() on a socket that is gone');
  });
});

describe('httpsrv: readallFrom on a request', function () {
  espruinoGlobals();
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
  espruinoGlobals();

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

  it('answers 503 beyond limits.connections + limits.queue, and a connection that closes frees its place', function () {
    const { server } = served();
    server.limits.connections = 2;
    server.limits.queue = 1;
    const held = [connect(server), connect(server), connect(server)];
    assert.match(connect(server).writes.join(''), /^HTTP\/1\.1 503 /);
    held[0].emit('close');
    assert.match(get(server).writes.join(''), /^HTTP\/1\.1 200 /);
  });

  it('a client gone before its connection was seen (Espruino: cls set, no close to come) takes no place', async function () {
    const { server } = served();
    server.limits.connections = 2;
    server.limits.queue = 1;
    const gone: FakeSocket[] = [];
    for (let i = 0; i < 5; i++) {
      const socket = new FakeSocket();
      socket.cls = true;
      // processor()'s Promise: settled at once, as for a connection that has closed
      await server.processor(socket as any);
      gone.push(socket);
    }
    assert.ok(gone.every((s) => !s.writes.length && !Object.keys(s.handlers).length), 'a gone client was answered or watched');
    const held = [connect(server), connect(server), connect(server)];
    assert.ok(held.every((s) => !s.writes.length), 'a place was taken by a client gone');
    assert.match(connect(server).writes.join(''), /^HTTP\/1\.1 503 /);
  });

  it('clients that reset mid-head or mid-page, more of them than places, leak none', function () {
    const server = new HTTPServer(0);
    server.register('GET', '^/big$', () => response(200, 'x'.repeat(2000)));
    server.limits.connections = 2;
    server.limits.queue = 1;
    for (let i = 0; i < 3; i++) {
      const midHead = connect(server);
      midHead.emit('data', 'GET /big HTTP/1.1\r\n');
      midHead.emit('close');
      const midPage = connect(server);
      midPage.emit('data', 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(midPage.writes.join(''), /^HTTP\/1\.1 200 /, `round ${i}: not served`);
      midPage.emit('close');
    }
    const last = connect(server);
    last.emit('data', 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(last.writes.join(''), /^HTTP\/1\.1 200 /);
  });
});

describe('httpsrv: answers', function () {
  espruinoGlobals();
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

/** The JSON body of a reply written to a stand-in socket. */
function jsonOf(reply: string): any {
  return JSON.parse(reply.substring(reply.indexOf('\r\n\r\n') + 4));
}

/** Timers pending in this process (Node's count). */
const timers = () => process.getActiveResourcesInfo().filter((r) => r == 'Timeout').length;

describe('httpsrv: a connection, start to end', function () {
  espruinoGlobals();
  afterEach(() => setErrorView(errorView));

  function server(): HTTPServer {
    const s = new HTTPServer(0);
    s.register('GET', '^/page$', () => response(200, 'page'));
    s.register('GET', '^/empty$', () => response(200));
    s.register('GET', '^/nothing$', () => undefined);
    s.register('POST', '^/body$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) =>
      readallFrom(conn).then((body: string) => response(200, '[' + body + ']')));
    return s;
  }

  it('a page of exactly two pieces goes out as two, with no empty write after', function () {
    const s = new HTTPServer(0);
    s.register('GET', '^/two$', () => response(200, 'y'.repeat(1024)));
    const socket = connect(s);
    socket.emit('data', 'GET /two HTTP/1.1\r\nHost: x\r\n\r\n');
    while (!socket.ended) socket.emit('drain');
    assert.deepEqual(socket.writes.slice(1).map((w) => w.length), [512, 512]);
  });

  it('an empty page says Content-Length: 0; a callback that answers nothing is 500, saying so', function () {
    const s = server();
    const empty = connect(s);
    empty.emit('data', 'GET /empty HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(empty.writes.join(''), /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 0\r\n[\s\S]*\r\n\r\n$/);
    const nothing = connect(s);
    nothing.emit('data', 'GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(nothing.writes.join(''), /^HTTP\/1\.1 500 /);
    assert.match(jsonOf(nothing.writes.join('')).detail, /no response/);
  });

  it('ends each socket once, and never one the client has closed', function () {
    const s = new HTTPServer(0);
    s.register('GET', '^/twice$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      conn.write('HTTP/1.1 204 No Content\r\n\r\n');
      conn.end();
      conn.end();
    });
    const twice = connect(s);
    twice.emit('data', 'GET /twice HTTP/1.1\r\nHost: x\r\n\r\n');
    twice.emit('drain');
    assert.equal(twice.ends, 1);
    let held!: Connection;
    s.register('GET', '^/held$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      held = conn;
      return new Promise(() => {});
    });
    const left = connect(s);
    left.emit('data', 'GET /held HTTP/1.1\r\nHost: x\r\n\r\n');
    left.emit('close');
    held.end();
    held.write('late');
    const midHead = connect(s);
    midHead.emit('data', 'GET /held HTTP/1.1\r\n');
    midHead.emit('close');
    assert.deepEqual([left.ends, midHead.ends, left.writes.length], [0, 0, 0]);
  });

  it('asks the error view nothing about a connection that is over (the client left, or the callback ended it)', async function () {
    let views = 0;
    setErrorView((exc: any) => { views++; return errorView(exc); });
    const s = new HTTPServer(0);
    let fail!: (e: Error) => void;
    s.register('GET', '^/left$', () => new Promise((_, reject) => { fail = reject; }));
    s.register('GET', '^/ended$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      conn.end();
      throw new Error('after its own end');
    });
    const left = connect(s);
    left.emit('data', 'GET /left HTTP/1.1\r\nHost: x\r\n\r\n');
    left.emit('close');
    fail(new Error('too late'));
    const ended = connect(s);
    ended.emit('data', 'GET /ended HTTP/1.1\r\nHost: x\r\n\r\n');
    await tick();
    assert.equal(views, 0);
    assert.deepEqual(ended.writes, []);
  });

  it('leaves no timer behind once a connection is over', async function () {
    const s = server();
    s.register('GET', '^/ends-then-waits$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      conn.end();
      return new Promise(() => {});
    });
    await tick();
    const before = timers();
    const page = connect(s);
    page.emit('data', 'GET /page HTTP/1.1\r\nHost: x\r\n\r\n');
    const midHead = connect(s);
    midHead.emit('data', 'GET /page HTTP/1.1\r\n');
    midHead.emit('close');
    const waits = connect(s);
    waits.emit('data', 'GET /ends-then-waits HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(timers(), before);
  });

  it('answers 100 Continue only to an HTTP/1.1 client that expects it for a body', function () {
    const send = (head: string) => {
      const socket = connect(server());
      socket.emit('data', head);
      return socket.writes.filter((w) => /^HTTP\/1\.1 100 /.test(w)).length;
    };
    assert.equal(send('POST /body HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n'), 1);
    assert.equal(send('POST /body HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n'), 1, 'any case');
    assert.equal(send('POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n'), 0, 'not expected');
    assert.equal(send('POST /body HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 2\r\n\r\n'), 0, 'another expectation');
    assert.equal(send('POST /body HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n'), 0, 'no body');
    assert.equal(send('POST /body HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n'), 0, 'no Content-Length');
    assert.equal(send('POST /body HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n'), 0, 'HTTP/1.0');
  });

  it('OPTIONS * lists HEAD only with GET callbacks, in an empty 200', function () {
    const s = new HTTPServer(0);
    s.register('POST', '^/x$', () => response(200));
    const socket = connect(s);
    socket.emit('data', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n');
    const reply = socket.writes.join('');
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 0\r\n[\s\S]*Allow: POST\r\n\r\n$/);
  });

  it('every answer it makes itself says why, in its detail', async function () {
    const s = server();
    s.setTimeout(0.02);
    s.limits.handler = 0.02;
    s.register('GET', '^/never$', () => new Promise(() => {}));
    const head = connect(s);
    head.emit('data', 'GET /page HTTP/1.1\r\n');
    const never = connect(s);
    never.emit('data', 'GET /never HTTP/1.1\r\nHost: x\r\n\r\n');
    await tick(50);
    assert.match(head.writes.join(''), /^HTTP\/1\.1 408 /);
    assert.match(never.writes.join(''), /^HTTP\/1\.1 503 /);
    for (const socket of [head, never]) assert.ok(jsonOf(socket.writes.join('')).detail.length > 0);
  });

  it('setErrorView and setTimeout refuse what they cannot use; catchRequests listens once', function () {
    assert.throws(() => setErrorView(42 as any), /setErrorView: not a function/);
    const s = new HTTPServer(0);
    for (const bad of [0, -1, NaN]) assert.throws(() => s.setTimeout(bad), /setTimeout: seconds must be > 0/);
    s.setTimeout(0.5);
    assert.equal(s.limits.timeout, 0.5);
    const task = s.catchRequests();
    try {
      assert.throws(() => s.catchRequests(), /catchRequests: already listening on 0/);
    } finally {
      s.close();
    }
    return task;
  });
});

describe('httpsrv: readallFrom, the edges', function () {
  espruinoGlobals();

  /** A server whose POST /in callback hands `conn` to `use`. */
  function serverFor(use: (conn: Connection) => unknown): HTTPServer {
    const s = new HTTPServer(0);
    s.register('POST', '^/in$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => use(conn));
    return s;
  }

  it('a body of exactly limits.body bytes is read, even when it came first; one more is 413, saying so', async function () {
    const s = serverFor((conn) => new Promise((resolve) => setTimeout(resolve, 10)).then(() =>
      readallFrom(conn)).then((body: string) => response(200, String(body.length))));
    s.limits.body = 40;
    const exact = connect(s);
    exact.emit('data', 'POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n' + 'b'.repeat(40));
    const over = connect(s);
    over.emit('data', 'POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 41\r\n\r\n' + 'b'.repeat(41));
    await tick(30);
    assert.match(exact.writes.join(''), /\r\n\r\n40$/);
    assert.match(over.writes.join(''), /^HTTP\/1\.1 413 /);
    assert.match(jsonOf(over.writes.join('')).detail, /over 40 bytes/);
  });

  it('holds no more of a body than limits.body, however much is sent', function () {
    let conn!: Connection;
    const s = serverFor((c) => { conn = c; return new Promise(() => {}); });
    s.limits.body = 40;
    const socket = connect(s);
    socket.emit('data', 'POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n' + 'b'.repeat(1000));
    socket.emit('data', 'b'.repeat(1000));
    const held = Object.keys(conn).map((k) => (conn as any)[k]).filter((v) => typeof v == 'string');
    assert.ok(held.every((v: string) => v.length <= 40), `holds ${Math.max(...held.map((v: string) => v.length))} bytes`);
  });

  it('411 and 400 say why', async function () {
    const failures: any[] = [];
    const s = serverFor((conn) => readallFrom(conn).catch((e) => { failures.push(e); throw e; }));
    const chunked = connect(s);
    chunked.emit('data', 'POST /in HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const left = connect(s);
    left.emit('data', 'POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n');
    left.emit('close');
    await tick();
    assert.deepEqual(failures.map((e) => e.status), [411, 400]);
    for (const e of failures) assert.ok(e.message.length > 0);
  });

  it('hands a body over once: not again to a second call, nor into `into` after it settled', async function () {
    const pieces: string[] = [];
    let second: Promise<unknown> | undefined;
    const s = serverFor((conn) => readallFrom(conn).then((body: string) => {
      second = readallFrom(conn, null, 0.02);
      return response(200, body);
    }));
    const socket = connect(s);
    socket.emit('data', 'POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
    await tick();
    await assert.rejects(second!, (e: any) => e.status == 408 && e.message.length > 0);
    // after a timeout, what comes is not written, though the callback carries on
    const late = serverFor((conn) => readallFrom(conn, { write: (d: string) => { pieces.push(d); } }, 0.02)
      .catch(() => new Promise(() => {})));
    const slow = connect(late);
    slow.emit('data', 'POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc');
    await tick(40);
    slow.emit('data', 'def');
    assert.deepEqual(pieces, ['abc']);
  });

  it('a body the client never finished is never handed over, even to a call made after it left', async function () {
    let conn!: Connection;
    const s = serverFor((c) => { conn = c; return new Promise(() => {}); });
    const socket = connect(s);
    socket.emit('data', 'POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab');
    socket.emit('close');
    await assert.rejects(readallFrom(conn, null, 0.02));
  });

  it('reads a stream into `into` no more once it has closed', async function () {
    const pieces: string[] = [];
    const stream = new FakeStream();
    const all = readallFrom(stream, { write: (d: string) => { pieces.push(d); } });
    stream.emit('data', 'ab');
    stream.emit('close');
    stream.emit('data', 'late');
    await all;
    assert.deepEqual(pieces, ['ab']);
  });

  it('reads a socket (read() and available() besides on()) as a stream, not as a file', async function () {
    const socket = Object.assign(new FakeStream(), {
      read: () => { throw new Error('read() called'); },
      available: () => 0
    });
    const all = readallFrom(socket);
    socket.emit('data', 'abc');
    socket.emit('close');
    assert.equal(await all, 'abc');
  });
});

describe('httpsrv: the queue beyond the slots', function () {
  espruinoGlobals();

  /** A server with `connections` slots and `queue` places, whose GET /n/<id> callbacks wait
   *  until finish(id); `calls` lists the ids in the order their callbacks ran. */
  function queued(connections: number, queue: number) {
    const s = new HTTPServer(0);
    Object.assign(s.limits, { connections, queue });
    const calls: string[] = [], finish: { [id: string]: () => void } = {};
    s.register('GET', '^/n/', (m: string, loc: string) => {
      const id = loc.substring(3);
      calls.push(id);
      return new Promise((resolve) => { finish[id] = () => resolve(response(200, id)); });
    });
    const request = (id: string) => {
      const socket = connect(s);
      socket.emit('data', `GET /n/${id} HTTP/1.1\r\nHost: x\r\n\r\n`);
      return socket;
    };
    return { s, calls, finish, request };
  }

  it('runs no more callbacks at once than slots; the first waiting goes next, one per freed slot', async function () {
    const { calls, finish, request } = queued(1, 2);
    const a = request('a');
    request('b');
    request('c');
    assert.deepEqual(calls, ['a']);
    finish.a();
    await tick();
    assert.match(a.writes.join(''), /\r\n\r\na$/);
    assert.deepEqual(calls, ['a', 'b']);
    finish.b();
    await tick();
    assert.deepEqual(calls, ['a', 'b', 'c']);
  });

  it('a waiting client that leaves is not served, and its place is free', async function () {
    const { calls, finish, request } = queued(1, 1);
    request('a');
    const b = request('b');
    b.emit('close');
    const c = request('c');
    assert.doesNotMatch(c.writes.join(''), /503/, 'its place was kept');
    finish.a();
    await tick();
    assert.deepEqual(calls, ['a', 'c']);
  });

  it('a connection that leaves mid-head frees no slot it never had', async function () {
    const { calls, request, s } = queued(1, 2);
    request('a');
    const midHead = connect(s);
    midHead.emit('data', 'GET /n/x HTTP/1.1\r\n');
    midHead.emit('close');
    request('b');
    assert.deepEqual(calls, ['a']);
  });

  it("a waiting request's body is held for its turn, even one a callback streams past limits.body", async function () {
    const { s, finish, request } = queued(1, 1);
    let seen = '';
    s.register('PUT', '^/up$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      // a streaming reader, as the system API's upload: it takes what was held, then the rest
      seen = conn.body_ || '';
      conn.body_ = '';
      return response(200, String(seen.length));
    });
    request('a');
    const up = connect(s);
    up.emit('data', 'PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n' + 'x'.repeat(1000));
    up.emit('data', 'y'.repeat(1000));
    finish.a();
    await tick();
    assert.equal(seen, 'x'.repeat(1000) + 'y'.repeat(1000));
    assert.match(up.writes.join(''), /^HTTP\/1\.1 200 /);
  });

  it('a waiting request sending more body than limits.body can hold is 503, not cut short unsaid', async function () {
    const { s, calls, finish, request } = queued(1, 1);
    let called = false;
    s.register('PUT', '^/up$', () => { called = true; return response(200, 'x'); });
    request('a');
    const up = connect(s);
    up.emit('data', 'PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n' + 'x'.repeat(2000));
    up.emit('data', 'x'.repeat(48));
    assert.doesNotMatch(up.writes.join(''), /503/, 'refused within limits.body (2,048 bytes held)');
    up.emit('data', 'y');
    assert.match(up.writes.join(''), /^HTTP\/1\.1 503 /);
    assert.match(jsonOf(up.writes.join('')).detail, /body over 2048 bytes/);
    finish.a();
    await tick();
    assert.equal(called, false);
    assert.deepEqual(calls, ['a']);
  });

  it('a request that waits longer than limits.timeout is 503, saying no slot freed', async function () {
    const { s, request } = queued(1, 1);
    s.setTimeout(0.02);
    request('a');
    const b = request('b');
    await tick(40);
    assert.match(b.writes.join(''), /^HTTP\/1\.1 503 /);
    assert.match(jsonOf(b.writes.join('')).detail, /no slot/);
  });
});

describe('httpsrv: a connection taken over, or reset', function () {
  espruinoGlobals();

  it('detach() after the callback ended the connection takes nothing: its close handler is not called', function () {
    const s = new HTTPServer(0);
    let closes = 0;
    s.register('GET', '^/x$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      conn.end();
      conn.detach(null, () => { closes++; });
    });
    const socket = connect(s);
    socket.emit('data', 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.emit('close');
    assert.equal(closes, 0);
  });

  it('a write the reset socket refuses stops the pacing: nothing more is written, and the socket is not ended', function () {
    const s = new HTTPServer(0);
    s.register('GET', '^/x$', () => response(200, 'z'.repeat(600)));
    const socket = connect(s);
    socket.emit('data', 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.emit('drain');
    const count = socket.writes.length;
    socket.write = () => { throw new Error('This socket is closed.'); };
    assert.doesNotThrow(() => socket.emit('drain'));
    socket.write = (d: string) => { socket.writes.push(d); };
    socket.emit('drain');
    assert.equal(socket.writes.length, count);
    assert.equal(socket.ends, 0);
  });
});
