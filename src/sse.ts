/**
 * Live values over Server-Sent Events: a callback opens an event stream on its connection,
 * which then leaves the server's hands (conn.detach(): no handler timeout, no slot) and lives
 * until the browser goes away. Memory stays bounded: while an event is still going out, a newer
 * one replaces the one waiting (the newest value wins) instead of queueing.
 * An app that does not import this module carries none of it.
 */
import { Connection } from './http/connection';

export interface EventStream {
  /** Sends an event (`data` on one line or several; `event` names its type). While the last
   *  has not gone out, this one waits in its place, replacing any that waited. */
  send(data: string, event?: string): void;
  /** Ends the stream. */
  close(): void;
  /** the browser went away or close() was called */
  closed: boolean;
  /** called once when the stream has ended */
  onclose?: (() => void) | null;
}

interface Stream extends EventStream {
  conn_: Connection;
  /** the event waiting for the socket to drain (one at most) */
  waiting_?: string | null;
  ticker_?: any;
}

/**
 * Answers the request on `conn` with an event stream and returns it. `retry` tells the browser
 * how many milliseconds to wait before reconnecting (default 3000); a comment goes out every
 * `heartbeat` seconds (default 15) so that proxies and the browser keep the connection and a
 * client that left is found out.
 */
export function openEvents(conn: Connection, retry?: number, heartbeat?: number): EventStream {
  var stream = { conn_: conn, closed: false } as Stream;
  conn.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n' +
    'Connection: close\r\n\r\nretry: ' + (retry || 3000) + '\n\n');
  conn.drained_ = function () {
    var next = stream.waiting_;
    stream.waiting_ = null;
    if (next) conn.write(next);
  };
  conn.detach(null, function () { end(stream); });
  stream.ticker_ = setInterval(function () { if (!busy(conn)) conn.write(':\n\n'); }, (heartbeat || 15) * 1000);
  stream.send = send;
  stream.close = close;
  return stream;
}

function send(this: Stream, data: string, event?: string): void {
  if (this.closed) return;
  // each line of the data is a data: field; a blank line ends the event
  var text = (event ? 'event: ' + event + '\n' : '') + 'data: ' + String(data).split('\n').join('\ndata: ') + '\n\n';
  if (busy(this.conn_)) this.waiting_ = text;
  else this.conn_.write(text);
}

/** Whether the socket has not yet sent what it was given, or more waits in the connection. */
function busy(conn: Connection): boolean {
  return !!(conn.busy_ || conn.out_);
}

function close(this: Stream): void {
  this.conn_.end();
  end(this);
}

function end(stream: Stream): void {
  if (stream.closed) return;
  stream.closed = true;
  stream.waiting_ = null;
  clearInterval(stream.ticker_);
  stream.conn_.drained_ = null;
  if (stream.onclose) stream.onclose();
}
