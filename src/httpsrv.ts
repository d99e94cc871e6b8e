/**
 * Kyanit's httpsrv for Espruino: an HTTP/1.1 server that reads each request's head into a
 * bounded parser, dispatches it to the first callback whose pattern matches, answers once and
 * closes. One set of socket handlers serves every connection; a connection's state is one
 * Connection object, dropped when its socket closes.
 */
import { HTTPError } from './http/errors';
import { DEFAULT_LIMITS, Limits } from './http/limits';
import { DONE, FAILED, LINE, feed, Head, newHead } from './http/parse';
import { errorView, formatHead, Headers, response, Response } from './http/response';
import { Callback, deregister, match, register, registered, Routes } from './http/router';
import { parseTarget } from './http/url';
import { listen } from './port/espruino';
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

/** One client connection, as callbacks see it (`conn`): write() and end() go to the client. */
export class Connection {
  /** the request head while it is being read; null once dispatched */
  h: Head | null = newHead();
  /** body bytes received and not yet read, at most Content-Length and limits.body */
  body = '';
  /** the body's Content-Length; -1 for a chunked body */
  need = 0;
  /** a readallFrom waiting for more body: called with each piece, null when the client left */
  reader: ((data: string | null) => void) | null = null;
  timer: any = 0;
  isHead = false;
  sent = false;
  closed = false;
  constructor(public server: HTTPServer, public socket: Socket, public addr: any,
              public done: () => void) {}

  /** Sends `data` to the client (after a HEAD request's head, nothing more is sent). */
  write(data: string): void {
    if (!(this.isHead && this.sent) && !this.closed) this.socket.write(data);
    this.sent = true;
  }

  /** Closes the connection once what was written has been sent. */
  end(): void {
    if (!this.closed) this.socket.end();
  }
}

/** Writes a response's status line and headers, and its body if any, to `conn`. With an
 *  empty body no Content-Length is sent: the caller may go on writing the body to `conn`. */
export function sendResponse(conn: { write(data: string): any; isHead?: boolean },
                             status: number, body?: any, contentType?: string,
                             headers?: Headers): void {
  var r = response(status, body, contentType, headers);
  conn.write(conn.isHead ? formatHead(r) : formatHead(r) + r.body);
}

function reply(conn: Connection, r: Response): void {
  conn.write(conn.isHead ? formatHead(r, true) : formatHead(r, true) + r.body);
  conn.end();
}

/** Answers an error through the error view, unless the response has already begun. */
function fail(conn: Connection, exc: any): void {
  if (conn.closed) return;
  if (conn.sent) return conn.end();
  var r: Response;
  try {
    r = view(exc);
    formatHead(r);
  } catch (e) {
    r = errorView(e);
  }
  reply(conn, r);
}

/** Ends a request with what its callback returned (or resolved with). */
function finish(conn: Connection, r: Response | undefined): void {
  if (conn.closed) return;
  if (r) reply(conn, r);
  else if (conn.sent) conn.end();
  else fail(conn, new Error('the callback returned no response and wrote none'));
}

/** Keeps body bytes for readallFrom: hands them to a waiting reader, or holds up to the limit. */
function take(conn: Connection, data: string): void {
  if (conn.reader) conn.reader(data);
  else if (conn.need > 0 && conn.need <= conn.server.limits.body) {
    conn.body += data.substring(0, conn.need - conn.body.length);
  }
}

function dispatch(conn: Connection, h: Head): void {
  var fields = h.fields, method = h.method, length = fields['content-length'];
  conn.h = null;
  conn.isHead = method == 'HEAD';
  conn.need = length ? parseInt(length, 10) : fields['transfer-encoding'] ? -1 : 0;
  take(conn, h.rest);
  try {
    var target = parseTarget(h.target);
    var result = match(conn.server.routes, conn.isHead ? 'GET' : method, target.loc)(
      method, target.loc, target.params, fields, conn, conn.addr);
    if (result && typeof result.then == 'function') {
      result.then(function (r: Response) { finish(conn, r); },
                  function (e: any) { fail(conn, e); });
    } else finish(conn, result);
  } catch (e) {
    fail(conn, e);
  }
}

// The socket handlers, shared by all connections: `this` is the socket, `this.hc` its state.
function onData(this: Socket, data: string): void {
  var conn: Connection = this.hc, h = conn.h;
  if (!h) return take(conn, data);
  var state = feed(h, data, conn.server.limits);
  if (state == DONE || state == FAILED) {
    clearTimeout(conn.timer);
    if (state == DONE) dispatch(conn, h);
    else fail(conn, new HTTPError(h.status, h.reason));
  }
}

function onClose(this: Socket): void {
  var conn: Connection = this.hc;
  conn.closed = true;
  clearTimeout(conn.timer);
  if (conn.reader) conn.reader(null);
  conn.h = conn.reader = null;
  conn.body = '';
  conn.done();
}

/** The head did not arrive in time: 408 if any of it came, else close quietly (a browser's
 *  preconnect sends nothing). */
function onTimeout(conn: Connection): void {
  var h = conn.h;
  if (!h) return;
  if (h.state == LINE && h.buf == '' && !h.used) conn.end();
  else fail(conn, new HTTPError(408, 'the request head did not arrive in time'));
}

export class HTTPServer {
  /** this server's limits; defaults from DEFAULT_LIMITS, any may be changed */
  limits: Limits = Object.create(DEFAULT_LIMITS);
  routes: Routes = {};
  listener: Listener | null = null;
  stopped: (() => void) | null = null;

  constructor(public port: number) {
    // usable unbound, as in runner.createTask('httpsrv', server.catchRequests)
    this.catchRequests = this.catchRequests.bind(this);
  }

  /** Listens and serves until close(): the server's task. The Promise it returns settles
   *  when the server is closed, and carries cancel() (= close) for the runner. */
  catchRequests(): Promise<void> {
    var self = this;
    if (self.listener) throw new Error('catchRequests: already listening on ' + self.port);
    var task: any = new Promise<void>(function (resolve) {
      self.stopped = resolve;
      self.listener = listen(self.port, function (socket) { self.processor(socket); });
    });
    task.cancel = function () { self.close(); };
    return task;
  }

  /** Stops listening; connections under way are finished. */
  close(): void {
    if (this.listener) this.listener.close();
    this.listener = null;
    if (this.stopped) this.stopped();
    this.stopped = null;
  }

  register(method: string, locationRe: string, callback: Callback): void {
    register(this.routes, method, locationRe, callback);
  }

  deregister(method: string, locationRe: string): void {
    deregister(this.routes, method, locationRe);
  }

  /** method → pattern → callback */
  getRegistered(): { [method: string]: { [pattern: string]: Callback } } {
    return registered(this.routes);
  }

  /** Serves one connection; the Promise resolves when it has closed. */
  processor(socket: Socket, addr?: any): Promise<void> {
    var server = this;
    return new Promise<void>(function (resolve) {
      var conn = new Connection(server, socket, addr, resolve);
      socket.hc = conn;
      socket.on('data', onData);
      socket.on('close', onClose);
      conn.timer = setTimeout(onTimeout, server.limits.timeout * 1000, conn);
    });
  }

  /** Seconds a client has to send a complete request head (408 after that). */
  setTimeout(seconds: number): void {
    if (!(seconds > 0)) throw new Error('setTimeout: seconds must be > 0');
    this.limits.timeout = seconds;
  }
}

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
      if (source instanceof Connection) source.reader = null;
      if (err) reject(err);
      else resolve(into || out);
    }
    function wait(seconds: number, err?: any) {
      clearTimeout(timer);
      timer = setTimeout(settle, seconds * 1000, err);
    }
    if (source instanceof Connection) {
      var need = source.need, limits = source.server.limits;
      if (need < 0) return settle(new HTTPError(411, 'chunked bodies are not read: send Content-Length'));
      if (need > limits.body) return settle(new HTTPError(413, 'body over ' + limits.body + ' bytes'));
      put(source.body);
      source.body = '';
      if (got >= need) return settle();
      source.reader = function (data) {
        if (data === null) return settle(new HTTPError(400, 'the client left before the body was complete'));
        put(data.substring(0, need - got));
        if (got >= need) settle();
      };
      wait(timeout || limits.timeout, new HTTPError(408, 'the body did not arrive in time'));
    } else if (typeof source.on == 'function') {
      source.on('data', function (data: string) {
        if (ended) return;
        put(data);
        if (timeout) wait(timeout);
      });
      source.on('close', function () { settle(); });
      source.on('end', function () { settle(); });
      if (timeout) wait(timeout);
    } else if (typeof source.read == 'function') {
      for (var data = source.read(size); data; data = source.read(size)) put(data);
      settle();
    } else {
      settle(new Error('readallFrom: cannot read from ' + source));
    }
  });
}
