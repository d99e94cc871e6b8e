/**
 * One client connection, as callbacks see it (`conn`): write() and end() go to the client,
 * paced by the socket's 'drain' so the socket never holds more than a CHUNK; detach() hands it
 * to a new owner (live events, a WebSocket). It is also the parser's Head while the head is
 * read. Nothing here reads requests or knows routes: the server (httpsrv.ts) does.
 */
import { Limits } from './limits';
import { Head } from './parse';
import { Socket } from '../port/port';

/** What a connection needs of its server: its limits and the count of open connections. */
export interface Slots {
  limits: Limits;
  /** connections held (being read, waiting their turn or served) */
  open_?: number;
  /** a connection left: its slot may go to one that waits (the server's own accounting) */
  left_(conn: Connection): void;
}

/** Every field starts absent (false, 0, '' or none): a connection holds only what it uses,
 *  and nothing sits on the prototype. */
export interface Connection extends Head {
  /** body bytes received and not yet read, at most Content-Length and limits.body */
  body_?: string;
  /** the body's Content-Length; -1 for a chunked body */
  bodyLength_?: number;
  /** the body's reader (readallFrom) or the connection's owner after detach(): called with
   *  each piece of data, null when the client left */
  reader_?: ((data: string | null) => void) | null;
  /** the head's, the turn's or the callback's deadline (Espruino's timer ids start at 1) */
  timer_?: any;
  addr_?: any;
  isHead_?: boolean;
  sent_?: boolean;
  closed_?: boolean;
  server_: Slots;
  socket_: Socket;
  /** told when the connection has closed (processor()'s Promise) */
  done_?: (() => void) | null;
  /** what waits to be sent, CHUNK by CHUNK; at_ is how far into out_[0] */
  out_?: Piece[] | null;
  at_?: number;
  /** end() was called: nothing more is written, the socket ends once out_ is sent */
  ending_?: boolean;
  /** the socket has not yet sent the last CHUNK given to it */
  busy_?: boolean;
  /** the socket's 'drain' handler is set (at the first paced write) */
  paced_?: boolean;
  /** no longer counted by the server */
  left_?: boolean;
  /** taken over by detach(): the server neither answers, times out nor closes it */
  detached_?: boolean;
  /** told when everything written has gone out (the socket drained with nothing waiting):
   *  what a writer that must not queue (live events: the newest value wins) waits for */
  drained_?: (() => void) | null;
  /** its head is complete and it waits for a slot (the server's queue) */
  queued_?: boolean;
  /** it holds one of the server's slots (limits.connections) */
  serving_?: boolean;

  /** Sends `data` to the client (after a HEAD request's head, nothing more is sent). The
   *  socket is given a CHUNK at a time, each when it has sent the last ('drain'): it never
   *  holds a second copy of a large page, however it is written. `data` may be a function
   *  that makes the next piece each time the socket has sent the last, until it makes
   *  nothing ('' or undefined): a file read from flash a piece at a time (static.ts). */
  write(data: Piece): void;
  /** Writes `data` if given, then closes the connection once what was written has been sent.
   *  Last bytes that fit one CHUNK, with nothing written before, go straight to the socket: an
   *  answer written whole needs no pacing, nor a 'drain' handler. */
  end(data?: string): void;
  /** Takes the connection over from the server: it is no longer answered, timed out, closed
   *  or counted by it; `onData` gets the client's later bytes and `onClose` is told when it
   *  goes. write() and end() keep working. What live events (sse.ts) and upgrades build on. */
  detach(onData?: ((data: string) => void) | null, onClose?: (() => void) | null): void;
}

/** What write() takes: bytes, or a function making the next piece each time its turn comes
 *  ('' or undefined once it has made them all). */
export type Piece = string | (() => string | undefined);

// A constructor function, not a class: tsc wraps an ES5 class in a function whose scope each
// method then keeps (2 JsVars a method on Espruino). The server makes its connections as the
// same two fields in a literal with this prototype (serve() in httpsrv.ts: cheaper than `new`)
export var Connection = function (this: Connection, server: Slots, socket: Socket) {
  this.server_ = server;
  this.socket_ = socket;
} as any as { new (server: Slots, socket: Socket): Connection; prototype: Connection };

Connection.prototype.write = function (this: Connection, data: Piece) {
  if ((this.isHead_ && this.sent_) || this.closed_ || this.ending_) return;
  this.sent_ = true;
  // nothing to send: a '' waiting in out_ would never drain
  if (!data) return;
  if (this.out_) this.out_.push(data);
  else {
    this.out_ = [data];
    if (!this.busy_) pump.call(this.socket_);
  }
};

Connection.prototype.end = function (this: Connection, data?: string) {
  if (this.closed_ || this.ending_) return;
  if (data) {
    if (!this.sent_ && data.length <= Size.CHUNK) {
      // sent_ is not read once ending_ is set
      this.ending_ = true;
      this.socket_.write(data);
      return close(this);
    }
    this.write(data);
  }
  this.ending_ = true;
  if (!this.out_) close(this);
};

Connection.prototype.detach = function (this: Connection, onData?: ((data: string) => void) | null,
                                        onClose?: (() => void) | null) {
  if (this.closed_ || this.ending_) return;
  this.detached_ = true;
  this.reader_ = function (data: string | null) {
    if (data === null) { if (onClose) onClose(); } else if (onData) onData(data);
  };
  close(this, true);
};

/** Bytes handed to the socket at a time: Espruino receives and sends in pieces of 536. */
export const enum Size { CHUNK = 512 }

/** The socket's 'drain' handler (`this` is the socket): gives it the next CHUNK of what
 *  waits, once it has sent the last (a function waiting is asked for its next piece then).
 *  One CHUNK at a time in the socket, however much a handler writes; write() calls it too
 *  when the socket is idle. */
export function pump(this: Socket): void {
  var conn: Connection = this.hc, out = conn.out_, piece: Piece | undefined;
  conn.busy_ = false;
  if (!out) {
    if (conn.drained_) conn.drained_();
    return;
  }
  // a function's turn: the piece it makes goes out before it; it leaves once it makes none
  while (typeof (piece = out[0]) == 'function') {
    if ((piece = piece())) out.unshift(piece);
    else out.shift();
  }
  if (piece) {
    var at = conn.at_ || 0;
    conn.busy_ = true;
    // the drain handler is set at the first paced write: an answer written whole needs none
    if (!conn.paced_) {
      conn.paced_ = true;
      this.on('drain', pump);
    }
    try {
      conn.socket_.write(at || piece.length > Size.CHUNK ? piece.substring(at, at + Size.CHUNK) : piece);
    } catch (e) {
      // the client reset: Espruino runs a 'drain' it queued before its 'close', and write() throws
      conn.out_ = null;
      return;
    }
    if ((conn.at_ = at + Size.CHUNK) >= piece.length) {
      out.shift();
      conn.at_ = 0;
    }
  }
  if (!out.length) {
    conn.out_ = null;
    if (conn.ending_) close(conn);
    // a function ended with nothing written: the socket is idle, no drain will come
    else if (!conn.busy_ && conn.drained_) conn.drained_();
  }
}

/** Ends the socket, unless `keepSocket` (it has closed, or detach() gave it a new owner), and
 *  stops the connection's timer and its count in the server (once): its 'close' event may come
 *  a while after a client has its answer and connects again. One function for both: one call
 *  fewer at the end of each request, and one function fewer kept in memory. */
export function close(conn: Connection, keepSocket?: boolean): void {
  if (!keepSocket) conn.socket_.end();
  if (conn.timer_) clearTimeout(conn.timer_);
  conn.timer_ = 0;
  if (conn.left_) return;
  conn.left_ = true;
  conn.server_.left_(conn);
}
