/**
 * Kyanit's httpsrv for Espruino: an HTTP/1.1 server that reads each request's head into a
 * bounded parser, dispatches it to the first callback whose pattern matches, answers once and
 * closes. One set of socket handlers serves every connection; a connection's state is one
 * Connection object, dropped when its socket closes.
 */
import { HTTPError } from './http/errors';
import { DEFAULT_LIMITS, Limits } from './http/limits';
import { feed, Head, State } from './http/parse';
import { CT_PLAIN, errorView, formatHead, Headers, response, Response } from './http/response';
import { deregister, getRegistered, match, register, Routes } from './http/router';
import { parseTarget } from './http/url';
import { byteLength, hasFreeVars, listen } from './port/espruino';
import { Listener, Socket } from './port/port';

export { CT_HTML, CT_JSON, CT_PLAIN, addStatus, errorView, response } from './http/response';
export type { Headers, Response } from './http/response';
export { HTTPError, NoCallbackError, NoMethodError, URLInvalidError } from './http/errors';
export { addSymbol, unencode } from './http/url';
export type { Limits } from './http/limits';

var view: (exc: any) => Response = errorView;

/** Replaces the error view (the spec's monkey-patching); setErrorView(errorView) restores it. */
export function setErrorView(fn: (exc: any) => Response): void {
  if (typeof fn != 'function') throw new Error('setErrorView: not a function');
  view = fn;
}

/** One client connection, as callbacks see it (`conn`): write() and end() go to the client.
 *  It is also the parser's Head while the head is read. Every field starts absent (false, 0,
 *  '' or none): a connection holds only what it uses, and nothing sits on the prototype. */
export interface Connection extends Head {
  /** body bytes received and not yet read, at most Content-Length and limits.body */
  body_?: string;
  /** the body's Content-Length; -1 for a chunked body */
  need_?: number;
  /** a readallFrom waiting for more body: called with each piece, null when the client left */
  reader_?: ((data: string | null) => void) | null;
  /** the head's or the callback's deadline (Espruino's timer ids start at 1) */
  timer_?: any;
  addr_?: any;
  isHead_?: boolean;
  sent_?: boolean;
  closed_?: boolean;
  server_: HTTPServer;
  socket_: Socket;
  /** told when the connection has closed (processor()'s Promise) */
  done_?: (() => void) | null;
  /** what waits to be sent, CHUNK by CHUNK; at_ is how far into out_[0] */
  out_?: string[] | null;
  at_?: number;
  /** end() was called: nothing more is written, the socket ends once out_ is sent */
  ending_?: boolean;
  /** the socket has not yet sent the last CHUNK given to it */
  busy_?: boolean;
  /** no longer counted in the server's open connections */
  left_?: boolean;

  /** Sends `data` to the client (after a HEAD request's head, nothing more is sent). The
   *  socket is given a CHUNK at a time, each when it has sent the last ('drain'): it never
   *  holds a second copy of a large page, however it is written. */
  write(data: string): void;
  /** Closes the connection once what was written has been sent. */
  end(): void;
}
// Constructor functions, not classes: tsc wraps an ES5 class in a function whose scope each
// method then keeps (2 JsVars a method on Espruino)
export var Connection = function (this: Connection, server: HTTPServer, socket: Socket) {
  this.server_ = server;
  this.socket_ = socket;
} as any as { new (server: HTTPServer, socket: Socket): Connection; prototype: Connection };

Connection.prototype.write = function (this: Connection, data: string) {
  if ((this.isHead_ && this.sent_) || this.closed_ || this.ending_) return;
  this.sent_ = true;
  if (this.out_) this.out_.push(data);
  else {
    this.out_ = [data];
    if (!this.busy_) pump.call(this.socket_);
  }
};

Connection.prototype.end = function (this: Connection) {
  if (this.closed_ || this.ending_) return;
  this.ending_ = true;
  if (!this.out_) close(this);
};

/** Bytes handed to the socket at a time: Espruino receives and sends in pieces of 536. */
const enum Size { CHUNK = 512 }

/** The socket's 'drain' handler (`this` is the socket): gives it the next CHUNK of what
 *  waits, once it has sent the last. One CHUNK at a time in the socket, however much a handler
 *  writes; write() calls it too when the socket is idle. */
function pump(this: Socket): void {
  var conn: Connection = this.hc, out = conn.out_;
  conn.busy_ = false;
  if (!out) return;
  var piece = out[0], at = conn.at_ || 0;
  conn.busy_ = true;
  conn.socket_.write(at || piece.length > Size.CHUNK ? piece.substring(at, at + Size.CHUNK) : piece);
  if ((conn.at_ = at + Size.CHUNK) >= piece.length) {
    out.shift();
    conn.at_ = 0;
  }
  if (!out.length) {
    conn.out_ = null;
    if (conn.ending_) close(conn);
  }
}

/** Ends the socket (unless it has closed) and stops counting the connection as open: its
 *  'close' event may come a while after a client has its answer and connects again. */
function close(conn: Connection, closed?: boolean): void {
  if (!closed) conn.socket_.end();
  if (!conn.left_) conn.server_.open_!--;
  conn.left_ = true;
  if (conn.timer_) clearTimeout(conn.timer_);
  conn.timer_ = 0;
}

/** Writes a response's status line and headers, and its body if any, to `conn`. With an
 *  empty body no Content-Length is sent: the caller may go on writing the body to `conn`. */
export function sendResponse(conn: { write(data: string): any }, status: number, body?: any,
                             contentType?: string, headers?: Headers): void {
  var r = response(status, body, contentType, headers);
  var head = formatHead(r, false, byteLength);
  conn.write((conn as Connection).isHead_ ? head : head + r.body);
}

/** Ends a request with the response `r`, or without one with the error view's answer to
 *  `exc` (unless the callback has begun answering on `conn` itself). */
function answer(conn: Connection, r: Response | undefined, exc?: any): void {
  // the callback ended the connection itself, or the client left
  if (conn.closed_ || conn.ending_) return;
  var head: string;
  try {
    if (!r) {
      if (conn.sent_) return conn.end();
      r = view(exc === undefined ? new Error('the callback gave no response') : exc);
    }
    head = formatHead(r!, true, byteLength);
  } catch (e) {
    r = errorView(e);
    head = formatHead(r, true, byteLength);
  }
  var body = conn.isHead_ ? '' : r!.body;
  // one write for a small response; a large body is not copied into a second string
  if (body.length > Size.CHUNK) {
    conn.write(head);
    conn.write(body);
  } else conn.write(head + body);
  conn.end();
}

// The socket handlers, shared by all connections: `this` is the socket, `this.hc` its state.

/** Reads the head; once it is complete, dispatches it (or answers its failure), then keeps
 *  body bytes for readallFrom: hands them to a waiting reader, or holds up to the limit. */
function onData(this: Socket, data: string): void {
  var conn: Connection = this.hc, limits = conn.server_.limits;
  // answered already (a 408, or the callback ended it): what comes after is not read
  if (conn.ending_) return;
  if ((conn.state_ || 0) < State.DONE) {
    var state = feed(conn, data, limits);
    if (state < State.DONE) return;
    clearTimeout(conn.timer_);
    conn.timer_ = 0;
    if (state == State.FAILED) return answer(conn, undefined, new HTTPError(conn.status_!, conn.reason_));
    dispatch(conn, limits);
    data = conn.rest_!;
    conn.rest_ = '';
  }
  if (conn.reader_) conn.reader_(data);
  else if (conn.need_! > 0 && conn.need_! <= limits.body) {
    conn.body_ = (conn.body_ || '') + data.substring(0, conn.need_! - (conn.body_ || '').length);
  }
}

/** Calls the callback for a complete head, and answers with what it returns. */
function dispatch(conn: Connection, limits: Limits): void {
  var fields = conn.fields_!, method = conn.method_!, length = fields['content-length'];
  var routes = conn.server_.routes_, expect = fields.expect;
  conn.isHead_ = method == 'HEAD';
  if (length) conn.need_ = parseInt(length, 10);
  else if (fields['transfer-encoding']) conn.need_ = -1;
  // curl sends this with bodies over 1 KB, then waits a second for the interim answer
  if (expect && expect.toLowerCase() == '100-continue' && conn.need_! > 0 && !conn.rest_ &&
      conn.version_ == 'HTTP/1.1') conn.socket_.write('HTTP/1.1 100 Continue\r\n\r\n');
  try {
    if (conn.target_ == '*' && method == 'OPTIONS') {
      // the server's own OPTIONS: which methods have callbacks
      var allow = Object.keys(routes);
      if (routes.GET) allow.push('HEAD');
      return answer(conn, response(200, '', CT_PLAIN, { Allow: allow.join(', ') }));
    }
    var target = parseTarget(conn.target_!), loc = target.loc;
    var result = match(routes, conn.isHead_ ? 'GET' : method, loc)(
      method, loc, target.params, fields, conn, conn.addr_);
    if (result && typeof result.then == 'function') {
      result.then(function (r: Response) { answer(conn, r); },
                  function (e: any) { answer(conn, undefined, e); });
      if (!conn.left_) conn.timer_ = setTimeout(onTimeout, limits.handler * 1000, conn);
    } else answer(conn, result);
  } catch (e) {
    answer(conn, undefined, e);
  }
}

function onClose(this: Socket): void {
  var conn: Connection = this.hc;
  close(conn, true);
  conn.closed_ = true;
  if (conn.reader_) conn.reader_(null);
  conn.reader_ = conn.out_ = null;
  conn.buf_ = conn.body_ = '';
  if (conn.done_) conn.done_();
}

/** The head did not arrive in time: 408 if any of it came, else close quietly (a browser's
 *  preconnect sends nothing). Or the callback's Promise did not settle in time: 503. */
function onTimeout(conn: Connection): void {
  conn.timer_ = 0;
  if (conn.state_ == State.DONE) answer(conn, undefined, new HTTPError(503, 'the callback did not finish in time'));
  else if (!conn.state_ && !conn.buf_ && !conn.blank_) conn.end();
  else answer(conn, undefined, new HTTPError(408, 'the request head did not arrive in time'));
}

/** Serves one connection: refused with 503 over the limits, else read, answered, closed;
 *  `done` is called once it has closed. */
function serve(server: HTTPServer, socket: Socket, addr?: any, done?: () => void): void {
  var limits = server.limits;
  if (server.open_! >= limits.connections || !hasFreeVars(limits.minFree)) {
    // made here, not kept: it lives in the code
    socket.write('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n' +
      'Connection: close\r\n\r\n');
    socket.end();
    if (done) done();
    return;
  }
  server.open_ = (server.open_ || 0) + 1;
  var conn = socket.hc = new Connection(server, socket);
  if (addr !== undefined) conn.addr_ = addr;
  if (done) conn.done_ = done;
  socket.on('data', onData);
  socket.on('drain', pump);
  socket.on('close', onClose);
  conn.timer_ = setTimeout(onTimeout, limits.timeout * 1000, conn);
}

export interface HTTPServer {
  port: number;
  /** this server's limits; defaults from DEFAULT_LIMITS, any may be changed */
  limits: Limits;
  routes_: Routes;
  /** connections being served */
  open_?: number;
  listener_?: Listener | null;
  stopped_?: (() => void) | null;
  /** Listens and serves until close(): the server's task. The Promise it returns settles
   *  when the server is closed, and carries cancel() (= close) for the runner. Usable
   *  unbound, as in runner.createTask('httpsrv', server.catchRequests). */
  catchRequests(): Promise<void>;
  /** Stops listening; connections under way are finished. */
  close(): void;
  /** Serves one connection; the Promise resolves when it has closed. (Connections accepted by
   *  catchRequests() are served without one: a Promise per request costs time and JsVars.) */
  processor(socket: Socket, addr?: any): Promise<void>;
  /** Seconds a client has to send a complete request head (408 after that). */
  setTimeout(seconds: number): void;
  /** register(method, locationRe, callback): the first registered pattern that matches wins */
  register: typeof register;
  /** deregister(method, locationRe): throws if it was not registered */
  deregister: typeof deregister;
  /** method → pattern → callback */
  getRegistered: typeof getRegistered;
}

export var HTTPServer = function (this: HTTPServer, port: number) {
  this.port = port;
  this.limits = Object.create(DEFAULT_LIMITS);
  this.routes_ = {};
  this.catchRequests = this.catchRequests.bind(this);
} as any as { new (port: number): HTTPServer; prototype: HTTPServer };
var serverProto = HTTPServer.prototype;

serverProto.catchRequests = function (this: HTTPServer) {
  var self = this;
  if (self.listener_) throw new Error('catchRequests: already listening on ' + self.port);
  var task: any = new Promise<void>(function (resolve) { self.stopped_ = resolve; });
  // bound functions, not closures: a closure would keep this call's scope alive
  self.listener_ = listen(self.port, serve.bind(null, self));
  task.cancel = self.close.bind(self);
  return task;
};

serverProto.close = function (this: HTTPServer) {
  if (this.listener_) this.listener_.close();
  if (this.stopped_) this.stopped_();
  this.listener_ = this.stopped_ = null;
};

serverProto.processor = function (this: HTTPServer, socket: Socket, addr?: any) {
  var server = this;
  return new Promise<void>(function (resolve) { serve(server, socket, addr, resolve); });
};

serverProto.setTimeout = function (this: HTTPServer, seconds: number) {
  if (!(seconds > 0)) throw new Error('setTimeout: seconds must be > 0');
  this.limits.timeout = seconds;
};
serverProto.register = register;
serverProto.deregister = deregister;
serverProto.getRegistered = getRegistered;

interface Writable {
  write(data: string): any;
}

/**
 * Reads all of `source` and resolves with it, or with `into` after writing it there in
 * pieces of `chunkSize`. On a request's `conn`: exactly the Content-Length bytes of its body
 * (413 over limits.body, 411 for a chunked body, 408 if not complete within `timeout`
 * seconds, by default the server's). On a stream (anything with on('data')): until it closes,
 * or until no data came for `timeout` seconds. On a file (anything with read(n)): until read
 * returns nothing.
 */
export function readallFrom(source: any, into?: Writable | null, timeout?: number,
                            chunkSize?: number): Promise<any> {
  var size = chunkSize || 64;
  return new Promise(function (resolve, reject) {
    // Espruino throws on clearTimeout(undefined): timers start at 0
    var out = '', got = 0, timer: any = 0, ended = false;
    function put(data: string) {
      got += data.length;
      if (!into) out += data;
      else for (var i = 0; i < data.length; i += size) into.write(data.substring(i, i + size));
    }
    function settle(err?: any) {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      if (source instanceof Connection) source.reader_ = null;
      if (err) reject(err);
      else resolve(into || out);
    }
    function wait(seconds: number, err?: any) {
      clearTimeout(timer);
      timer = setTimeout(settle, seconds * 1000, err);
    }
    if (source instanceof Connection) {
      var need = source.need_ || 0, limits = source.server_.limits;
      if (need < 0) return settle(new HTTPError(411, 'chunked bodies are not read: send Content-Length'));
      if (need > limits.body) return settle(new HTTPError(413, 'body over ' + limits.body + ' bytes'));
      put(source.body_ || '');
      source.body_ = '';
      if (got >= need) return settle();
      source.reader_ = function (data) {
        if (data === null) return settle(new HTTPError(400, 'the client left before the body was complete'));
        put(data.substring(0, need - got));
        if (got >= need) settle();
      };
      wait(timeout || limits.timeout, new HTTPError(408, 'the body did not arrive in time'));
    } else if (typeof source.read == 'function' && typeof source.available != 'function') {
      // a file (Storage's read(n)) before a stream: on Espruino every object has on(), and a
      // socket has read() too, but only a socket has available()
      for (var data = source.read(size); data; data = source.read(size)) put(data);
      settle();
    } else if (typeof source.on == 'function') {
      source.on('data', function (data: string) {
        if (ended) return;
        put(data);
        if (timeout) wait(timeout);
      });
      source.on('close', function () { settle(); });
      source.on('end', function () { settle(); });
      if (timeout) wait(timeout);
    } else {
      settle(new Error('readallFrom: cannot read from ' + source));
    }
  });
}
