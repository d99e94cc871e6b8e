/**
 * Live events (src/sse.ts) against a stand-in socket: what the browser is sent, that a slow
 * socket never makes events pile up (the newest wins), and that the stream ends with the client.
 */
import { strict as assert } from 'node:assert';
import { Connection, HTTPServer, response } from '../src/httpsrv';
import { EventStream, openEvents } from '../src/sse';
import { espruinoGlobals, FakeSocket } from './fake-socket';

describe('sse: live events', function () {
  espruinoGlobals();

  function open(heartbeat?: number): { socket: FakeSocket; stream: EventStream; server: HTTPServer } {
    const server = new HTTPServer(0);
    Object.assign(server.limits, { connections: 1, queue: 0, handler: 0.05 });
    let stream: EventStream | undefined;
    server.register('GET', '^/events$', (m: string, l: string, p: unknown, h: unknown, conn: Connection) => {
      stream = openEvents(conn, 2000, heartbeat);
    });
    server.register('GET', '^/page$', () => response(200, 'page'));
    const socket = new FakeSocket();
    void server.processor(socket as any);
    socket.emit('data', 'GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    return { socket, stream: stream!, server };
  }

  it('answers with an event stream head and the retry time, and is not cut off by the handler timeout', async function () {
    const { socket, stream } = open();
    assert.equal(socket.writes.length, 1);
    assert.match(socket.writes[0], /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(socket.writes[0], /\r\nContent-Type: text\/event-stream\r\n/);
    assert.match(socket.writes[0], /\r\nCache-Control: no-cache\r\n/);
    assert.match(socket.writes[0], /\r\n\r\nretry: 2000\n\n$/);
    await new Promise((r) => setTimeout(r, 120));
    assert.ok(!socket.ended, 'ended by the server');
    socket.emit('drain');
    stream.send('21.5', 'temp');
    assert.equal(socket.writes[1], 'event: temp\ndata: 21.5\n\n');
    stream.close();
  });

  it('sends each line of the data as a data field', function () {
    const { socket, stream } = open();
    socket.emit('drain');
    stream.send('a\nb');
    assert.equal(socket.writes[1], 'data: a\ndata: b\n\n');
    stream.close();
  });

  it('while an event is going out, a newer one replaces the one waiting: memory stays bounded', function () {
    const { socket, stream } = open();
    socket.emit('drain');
    for (let i = 1; i <= 100; i++) stream.send(String(i));
    assert.deepEqual(socket.writes.slice(1), ['data: 1\n\n'], 'one in the socket at a time');
    socket.emit('drain');
    assert.deepEqual(socket.writes.slice(2), ['data: 100\n\n'], 'the newest value, not the 99 before it');
    socket.emit('drain');
    assert.equal(socket.writes.length, 3, 'nothing else waited');
    stream.close();
  });

  it('sends a comment as heartbeat when idle', async function () {
    const { socket, stream } = open(0.03);
    socket.emit('drain');
    await new Promise((r) => setTimeout(r, 80));
    assert.ok(socket.writes.slice(1).includes(':\n\n'), JSON.stringify(socket.writes));
    stream.close();
  });

  it('sends no heartbeat before its time, nor while an event is still going out', async function () {
    const { socket, stream } = open(0.04);
    socket.emit('drain');
    await new Promise((r) => setTimeout(r, 15));
    assert.ok(!socket.writes.includes(':\n\n'), 'a heartbeat before its 40 ms');
    stream.send('x'.repeat(600));
    await new Promise((r) => setTimeout(r, 60));
    // the event's pieces go out (before the next heartbeat is due): nothing was queued behind
    for (let i = 0; i < 3; i++) socket.emit('drain');
    assert.ok(!socket.writes.includes(':\n\n'), 'a heartbeat while busy');
    stream.close();
  });

  it('ends when the browser goes away: onclose once, sends nothing more, frees its slot at once', function () {
    const { socket, stream, server } = open();
    let closes = 0;
    stream.onclose = () => closes++;
    // one slot, no queue: the stream does not hold it
    const next = new FakeSocket();
    void server.processor(next as any);
    next.emit('data', 'GET /page HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(next.writes.join(''), /\r\n\r\npage$/);
    socket.emit('close');
    assert.equal(closes, 1);
    assert.ok(stream.closed);
    const count = socket.writes.length;
    stream.send('late');
    assert.equal(socket.writes.length, count);
    stream.close();
    assert.equal(closes, 1);
  });

  it('close() ends the connection', function () {
    const { socket, stream } = open();
    socket.emit('drain');
    stream.close();
    assert.ok(socket.ended);
    assert.ok(stream.closed);
  });
});
