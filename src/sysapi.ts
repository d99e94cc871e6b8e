/**
 * The board's system API, Kyanit's: the application's state, stopping, starting and rebooting
 * it, the Storage files, updating the application over Wi-Fi, and the netvar. Every request
 * needs `Authorization: Bearer TOKEN`, the token kept in Storage (set when the board is flashed:
 * scripts/token.mjs). scripts/kyanitctl.mjs is its client. An app that does not import this
 * module carries none of it.
 *
 * Routes (under the prefix when mounted on the app's server):
 *   GET  /sys/state                    state, versions, memory, Storage, uptime (JSON)
 *   POST /sys/stop, /sys/start         the application, through the runner (cleanup() called)
 *   POST /sys/reboot                   answers, then restarts the board (load(): the boot code)
 *   PUT  /sys/app                      a new build of the application: run on trial, kept once
 *                                      it has started (see settleTrial)
 *   GET  /files                        the Storage files: name, size, CRC32
 *   GET|PUT|DELETE /files/NAME         one file, read a piece per drain or written a piece at a
 *                                      time as it arrives
 *   GET|POST /netvar                   the JSON value the app publishes / one it receives
 * Files whose names begin with '.' are the system's (Espruino's boot code and Wi-Fi settings,
 * this API's token and its staging files): never listed, read, written or deleted here (403).
 *
 * It uses Espruino's Storage, load() and E directly: managing the board is what it is for.
 */
import { addStatus, CT_JSON, HTTPError, HTTPServer, readallFrom, response, sendResponse } from './httpsrv';
import { Connection } from './http/connection';
import * as runner from './runner';
import { Library } from './version';

/** Storage as Espruino has it: strings of bytes, written a piece at a time. */
interface Storage {
  read(name: string, offset?: number, length?: number): string | undefined;
  write(name: string, data: string, offset?: number, size?: number): boolean;
  erase(name: string): void;
  list(): string[];
  getFree(): number;
  getStats(): { freeBytes: number; trashBytes: number };
  compact(): void;
}
declare function require(module: 'Storage'): Storage;
declare var process: { version: string; memory(): { free: number; total: number } };
declare var E: { CRC32(data: string): number };
declare function load(file?: string): void;
declare function getTime(): number;
/** set by the trial loader (File.TRIAL): the staged build this code runs from */
declare var SYSAPI_TRIAL: string | undefined;
/** set here in a trial run, once the API is up: the loader's fallback then stays put */
declare var SYSAPI_UP: number;

/** The system's files in Storage: a const enum, so the names cost no JsVars. */
const enum File {
  /** the API's token */
  TOKEN = '.systoken',
  /** the application Espruino runs at boot */
  BOOT = '.bootcde',
  /** staged builds of the application: an upload goes to the one this code does not run from */
  SLOT1 = '.app1',
  SLOT2 = '.app2',
  /** loads a staged build for its trial run (load(File.TRIAL)) */
  TRIAL = '.sysrun',
  /** installs a staged build that has started: Espruino runs .boot0-.boot3 before .bootcde */
  INSTALL = '.boot3',
  /** a file being uploaded */
  UPLOAD = '.sysup',
  /** the name an upload is being copied to: a copy cut by a reset is done again at start */
  MOVE = '.sysmv'
}

const enum Size {
  /** bytes read from or written to Storage at a time */
  PIECE = 512,
  /** the largest netvar, as JSON text */
  NETVAR = 512,
  /** what a file takes in flash besides its bytes (a 32-byte header, alignment), with margin */
  OVERHEAD = 64,
  /** Espruino cuts longer Storage names to this, silently */
  NAME = 28,
  /** seconds a trial build has to bring this API up before its loader goes back to .bootcde */
  TRIAL_LIMIT = 10
}

/** getTime() when this code started */
var startedAt = 0;
/** the file this code runs from (File.BOOT, or a slot on trial; '' until the API starts, once
 *  per boot), its CRC32 and size */
var runsFrom = '', appCrc = 0, appSize = 0;
/** wrong tokens lately, and when the last came: one counter for every client (a table per
 *  client could grow, and a socket does not tell its peer's address) */
var failures = 0, lastFailure = 0;
/** an upload is under way: there is one upload file */
var uploading = false;
/** the netvar the application publishes (JSON text) and the last one a client sent */
var published = 'null', received: any = null;
/** the API's own server, once listen() has made it */
var own: HTTPServer | null = null;

/** Publishes `value` (anything JSON can hold, at most 512 bytes as JSON) at GET /netvar. */
export function publishNetvar(value: any): void {
  var text = JSON.stringify(value);
  if (text === undefined || text.length > Size.NETVAR) throw new Error('publishNetvar: not JSON, or over 512 bytes');
  published = text;
}

/** The last value a client sent with POST /netvar (null before any). */
export function receivedNetvar(): any {
  return received;
}

/** Copies Storage file `from` over `to`, a piece at a time, each read afresh from flash. */
function copyFile(from: string, to: string): void {
  var s = require('Storage'), size = (s.read(from) || '').length, at: number;
  s.erase(to);
  // the first piece maps `from`'s flash: a compaction while it is written would move it
  if (s.getFree() < size + Size.OVERHEAD) s.compact();
  for (at = 0; at < size; at += Size.PIECE) s.write(to, s.read(from, at, Size.PIECE)!, at, size);
}

/** Once per boot: notes what this code runs from, finishes or drops what a reset cut short,
 *  and on a trial run, checks in a second whether the application started. */
function start(): void {
  if (runsFrom) return;
  startedAt = getTime();
  addStatus(401, 'Unauthorized');
  addStatus(403, 'Forbidden');
  addStatus(409, 'Conflict');
  var s = require('Storage'), trial = typeof SYSAPI_TRIAL == 'string' ? SYSAPI_TRIAL : '';
  var moving = s.read(File.MOVE), code: string;
  runsFrom = trial || File.BOOT;
  code = s.read(runsFrom) || '';
  appCrc = E.CRC32(code);
  appSize = code.length;
  // an upload cut by a reset is dropped; its copy, once begun, is done again (complete data)
  if (moving && s.read(File.UPLOAD) && moving.indexOf('\xff') < 0) copyFile(File.UPLOAD, moving);
  s.erase(File.UPLOAD);
  s.erase(File.MOVE);
  if (trial) {
    SYSAPI_UP = 1;
    s.erase(trial == File.SLOT1 ? File.SLOT2 : File.SLOT1);
    setTimeout(settleTrial, 1000);
  } else if (!s.read(File.INSTALL) || !s.read(File.SLOT1) && !s.read(File.SLOT2)) {
    // no install pending, or it is done: staged builds and their loader are left-overs
    s.erase(File.INSTALL);
    s.erase(File.SLOT1);
    s.erase(File.SLOT2);
    s.erase(File.TRIAL);
  }
  if (!s.read(File.TOKEN)) console.log('sysapi: no token in Storage, every request is refused (scripts/token.mjs sets one)');
}

/**
 * A second into a trial run: if the application is running, its build is installed as the
 * boot code and the board reboots into it. The copy is done at boot by File.INSTALL, before
 * .bootcde runs, so that no code runs from the files it replaces, and a reset during the copy
 * finds it again and redoes it. Else the trial stays up with its error in the state, and
 * .bootcde (the previous application) runs at the next reboot.
 */
function settleTrial(): void {
  if (runner.getState() != 'running') return;
  var s = require('Storage'), size = appSize;
  s.write(File.INSTALL, '(function(){var s=require("Storage"),n="' + runsFrom + '",c=s.read(n),b="' +
    File.BOOT + '",o;if(c&&c.length==' + size + '&&s.read(b)!=c){s.erase(b);if(s.getFree()<' +
    (size + Size.OVERHEAD) + ')s.compact();for(o=0;o<' + size + ';o+=' + Size.PIECE + ')s.write(b,s.read(n,o,' +
    Size.PIECE + '),o,' + size + ')}if(c&&s.read(b)==c)s.erase(n)})()');
  s.erase(File.TRIAL);
  load();
}

/** Nothing for the right token; else a 401: at once for a request with no token (or a board
 *  with none set), after a delay for a wrong one, doubling with each lately (0.2 s to 1.6 s).
 *  The comparison takes the same time wherever the tokens differ. */
function checkToken(header: string | undefined): any {
  var token = require('Storage').read(File.TOKEN), diff: number, i: number, now: number;
  var given = header && header.substring(0, 7).toLowerCase() == 'bearer ' ? header.substring(7) : '';
  if (token && given) {
    diff = given.length ^ token.length;
    for (i = 0; i < token.length; i++) diff |= token.charCodeAt(i) ^ given.charCodeAt(i);
    if (!diff) return undefined;
  }
  var refusal = response(401, { error: 'Unauthorized', detail: !token ? 'no token is set on the board (scripts/token.mjs sets one)'
    : given ? 'wrong token' : 'send Authorization: Bearer TOKEN' }, CT_JSON, { 'WWW-Authenticate': 'Bearer' });
  if (!token || !given) return refusal;
  now = getTime();
  if (now - lastFailure > 60) failures = 0;
  lastFailure = now;
  if (failures < 4) failures++;
  return new Promise(function (resolve) { setTimeout(resolve, 100 << failures, refusal); });
}

/** What GET /sys/state answers (and stop and start, once done). */
function describeState(): any {
  var memory = process.memory();
  return { state: runner.getState(), error: runner.getError(),
    app: { crc: appCrc, size: appSize, saved: runsFrom == File.BOOT },
    firmware: process.version, library: Library.VERSION,
    jsvars: { free: memory.free, total: memory.total },
    storage: { free: require('Storage').getFree() }, uptime: Math.round((getTime() - startedAt) * 10) / 10 };
}

/**
 * Takes a PUT's body of `length` bytes as it arrives, each piece written straight to Storage
 * file `into` (never held whole in RAM), then answers with what `complete()` returns. The
 * connection is taken from the server (detach): its slot and handler timeout are not held
 * for an upload's length; it times out on its own after limits.timeout seconds without data.
 * A client that leaves or stops sending leaves `into` erased. `after` runs once the answer to
 * a complete upload has gone out (the connection closed).
 */
function receive(conn: Connection, into: string, length: number, complete: () => any, after?: () => void): void {
  var s = require('Storage'), got = 0, timer: any = 0, answered = false, done = false;
  var seconds = conn.server_.limits.timeout;
  uploading = true;
  function answer(status: number, body: any): void {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    if (!done) s.erase(into);
    uploading = false;
    sendResponse(conn, status, body, CT_JSON);
    conn.end();
  }
  function take(data: string): void {
    if (answered) return;
    // bytes past Content-Length are not the body's
    data = data.substring(0, length - got);
    if (!data) return;
    clearTimeout(timer);
    try {
      // the first piece creates the file at its full size; the rest fill it
      s.write(into, data, got, length);
      got += data.length;
      if (got < length) timer = setTimeout(answer, seconds * 1000, 408, { error: 'HTTPError', detail: 'the body stopped coming' });
      else {
        var result = complete();
        done = true;
        answer(200, result);
      }
    } catch (e: any) {
      answer(e.status || 500, { error: 'HTTPError', detail: e.message || String(e) });
    }
  }
  conn.detach(take, function () {
    if (!answered) {
      // the client left midway
      answered = true;
      clearTimeout(timer);
      s.erase(into);
      uploading = false;
    } else if (done && after) after();
  });
  timer = setTimeout(answer, seconds * 1000, 408, { error: 'HTTPError', detail: 'the body did not come' });
  // a body that came while the request waited for a slot (limits.body at most)
  if (conn.body_) {
    var early = conn.body_;
    conn.body_ = '';
    take(early);
  }
}

/** The callback of every route under `prefix` ('' on the API's own port). */
function dispatch(prefix: string, method: string, loc: string, params: any, headers: any, conn: Connection): any {
  var refusal = checkToken(headers.authorization);
  if (refusal) return refusal;
  var s = require('Storage'), path = loc.substring(prefix.length), name = path.substring(7);
  var length = conn.bodyLength_ || 0, stats: { freeBytes: number; trashBytes: number }, data: string | undefined;
  if (method == 'HEAD') method = 'GET';
  var route = method + ' ' + path;
  if (route == 'GET /sys/state') return response(200, describeState(), CT_JSON);
  if (route == 'POST /sys/stop') {
    // on the app's server, stopping the app would stop the API with it, until a reset
    if (prefix) throw new HTTPError(409, "the API shares the application's server: use it on its own port to stop the application");
    if (runner.getState() != 'stopped') runner.stop();
    return response(200, describeState(), CT_JSON);
  }
  if (route == 'POST /sys/start') {
    if (!runner.restart()) throw new HTTPError(409, 'no application was started');
    return response(200, describeState(), CT_JSON);
  }
  if (route == 'POST /sys/reboot') {
    conn.detach(null, function () { load(); });
    sendResponse(conn, 200, { rebooting: true }, CT_JSON);
    conn.end();
    return;
  }
  if (route == 'GET /netvar') return response(200, published, CT_JSON);
  if (route == 'POST /netvar') {
    if (length > Size.NETVAR) throw new HTTPError(413, 'a netvar is at most 512 bytes of JSON');
    return readallFrom(conn).then(function (body: string) {
      try {
        received = JSON.parse(body);
      } catch (e) {
        throw new HTTPError(400, 'not JSON');
      }
      return response(200, { received: true }, CT_JSON);
    });
  }
  if (route == 'GET /files') {
    var names = s.list(), files: any[] = [], i: number;
    for (i = 0; i < names.length; i++) {
      // system files, and StorageFile's pieces (their names end in a control byte)
      if (names[i].charAt(0) == '.' || names[i].charCodeAt(names[i].length - 1) < 32) continue;
      data = s.read(names[i]) || '';
      files.push({ name: names[i], size: data.length, crc: E.CRC32(data) });
    }
    return response(200, files, CT_JSON);
  }
  var slot = runsFrom == File.SLOT1 ? File.SLOT2 : File.SLOT1;
  var file = path.substring(0, 7) == '/files/';
  if (route != 'PUT /sys/app' && !file) throw new HTTPError(404, 'no system route ' + method + ' ' + path);
  if (file) {
    if (!name || name.length > Size.NAME) throw new HTTPError(400, 'a file name has 1 to 28 characters');
    if (name.charAt(0) == '.') throw new HTTPError(403, name + " is a system file: this API does not touch it");
    data = s.read(name);
    if (method == 'GET' || method == 'DELETE') {
      if (data === undefined) throw new HTTPError(404, 'no file ' + name);
      if (method == 'DELETE') {
        s.erase(name);
        return response(200, { erased: name }, CT_JSON);
      }
      var size = data.length, at = 0;
      sendResponse(conn, 200, '', 'application/octet-stream', { 'Content-Length': String(size) });
      if (conn.isHead_) return;
      // a piece each time the socket has sent the last: read from flash, never the whole file
      return new Promise<void>(function (resolve) {
        conn.drained_ = function () {
          var piece = at < size ? s.read(name, at, Size.PIECE) : '';
          if (!piece) {
            conn.drained_ = null;
            return resolve();
          }
          at += piece.length;
          conn.write(piece);
        };
      });
    }
    if (method != 'PUT') throw new HTTPError(404, 'no system route ' + method + ' ' + path);
  }
  // an upload: a file, or the application (PUT /sys/app)
  if (uploading) throw new HTTPError(409, 'another upload is under way');
  if (headers['content-length'] === undefined) throw new HTTPError(411, 'send Content-Length');
  if (!length) throw new HTTPError(400, 'an empty file: Storage cannot hold one');
  stats = s.getStats();
  // room for the upload and its copy (to the name, or at boot to .bootcde); what they replace
  // is freed by compacting
  var room = stats.freeBytes + stats.trashBytes + (file ? (data || '').length
    : (s.read(File.BOOT) || '').length + (s.read(slot) || '').length);
  if (2 * (length + Size.OVERHEAD) > room) {
    throw new HTTPError(413, 'Storage is full: ' + 2 * (length + Size.OVERHEAD) + ' bytes needed (the upload and its copy), ' + room + ' free');
  }
  if (file) {
    receive(conn, File.UPLOAD, length, function () {
      var crc = E.CRC32(s.read(File.UPLOAD)!);
      // the copy is redone at start if a reset cuts it (the old file is gone by then)
      s.write(File.MOVE, name);
      copyFile(File.UPLOAD, name);
      s.erase(File.UPLOAD);
      s.erase(File.MOVE);
      return { name: name, size: length, crc: crc };
    });
    return;
  }
  receive(conn, slot, length, function () {
    return { size: length, crc: E.CRC32(s.read(slot)!), trial: true };
  }, function () {
    // runs the build on trial; if its API is not up in TRIAL_LIMIT seconds, back to .bootcde
    s.write(File.TRIAL, 'var SYSAPI_TRIAL="' + slot + '",SYSAPI_UP=0;setTimeout(function(){if(!SYSAPI_UP)load()},' +
      Size.TRIAL_LIMIT * 1000 + ');eval(require("Storage").read(SYSAPI_TRIAL))');
    load(File.TRIAL);
  });
}

/** Serves the routes on `server` under `prefix`. */
function serveOn(server: HTTPServer, prefix: string): void {
  var serve = dispatch.bind(null, prefix), pattern = '^' + prefix + '/';
  server.register('GET', pattern, serve);
  server.register('POST', pattern, serve);
  server.register('PUT', pattern, serve);
  server.register('DELETE', pattern, serve);
}

/**
 * Serves the system API on its own port (default 3300, as Kyanit's), outside the runner:
 * stopping or restarting the application leaves it up. Call it at the top level of the
 * application's main.ts, so that it is up before main() runs, even if main() throws. Its
 * server takes 2 requests at once and holds none waiting (a held upload's bytes could not
 * be kept). Returns the server; called again, the same.
 */
export function listen(port?: number): HTTPServer {
  if (own) return own;
  start();
  var server = own = new HTTPServer(port || 3300), limits = server.limits;
  limits.connections = 2;
  limits.queue = 0;
  // a download is answered within this; an upload paces itself (receive)
  limits.handler = 60;
  serveOn(server, '');
  server.catchRequests();
  return server;
}

/**
 * Serves the system API on the application's `server` under `prefix` ('/kyanit': letters,
 * digits, '_', '-' and inner '/'). It then lives and dies with that server: POST /sys/stop is
 * refused (409), /sys/start restarts the application, whose main() mounts the API again.
 */
export function mount(server: HTTPServer, prefix: string): void {
  if (!/^\/[\w\/-]*$/.test(prefix) || prefix.charAt(prefix.length - 1) == '/') {
    throw new Error('mount: the prefix is like /kyanit, got ' + prefix);
  }
  start();
  serveOn(server, prefix);
}
