/**
 * Static files from flash: a route callback that serves the files scripts/assets.mjs built
 * from an app's www/ folder and scripts/upload-assets.mjs wrote to Storage, as its manifest
 * lists them. Each file goes out a CHUNK at a time, read from flash when the socket has sent
 * the last piece (a string mapped onto flash: no copy in RAM), gzip-compressed when the client
 * accepts it, revalidated by ETag. An app that does not import this module carries none of it.
 *
 *   server.register('GET', '^/', serveStatic());                  // www/ at /
 *   server.register('GET', '^/static/', serveStatic('/static'));  // www/ at /static/
 */
import { Connection, Size } from './http/connection';
import { HTTPError } from './http/errors';
import { Headers } from './http/response';
import { readStorage } from './port/espruino';

/** A file's entry in the manifest (scripts/assets.mjs writes it; short names keep it small). */
interface Entry {
  /** the Storage name of the file as is (absent when only its gzip is kept), and its size */
  s?: string;
  n?: number;
  /** the Storage name of its gzip (absent when gzip would not be smaller), and its size */
  z?: string;
  g?: number;
  /** a hash of its content: the ETag ("-gz" added for the gzip) */
  e: string;
  /** Content-Type, and Cache-Control, chosen at build time by its extension and name */
  t: string;
  c: string;
}

/** Whether an Accept-Encoding value accepts gzip: listed (or `*`) without q=0. */
function acceptsGzip(accept: string | undefined): boolean {
  if (!accept) return false;
  var codings = accept.toLowerCase().split(','), coding: string, semi: number, q: number, star = false;
  for (var i = 0; i < codings.length; i++) {
    coding = codings[i];
    semi = coding.indexOf(';');
    q = semi < 0 ? 1 : parseFloat(coding.substring(coding.indexOf('q=', semi) + 2));
    coding = (semi < 0 ? coding : coding.substring(0, semi)).trim();
    if (coding == 'gzip' || coding == 'x-gzip') return q !== 0;
    if (coding == '*') star = q !== 0;
  }
  return star;
}

/** What makes a file's next piece each time the socket has sent the last, a piece mapped
 *  onto flash where it lies. Made here, not in the callback: a closure there would keep all of
 *  the callback's locals alive while the file goes out (90 JsVars a file in flight instead of 22). */
function pieces(name: string, size: number): () => string | undefined {
  var sent = 0;
  return function () {
    var piece = sent < size ? readStorage(name, sent, Size.CHUNK) : '';
    sent += Size.CHUNK;
    return piece;
  };
}

/**
 * Returns a callback for server.register('GET', ...) serving the files under `prefix`
 * (default '/': '/app.js' is www/app.js, '/' and '/dir/' their index.html) as listed in the
 * manifest `manifest` in Storage (default 'www.json', as scripts/assets.mjs names it). The
 * manifest is read from flash on each request: uploading new files takes effect at once, and
 * it costs no JsVars between requests.
 *
 * Answers: 200 with Content-Type, Content-Length, ETag and Cache-Control, the gzip variant
 * (Content-Encoding: gzip) when the client accepts it, Vary: Accept-Encoding when there is
 * one; 304 when If-None-Match names the ETag (or is *); HEAD: the head alone; 404 for a file
 * not listed; 406 for a file kept only gzip-compressed when the client refuses gzip; 400 for
 * a path that cannot name a file here (a dot segment such as '..', a '%' left encoded such as
 * '%2e', a backslash, any character but letters, digits and . _ ~ / -, or too long for a
 * Storage name, which holds 28 characters).
 */
export function serveStatic(prefix?: string, manifest?: string) {
  // '/static/' and '/static' alike; '/' is the root
  var base = (prefix || '').replace(/\/$/, '');
  return function (method: string, loc: string, params: any, headers: Headers, conn: Connection) {
    var path = loc.substring(base.length);
    if (loc.substring(0, base.length) != base || path.charAt(0) != '/') {
      throw new HTTPError(404, 'not under ' + base + '/: ' + loc);
    }
    if (path.charAt(path.length - 1) == '/') path += 'index.html';
    // its Storage names add one character to the path: 'w' + path, 'z' + path
    if (path.length >= 28 || /[^A-Za-z0-9._~\/-]/.test(path) || /\/\.+\//.test(path + '/')) {
      throw new HTTPError(400, 'not a file name here: ' + path);
    }
    // the entry's object alone is parsed: the manifest stays in flash
    var list = readStorage(manifest || 'www.json'), at = list ? list.indexOf('"' + path + '":{') : -1;
    var end = at < 0 ? -1 : list!.indexOf('}', at);
    // Espruino reports a needle cut off at the end of the string as found: the entry must end
    if (end < 0) throw new HTTPError(404, 'no such file: ' + path);
    var entry: Entry = JSON.parse(list!.substring(list!.indexOf('{', at + 1), end + 1));
    var gzip = !!entry.z && acceptsGzip(headers['accept-encoding']);
    if (!gzip && !entry.s) {
      // written here, not thrown: 406 is not in the status table, and adding it costs JsVars
      var refusal = path + ' is kept gzip-compressed only: send Accept-Encoding: gzip\n';
      conn.write('HTTP/1.1 406 Not Acceptable\r\nContent-Type: text/plain\r\nContent-Length: ' + refusal.length +
        '\r\nVary: Accept-Encoding\r\nConnection: close\r\n\r\n');
      // a second write: after a HEAD request's head the connection sends nothing more
      conn.write(refusal);
      return;
    }
    var name = gzip ? entry.z! : entry.s!, size = gzip ? entry.g! : entry.n!;
    var tag = '"' + entry.e + (gzip ? '-gz"' : '"'), match = headers['if-none-match'];
    var fields = 'ETag: ' + tag + '\r\nCache-Control: ' + entry.c +
      (entry.z ? '\r\nVary: Accept-Encoding' : '') + '\r\nConnection: close\r\n\r\n';
    at = match ? match.indexOf(tag) : -1;
    // weak comparison (a W/ before the tag matches); the match must fit (Espruino's indexOf)
    if (match && (match.trim() == '*' || (at >= 0 && at + tag.length <= match.length))) {
      conn.write('HTTP/1.1 304 Not Modified\r\n' + fields);
      return;
    }
    if (readStorage(name, 0, 1) === undefined) throw new HTTPError(404, 'not in Storage: ' + name);
    conn.write('HTTP/1.1 200 OK\r\nContent-Type: ' + entry.t + '\r\nContent-Length: ' + size +
      (gzip ? '\r\nContent-Encoding: gzip\r\n' : '\r\n') + fields);
    conn.write(pieces(name, size));
  };
}
