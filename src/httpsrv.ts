/**
 * Kyanit's httpsrv for Espruino: the server and its public API. Each connection's head is read
 * into a bounded parser (http/parse.ts), dispatched to the first callback whose pattern matches
 * (http/router.ts), answered once and closed (http/connection.ts paces what is written). Up to
 * limits.connections requests are served at once; up to limits.queue more connections are held
 * meanwhile, their heads read, and served in the order their heads arrived as slots free (a
 * browser opens 6 at once for a page's assets). One set of socket handlers serves every
 * connection; a connection's state is one Connection object, dropped when its socket closes.
 */
import { HTTPError } from './http/errors';
import { DEFAULT_LIMITS, Limits } from './http/limits';
import { feed, fields, State } from './http/parse';
import { CT_PLAIN, errorView, formatHead, Headers, response, Response } from './http/response';
import { deregister, getRegistered, match, register, Routes } from './http/router';
import { parseTarget } from './http/url';
import { close, Connection, Size } from './http/connection';
import { byteLength, hasFreeVars, listen } from './port/espruino';
import { Listener, Socket } from './port/port';

export { CT_HTML, CT_JSON, CT_PLAIN, addStatus, errorView, response } from './http/response';
export type { Headers, Response } from './http/response';
export { HTTPError, NoCallbackError, NoMethodError, URLInvalidError } from './http/errors';
export { addSymbol, unencode } from './http/url';
export { Connection } from './http/connection';
export { readallFrom } from './http/body';
export type { Limits } from './http/limits';

var view: (exc: any) => Response = errorView;

/** Replaces the error view (the spec's monkey-patching); setErrorView(errorView) restores it. */
export function setErrorView(fn: (exc: any) => Response): void {
  if (typeof fn != 'function') throw new Error('setErrorView: not a function');
  view = fn;
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
  // the callback ended the connection itself or took it over, or the client left
  if (conn.closed_ || conn.ending_ || conn.detached_) return;
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
    conn.end(body);
  } else conn.end(head + body);
}

// The socket handlers, shared by all connections: `this` is the socket, `this.hc` its state.

/** Reads the head; once it is complete, dispatches it or queues it for a slot (or answers its
 *  failure), then keeps body bytes for readallFrom: hands them to a waiting reader, or holds
 *  up to the limit (a queued request's body too). */
function onData(this: Socket, data: string): void {
  var conn: Connection = this.hc, server = conn.server_ as HTTPServer, limits = server.limits;
  // answered already (a 408, or the callback ended it): what comes after is not read
  if (conn.ending_) return;
  if ((conn.state_ || 0) < State.DONE) {
    var state = feed(conn, data, limits);
    if (state < State.DONE) return;
    if (state == State.FAILED) {
      clearTimeout(conn.timer_);
      conn.timer_ = 0;
      return answer(conn, undefined, new HTTPError(conn.status_!, conn.reason_));
    }
    // no fields object: the quick path took the head, which frames no body
    var framing = conn.fields_, length = framing && framing['content-length'];
    // set only when true: an absent field costs no JsVar
    if (conn.method_ == 'HEAD') conn.isHead_ = true;
    if (length) conn.bodyLength_ = parseInt(length, 10);
    else if (framing && framing['transfer-encoding']) conn.bodyLength_ = -1;
    // every slot taken: wait in arrival order, the head's timer still running
    if ((server.serving_ || 0) >= limits.connections) {
      conn.queued_ = true;
      (server.waiting_ || (server.waiting_ = [])).push(conn);
    } else dispatch(conn);
    data = conn.rest_!;
    if (!data) return;
    conn.rest_ = '';
  }
  if (conn.reader_) conn.reader_(data);
  else if (conn.bodyLength_! > 0 && (conn.queued_ || conn.bodyLength_! <= limits.body)) {
    var held = conn.body_ || '';
    // a waiting request's body is held for its turn (a callback may stream a large one, as the
    // system API's uploads do), up to limits.body: more cannot wait, and is not dropped unsaid
    if (held.length + data.length > limits.body && conn.queued_) {
      return answer(conn, undefined, new HTTPError(503, 'no slot free for a body over ' + limits.body + ' bytes'));
    }
    conn.body_ = held + data.substring(0, conn.bodyLength_! - held.length);
  }
}

/** Calls the callback for a complete head in a slot of its own, and answers with what it
 *  returns. The header fields object is made only for a callback that can read it (router.ts
 *  says which can). */
function dispatch(conn: Connection): void {
  var server = conn.server_ as HTTPServer, framing = conn.fields_, method = conn.method_!;
  var routes = server.routes_, expect = framing && framing.expect;
  clearTimeout(conn.timer_);
  conn.timer_ = 0;
  conn.serving_ = true;
  server.serving_ = (server.serving_ || 0) + 1;
  // curl sends this with bodies over 1 KB, then waits a second for the interim answer
  if (expect && expect.toLowerCase() == '100-continue' && conn.bodyLength_! > 0 && !conn.body_ &&
      conn.version_ == 'HTTP/1.1') conn.socket_.write('HTTP/1.1 100 Continue\r\n\r\n');
  try {
    if (conn.target_ == '*' && method == 'OPTIONS') {
      // the server's own OPTIONS: which methods have callbacks
      var allow = Object.keys(routes);
      if (routes.GET) allow.push('HEAD');
      return answer(conn, response(200, '', CT_PLAIN, { Allow: allow.join(', ') }));
    }
    var target = parseTarget(conn.target_!), loc = target.loc;
    var route = match(routes, conn.isHead_ ? 'GET' : method, loc);
    var headers = route[2] > 3 ? fields(conn) : undefined;
    // checked lines no callback reads are let go while it runs
    if (!headers) conn.block_ = undefined;
    var result = route[1](method, loc, target.params, headers, conn, conn.addr_);
    if (result && typeof result.then == 'function') {
      result.then(function (r: Response) { answer(conn, r); },
                  function (e: any) { answer(conn, undefined, e); });
      if (!conn.left_) conn.timer_ = setTimeout(onTimeout, server.limits.handler * 1000, conn);
    } else answer(conn, result);
  } catch (e) {
    answer(conn, undefined, e);
  }
}

function onClose(this: Socket): void {
  var conn: Connection = this.hc;
  // an answered connection has left already: two calls fewer on every request
  if (!conn.left_) close(conn, true);
  conn.closed_ = true;
  if (conn.reader_) {
    conn.reader_(null);
    conn.reader_ = null;
  }
  // what it held goes (a callback may keep `conn`); fields never set are not made
  if (conn.out_) conn.out_ = null;
  if (conn.buf_) conn.buf_ = '';
  if (conn.body_) conn.body_ = '';
  if (conn.done_) conn.done_();
}

/** The head did not arrive in time: 408 if any of it came, else close quietly (a browser's
 *  preconnect sends nothing). Or no slot freed in time for a queued request, or the
 *  callback's Promise did not settle in time: 503. */
function onTimeout(conn: Connection): void {
  conn.timer_ = 0;
  if (conn.state_ == State.DONE) {
    answer(conn, undefined, new HTTPError(503, conn.queued_ ? 'no slot freed in time'
      : 'the callback did not finish in time'));
  } else if (!conn.state_ && !conn.buf_ && !conn.blank_) conn.end();
  else answer(conn, undefined, new HTTPError(408, 'the request head did not arrive in time'));
}

/** Serves one connection: refused with 503 when no budget can hold it, else read, answered
 *  (in its turn), closed; `done` is called once it has closed. */
function serve(server: HTTPServer, socket: Socket, addr?: any, done?: () => void): void {
  var limits = server.limits;
  // the client left before this ran: Espruino has closed the socket (its `cls`) and tells no
  // 'close' handler set after that; counted, it would hold a place until limits.timeout (a
  // port scan, a cancelled preconnect: 28 of 30 such in a run took places)
  if (socket.cls) {
    if (done) done();
    return;
  }
  if (server.open_! >= limits.connections + limits.queue || !hasFreeVars(limits.minFree)) {
    // made here, not kept: it lives in the code
    socket.write('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n' +
      'Connection: close\r\n\r\n');
    socket.end();
    if (done) done();
    return;
  }
  server.open_ = (server.open_ || 0) + 1;
  // what the constructor sets, as a literal with its prototype: `new` costs ~6 µs and 2 JsVars more
  var conn: Connection = socket.hc = { server_: server, socket_: socket, __proto__: Connection.prototype } as any;
  if (addr !== undefined) conn.addr_ = addr;
  if (done) conn.done_ = done;
  socket.on('data', onData);
  socket.on('close', onClose);
  conn.timer_ = setTimeout(onTimeout, limits.timeout * 1000, conn);
}

export interface HTTPServer {
  port: number;
  /** this server's limits; defaults from DEFAULT_LIMITS, any may be changed */
  limits: Limits;
  routes_: Routes;
  /** connections held: being read, waiting their turn, or served */
  open_?: number;
  /** requests being served (at most limits.connections) */
  serving_?: number;
  /** complete heads waiting for a slot, in arrival order */
  waiting_?: Connection[];
  /** a connection is no longer counted (answered, closed or detached): its slot goes to the
   *  first that waits */
  left_(conn: Connection): void;
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
serverProto.left_ = function (this: HTTPServer, conn: Connection) {
  var waiting = this.waiting_;
  this.open_!--;
  if (conn.queued_) waiting!.splice(waiting!.indexOf(conn), 1);
  else if (conn.serving_) this.serving_!--;
  while (waiting && waiting.length && this.serving_! < this.limits.connections) {
    conn = waiting.shift()!;
    conn.queued_ = false;
    dispatch(conn);
  }
};
serverProto.register = register;
serverProto.deregister = deregister;
serverProto.getRegistered = getRegistered;
