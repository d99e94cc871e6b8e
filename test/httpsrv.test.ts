/**
 * The server against a stand-in socket (Espruino's net socket: `this` in handlers, 'drain'
 * after each write): what it hands the socket, and when. The end-to-end suite checks what a
 * client receives; this checks that a large answer never sits in the socket whole.
 */
import { strict as assert } from 'node:assert';
import { Connection, HTTPServer, response } from '../src/httpsrv';

class FakeSocket {
  writes: string[] = [];
  handlers: { [event: string]: (this: FakeSocket, ...args: any[]) => void } = {};
  ended = false;
  [field: string]: any;
  on(event: string, fn: (this: FakeSocket, ...args: any[]) => void) { this.handlers[event] = fn; }
  write(data: string) { this.writes.push(data); }
  end() { this.ended = true; }
  emit(event: string, ...args: any[]) { this.handlers[event].apply(this, args); }
}

describe('httpsrv: what the socket is given', function () {
  let memory: unknown;
  before(function () {
    // the port asks Espruino's process.memory() and E.isUTF8(); Node has neither
    memory = (process as any).memory;
    (process as any).memory = () => ({ free: 10000, usage: 0, total: 10000 });
    (globalThis as any).E = { isUTF8: () => false };
  });
  after(() => {
    (process as any).memory = memory;
    delete (globalThis as any).E;
  });

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
