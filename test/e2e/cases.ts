/**
 * The end-to-end cases: raw request bytes and what a user would see come back, run in order
 * (some change the server's routes or error view for the cases after them) against
 * build/e2e-app.js (test/fixtures/app.ts) wherever it runs.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Reply } from './client';

export interface Case {
  name: string;
  /** pieces of the request, sent `pause` ms apart */
  send: string[];
  pause?: number;
  /** send to the fixture's second server (port + 1) */
  second?: boolean;
  /** send to the fixture's server fed through processor() (port + 2) */
  third?: boolean;
  status: number | null;
  body?: string | RegExp;
  /** the body is gzip data that decompresses to this (bytes as a latin1 string) */
  gunzip?: string;
  json?: unknown;
  headers?: { [name: string]: string | RegExp | null };
  /** bad input: the next request must still be served */
  bad?: boolean;
  timeout?: number;
  /** interim statuses expected before the answer */
  interim?: number[];
  /** the spec's example (build/app.js, only /page) answers it the same: it runs there too, on
   *  espruino-1700 with the code in Storage, as on an ESP8266 */
  example?: boolean;
}

const HOST = 'Host: test\r\n';
const get = (target: string, more = '') => [`GET ${target} HTTP/1.1\r\n${HOST}${more}\r\n`];
const req = (method: string, target: string, body = '', more = '') =>
  [`${method} ${target} HTTP/1.1\r\n${HOST}${more}` +
   (body ? `Content-Length: ${body.length}\r\n` : '') + `\r\n${body}`];
/** A file of test/fixtures/www as bytes (one character a byte, as the client reads them). */
const www = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'www', name)).toString('latin1');
/** The ETag the asset pipeline gives a file it does not minify: its content's hash. */
const tagOf = (name: string) => '"' + createHash('sha256').update(www(name), 'latin1').digest('hex').slice(0, 16) + '"';
const GZIP = 'Accept-Encoding: gzip, deflate, br\r\n';
/** In an expected JSON value: anything may stand here. */
export const ANY = { any: true };
const error = (name: string, detail: unknown = ANY) => ({ error: name, detail });

export const cases: Case[] = [
  // the spec's example
  { name: 'GET /page answers the example page', example: true, send: get('/page'), status: 200,
    body: 'Hello from Kyanit!',
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': '18', connection: 'close' } },
  { name: 'HEAD /page runs the GET callback and sends no body', example: true, send: req('HEAD', '/page'),
    status: 200, body: '', headers: { 'content-length': '18' } },
  { name: 'HTTP/1.0 without Host is served', example: true, send: ['GET /page HTTP/1.0\r\n\r\n'], status: 200,
    body: 'Hello from Kyanit!' },
  { name: 'an unknown path is 404 NoCallbackError', example: true, send: get('/nope'), status: 404,
    json: error('NoCallbackError', '/nope'), headers: { 'content-type': 'application/json' } },
  { name: 'a method without callbacks is 501 NoMethodError', second: true, send: req('POST', '/ping'),
    status: 501, json: error('NoMethodError', 'POST') },
  { name: 'a method with callbacks but no matching pattern is 404', send: req('PATCH', '/nope'),
    status: 404, json: error('NoCallbackError', '/nope') },
  { name: 'an unknown method is 501 NoMethodError', example: true, send: req('BREW', '/page'), status: 501,
    json: error('NoMethodError', 'BREW') },
  { name: 'a lower-case method is 501', example: true, send: req('get', '/page'), status: 501,
    json: error('NoMethodError', 'get') },
  { name: 'PUT reaches its callback', send: req('PUT', '/method', 'x'), status: 200, body: 'method PUT' },
  { name: 'PATCH reaches its callback', send: req('PATCH', '/method'), status: 200, body: 'method PATCH' },
  { name: 'DELETE reaches its callback', send: req('DELETE', '/method'), status: 200, body: 'method DELETE' },
  { name: 'OPTIONS reaches its callback', send: req('OPTIONS', '/method'), status: 200, body: 'method OPTIONS' },
  { name: 'patterns are tried in registration order', send: get('/first-or-second'), status: 200,
    body: 'first' },

  // query and path decoding
  { name: 'query parameters, a flag without value is null', send: get('/echo?a=1&b=two&flag&&c='),
    status: 200, json: { method: 'GET', loc: '/echo', params: { a: '1', b: 'two', flag: null, c: '' },
      headers: { host: 'test' }, addr: 'undefined' } },
  { name: 'reserved characters and space are decoded, others stay encoded',
    send: get('/echo/a%20b%2Fc%41%e2%82%ac?q=a%26b%3Dc%3f'), status: 200,
    json: { method: 'GET', loc: '/echo/a b/c%41%e2%82%ac', params: { q: 'a&b=c?' },
      headers: { host: 'test' }, addr: 'undefined' } },
  { name: "'%25' decodes to a literal %, once", send: get('/echo/100%25?discount=10%25&twice=%2541'), status: 200,
    json: { method: 'GET', loc: '/echo/100%', params: { discount: '10%', twice: '%41' }, headers: { host: 'test' },
      addr: 'undefined' } },
  { name: "query and header names Espruino's objects already have are plain entries",
    send: get('/names?on=1&emit=2&constructor=3&hasOwnProperty=4&toString=5&clone=6&valueOf=7&removeAllListeners',
      'On: a\r\nConstructor: b\r\nhasOwnProperty: c\r\nEmit: d\r\nValueOf: e\r\n'),
    status: 200, body: 'on=1 emit=2 constructor=3 hasOwnProperty=4 toString=5 clone=6 valueOf=7 ' +
      'removeAllListeners=null | host=test on=a constructor=b hasownproperty=c emit=d valueof=e |' },
  { name: 'a query name Espruino objects carry (on) reaches the example', example: true, send: get('/page?on=1'),
    status: 200, body: 'Hello from Kyanit!' },
  { name: 'addSymbol extends decoding', send: get('/echo/%7E%7e'), status: 200,
    json: { method: 'GET', loc: '/echo/~~', params: {}, headers: { host: 'test' }, addr: 'undefined' } },
  { name: 'unencode() decodes what a callback gives it', send: get('/unencode', 'X-Raw: a%20b%41%2f\r\n'),
    status: 200, body: 'a b%41/' },
  { name: 'an absolute-form target is served by its path', send: get('http://test/echo?x=1'),
    status: 200, json: { method: 'GET', loc: '/echo', params: { x: '1' }, headers: { host: 'test' },
      addr: 'undefined' } },

  // headers
  { name: 'header names are lower-case, values whole, repeats joined',
    send: ['GET /echo HTTP/1.1\r\nHost: a:80\r\nX-Mixed-Case:   Value, with: colons  \r\n' +
      'Accept: a\r\naccept: b\r\n\r\n'],
    status: 200, json: { method: 'GET', loc: '/echo', params: {},
      headers: { host: 'a:80', 'x-mixed-case': 'Value, with: colons', accept: 'a, b' },
      addr: 'undefined' } },
  { name: 'a head split mid-line across packets', example: true, pause: 30,
    send: ['GE', 'T /pa', 'ge HTTP/1.1\r', '\nHo', 'st: x\r\n', '\r', '\n'], status: 200,
    body: 'Hello from Kyanit!' },
  { name: 'bare LF line ends are accepted', example: true, send: ['GET /page HTTP/1.1\nHost: x\n\n'], status: 200,
    body: 'Hello from Kyanit!' },
  { name: 'empty lines before the request line are ignored', example: true, send: ['\r\n\r\nGET /page HTTP/1.1\r\nHost: x\r\n\r\n'],
    status: 200, body: 'Hello from Kyanit!' },

  // bodies
  { name: 'readallFrom resolves with the body sent with the head', send: req('POST', '/body', 'hello world'),
    status: 200, body: '11:hello world' },
  { name: 'readallFrom gathers a body split across packets', pause: 50,
    send: ['POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\nfirst', '-second', '-end'],
    status: 200, body: '16:first-second-end' },
  { name: 'readallFrom takes exactly Content-Length bytes', send: req('POST', '/body', 'abc').map((s) => s + 'EXTRA'),
    status: 200, body: '3:abc' },
  { name: 'readallFrom called later gets the body that came before, exactly Content-Length of it', pause: 30,
    send: ['POST /body-later HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel', 'loEXTRA'],
    status: 200, body: '5:hello' },
  { name: 'readallFrom with no body resolves empty', send: req('POST', '/body'), status: 200, body: '0:' },
  { name: 'Expect: 100-continue is answered 100 Continue, then the body is read', pause: 300,
    send: ['POST /body HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n', 'hello'],
    status: 200, body: '5:hello', interim: [100] },
  { name: 'readallFrom into a writer, in chunkSize pieces', send: req('POST', '/into', 'abcdefghijklmnopqrstuvwxy'),
    status: 200, body: 'true abcdefghij|klmnopqrst|uvwxy' },
  { name: 'readallFrom reads a file (read(n)) to its end', send: get('/read-file'), status: 200, body: 'abcdefghij' },
  { name: 'a body over the limit is 413', send: req('POST', '/body', 'x'.repeat(1001)), status: 413,
    json: error('HTTPError') },
  { name: 'a chunked body is 411', send: ['POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
    status: 411 },
  { name: 'a body that stops coming is 408', send: ['POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc'],
    status: 408, bad: true },

  // responses
  { name: 'a 20 KB page arrives whole (its pacing: test/httpsrv.test.ts)', send: get('/big'), status: 200,
    body: /^(0123456789){2000}$/, headers: { 'content-length': '20000' } },
  { name: 'a handler writing 16 KB to conn in 2 KB writes', send: get('/big-stream'), status: 200,
    body: /^(abcdefgh){2048}$/ },
  { name: 'text beyond ASCII goes out as UTF-8 with its length in bytes', send: get('/unicode'), status: 200,
    body: Buffer.from('Température 21°C, 5 €', 'utf8').toString('latin1'),
    headers: { 'content-length': String(Buffer.byteLength('Température 21°C, 5 €')) } },
  { name: 'pipelined requests: the first is answered, then the connection closes', example: true,
    send: [get('/page')[0] + get('/echo')[0]], status: 200, body: 'Hello from Kyanit!' },
  { name: 'OPTIONS * lists the methods with callbacks', send: req('OPTIONS', '*'), status: 200,
    headers: { allow: 'GET, POST, DELETE, PUT, PATCH, OPTIONS, HEAD' } },
  { name: '* with another method is 400', example: true, send: get('*'), status: 400, json: error('URLInvalidError'), bad: true },
  { name: 'sendResponse with an empty body, then writes to conn', send: get('/stream'), status: 200,
    body: '<p>one</p><p>two</p>', headers: { 'content-type': 'text/html; charset=utf-8', 'content-length': null } },
  { name: 'HEAD of a streamed page sends only the head', send: req('HEAD', '/stream'), status: 200, body: '' },
  { name: 'a Promise of a response, with added status and headers', send: get('/later'), status: 201,
    body: 'made', headers: { 'x-later': 'yes', 'content-length': '4' } },
  { name: 'a non-string body is sent as JSON', send: get('/json'), status: 200, json: { a: [1, 'two'] },
    headers: { 'content-type': 'application/json' } },
  { name: 'a callback that throws is 500 with the error', send: get('/throw'), status: 500,
    json: error('Error', 'boom') },
  { name: 'a callback whose Promise rejects is 500', send: get('/reject'), status: 500,
    json: error('Error', 'nope') },
  { name: 'a callback that answers nothing is 500', send: get('/nothing'), status: 500 },
  { name: 'a callback whose Promise never settles is cut off with 503', send: get('/never'), status: 503,
    json: error('HTTPError') },
  { name: 'a status never added is 500', send: get('/unknown-status'), status: 500,
    body: /unknown status 299/ },
  { name: 'an HTTPError thrown by a callback gives its status', send: get('/http-error'), status: 413,
    json: error('HTTPError', 'too big') },

  // the error view, routes, the runner
  { name: 'setErrorView replaces the error view', send: get('/view/custom'), status: 200 },
  { name: 'the custom view answers errors', send: get('/nope'), status: 500,
    body: 'custom view: NoCallbackError', headers: { 'x-view': 'custom' } },
  { name: 'the custom view answers bad requests too', send: ['GET /page HTTP/9.9\r\n\r\n'], status: 500,
    body: 'custom view: HTTPError' },
  { name: 'setErrorView(errorView) restores the default', send: get('/view/default'), status: 200 },
  { name: 'the default view is back', send: get('/nope'), status: 404, json: error('NoCallbackError', '/nope') },
  { name: 'a route not yet registered is 404', send: get('/dynamic'), status: 404 },
  { name: 'register() from a callback', send: req('POST', '/routes'), status: 201, body: 'registered' },
  { name: 'the registered route answers', send: get('/dynamic'), status: 200, body: 'dynamic' },
  { name: 'getRegistered() lists method → patterns', send: get('/registered'), status: 200,
    body: /"GET":\["\^\/page\$","\^\/echo",.*"\^\/dynamic\$"\].*"DELETE":\["\^\/routes\$","\^\/method\$"\]/ },
  { name: 'deregister() from a callback', send: req('DELETE', '/routes'), status: 200, body: 'deregistered' },
  { name: 'the deregistered route is 404 again', send: get('/dynamic'), status: 404 },
  { name: 'the runner runs both servers as tasks', send: get('/runner'), status: 200,
    json: { state: 'running', tasks: ['httpsrv', 'second'], cleanups: 0 } },
  { name: 'the second server answers', second: true, send: get('/ping'), status: 200, body: 'pong' },
  { name: 'processor(socket, addr) serves a socket handed to it, with its addr', third: true,
    send: get('/addr'), status: 200, body: 'addr peer, processed 0' },
  { name: "processor()'s Promise resolves once the connection has closed", third: true,
    send: get('/addr'), status: 200, body: 'addr peer, processed 1' },
  { name: 'close() stops the second server', send: get('/second/close'), status: 200, body: 'closed' },
  { name: 'its task ended when it closed', send: get('/runner'), status: 200,
    json: { state: 'running', tasks: ['httpsrv'], cleanups: 0 } },

  // static files from Storage (src/static.ts), as scripts/assets.mjs built test/fixtures/www
  { name: 'static: / of the prefix is its index.html, minified, revalidated each time', send: get('/files/'),
    status: 200, body: /^<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>httpsrv static files<\/title>[^]*<style>h1\{margin:0;color:red\}<\/style>/,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', vary: 'Accept-Encoding',
      etag: /^"[0-9a-f]{16}"$/, 'content-encoding': null } },
  { name: "static: a folder's index.html", send: get('/files/docs/'), status: 200, body: /The index of a folder/ },
  { name: 'static: a client without gzip gets the plain file, larger than several CHUNKs, whole',
    send: get('/files/big.txt'), status: 200, body: www('big.txt'),
    headers: { 'content-length': '6000', 'content-type': 'text/plain; charset=utf-8', 'content-encoding': null,
      vary: 'Accept-Encoding', etag: tagOf('big.txt') } },
  { name: 'static: a client accepting gzip gets gzip bytes that decompress to the file', send: get('/files/big.txt', GZIP),
    status: 200, gunzip: www('big.txt'),
    headers: { 'content-encoding': 'gzip', vary: 'Accept-Encoding', etag: tagOf('big.txt').replace(/"$/, '-gz"') } },
  { name: 'static: gzip;q=0 is a refusal: the plain file', send: get('/files/big.txt', 'Accept-Encoding: gzip;q=0, *\r\n'),
    status: 200, body: www('big.txt'), headers: { 'content-encoding': null } },
  { name: 'static: a binary file with every byte value (0xFF runs too) arrives byte for byte', send: get('/files/bytes.bin'),
    status: 200, body: www('bytes.bin'),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(www('bytes.bin').length) } },
  { name: 'static: the binary file gzipped decompresses byte for byte', send: get('/files/bytes.bin', GZIP),
    status: 200, gunzip: www('bytes.bin'), headers: { 'content-encoding': 'gzip' } },
  { name: 'static: a fresh ETag in If-None-Match is 304, with no body', send: get('/files/big.txt', `If-None-Match: ${tagOf('big.txt')}\r\n`),
    status: 304, body: '', headers: { etag: tagOf('big.txt'), 'cache-control': 'no-cache', vary: 'Accept-Encoding', 'content-length': null } },
  { name: 'static: a stale ETag is 200 with the file', send: get('/files/big.txt', 'If-None-Match: "0123456789abcdef"\r\n'),
    status: 200, body: www('big.txt') },
  { name: 'static: an ETag in a list, weak, matches: 304', send: get('/files/big.txt', `If-None-Match: "0123456789abcdef", W/${tagOf('big.txt')}\r\n`),
    status: 304, body: '' },
  { name: "static: the plain file's ETag does not match its gzip", send: get('/files/big.txt', `${GZIP}If-None-Match: ${tagOf('big.txt')}\r\n`),
    status: 200, gunzip: www('big.txt') },
  { name: 'static: If-None-Match: * is 304 for a file that exists', send: get('/files/big.txt', 'If-None-Match: *\r\n'),
    status: 304, body: '' },
  { name: 'static: HEAD sends the head alone', send: req('HEAD', '/files/big.txt'), status: 200, body: '',
    headers: { 'content-length': '6000', etag: tagOf('big.txt') } },
  { name: 'static: a name with a content hash is cached for a year', send: get('/files/logo.3f2a9c1b.svg'), status: 200,
    body: www('logo.3f2a9c1b.svg'),
    headers: { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=31536000, immutable', vary: null } },
  { name: 'static: a file kept gzip-compressed only, to a client accepting gzip', send: get('/files/gzip-only.txt', GZIP),
    status: 200, gunzip: www('gzip-only.txt'), headers: { 'content-encoding': 'gzip' } },
  { name: 'static: a file kept gzip-compressed only, to a client refusing gzip, is 406', send: get('/files/gzip-only.txt'),
    status: 406, body: '/gzip-only.txt is kept gzip-compressed only: send Accept-Encoding: gzip\n', headers: { vary: 'Accept-Encoding' } },
  { name: 'static: a missing file is 404', send: get('/files/nope.txt'), status: 404, json: error('HTTPError', 'no such file: /nope.txt') },
  { name: 'static: /.. is refused (400), not looked up', send: get('/files/../x'), status: 400, json: error('HTTPError') },
  { name: 'static: /%2e%2e (left encoded in loc) is refused', send: get('/files/%2e%2e/x'), status: 400, json: error('HTTPError') },
  { name: 'static: /%2E%2E is refused', send: get('/files/%2E%2E/big.txt'), status: 400, json: error('HTTPError') },
  { name: 'static: /. is refused', send: get('/files/./big.txt'), status: 400, json: error('HTTPError') },
  { name: 'static: a backslash is refused', send: get('/files/a\\b'), status: 400, json: error('HTTPError') },
  { name: 'static: an encoded backslash is refused', send: get('/files/docs%5cindex.html'), status: 400, json: error('HTTPError') },
  { name: "static: a name over Storage's 28 characters is refused", send: get('/files/' + 'a'.repeat(28)), status: 400,
    json: error('HTTPError') },

  // bad input: each answered, and the next request is still served
  { name: 'garbage is 400', example: true, send: ['GARBAGE\r\n\r\n'], status: 400, bad: true },
  { name: 'a request line without version is 400', example: true, send: ['GET /page\r\n\r\n'], status: 400, bad: true },
  { name: 'two spaces in the request line is 400', example: true, send: ['GET  /page HTTP/1.1\r\nHost: x\r\n\r\n'], status: 400, bad: true },
  { name: 'HTTP/2.0 is 505', example: true, send: ['GET /page HTTP/2.0\r\nHost: x\r\n\r\n'], status: 505, bad: true },
  { name: 'HTTP/1.1 without Host is 400', example: true, send: ['GET /page HTTP/1.1\r\n\r\n'], status: 400, bad: true },
  { name: 'two Host fields are 400', example: true, send: get('/page', 'Host: y\r\n'), status: 400, bad: true },
  { name: 'a non-ASCII URL is 400 URLInvalidError', example: true, send: get('/p\xe9ge'), status: 400,
    json: error('URLInvalidError'), bad: true },
  { name: 'a callback declaring no parameters is served whatever the query', example: true, send: get('/page?a=1&b'),
    status: 200, body: 'Hello from Kyanit!' },
  { name: 'a callback reading params and headers through arguments gets them', send: get('/declared?a=1&a=2&b&c=%26'),
    status: 200, body: '{"a":"2","b":null,"c":"&"} object' },
  { name: 'a broken query is 400 for a callback not taking params too', example: true, send: get('/page?a=%4'), status: 400,
    json: error('URLInvalidError'), bad: true },
  { name: 'a query starting with a broken escape is 400 URLInvalidError, not 404, where no callback matches', example: true,
    send: get('/nope?%4'), status: 400, json: error('URLInvalidError'), bad: true },
  { name: 'a query name __proto__ is 400 for a callback not taking params too', example: true, send: get('/page?x=1&__proto__'),
    status: 400, json: error('URLInvalidError'), bad: true },
  { name: 'a bad escape is 400 URLInvalidError', example: true, send: get('/echo%zz'), status: 400,
    json: error('URLInvalidError'), bad: true },
  { name: 'a cut escape is 400 URLInvalidError', example: true, send: get('/echo?a=%4'), status: 400,
    json: error('URLInvalidError'), bad: true },
  { name: 'a path without / is 400 URLInvalidError', example: true, send: get('page'), status: 400,
    json: error('URLInvalidError'), bad: true },
  { name: 'a control byte in the target is 400 URLInvalidError', example: true, send: ['GET /pa\x01ge HTTP/1.1\r\nHost: test\r\n\r\n'],
    status: 400, json: error('URLInvalidError'), bad: true },
  { name: 'a bare CR in the target is 400 URLInvalidError', example: true, send: ['GET /pa\rge HTTP/1.1\r\nHost: test\r\n\r\n'],
    status: 400, json: error('URLInvalidError'), bad: true },
  { name: 'a fragment in the target is 400', example: true, send: get('/page#top'), status: 400, bad: true },
  { name: 'a header named like an Object.prototype member is 400', example: true, send: get('/page', '__proto__: x\r\n'),
    status: 400, bad: true },
  { name: 'a query name __proto__ is 400', example: true, send: get('/echo?__proto__=1'), status: 400,
    json: error('URLInvalidError'), bad: true },
  { name: 'a field value starting with a bare CR (a hidden header) is 400', example: true,
    send: get('/page', 'X-A:\rTransfer-Encoding: chunked\r\n'), status: 400, bad: true },
  { name: 'a field value ending with a bare CR is 400', example: true,
    send: get('/page', 'X-A: a\r\r\n'), status: 400, bad: true },
  { name: 'a bare-LF line inside a CRLF head is 400', example: true,
    send: get('/page', 'Dummy: x\nX-B: y\r\n'), status: 400, bad: true },
  { name: 'a bare-LF empty line ending a CRLF head is 400', example: true,
    send: ['GET /page HTTP/1.1\r\nHost: x\r\n\n'], status: 400, bad: true },
  { name: 'a CRLF line inside a bare-LF head is 400', example: true,
    send: ['GET /page HTTP/1.1\nHost: x\r\nX-A: y\n\n'], status: 400, bad: true },
  { name: 'a CRLF empty line ending a bare-LF head is 400', example: true,
    send: ['GET /page HTTP/1.1\nHost: x\n\r\n'], status: 400, bad: true },
  { name: 'NUL in a header is 400', example: true, send: get('/page', 'X-A: a\x00b\r\n'), status: 400, bad: true },
  { name: 'a header without colon is 400', example: true, send: get('/page', 'NoColon\r\n'), status: 400, bad: true },
  { name: 'white space before the colon is 400', example: true, send: ['GET /page HTTP/1.1\r\nHost : x\r\n\r\n'], status: 400, bad: true },
  { name: 'obs-fold is 400', example: true, send: get('/page', 'X-A: a\r\n  b\r\n'), status: 400, bad: true },
  { name: 'a bare CR inside a line is 400', example: true, send: get('/page', 'X-A: a\rb\r\n'), status: 400, bad: true },
  { name: 'Content-Length with Transfer-Encoding is 400', example: true,
    send: get('/page', 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n'), status: 400, bad: true },
  { name: 'Content-Length as the first field with Transfer-Encoding is 400', example: true,
    send: ['GET /page HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nHost: test\r\n\r\n'], status: 400, bad: true },
  { name: 'a malformed Content-Length is 400', example: true, send: get('/page', 'Content-Length: 1x\r\n'), status: 400, bad: true },
  { name: 'two Content-Lengths are 400', example: true, send: get('/page', 'Content-Length: 1\r\nContent-Length: 2\r\n'),
    status: 400, bad: true },
  { name: 'a request line over 512 bytes is 414', example: true, send: get('/' + 'a'.repeat(600)), status: 414, bad: true },
  { name: 'a long request line is 414 before its end arrives', example: true, send: ['GET /' + 'a'.repeat(600)],
    status: 414, bad: true },
  { name: 'header fields over limits.head (1024 bytes) are 431', example: true, send: get('/page', 'X-Big: ' + 'b'.repeat(2100) + '\r\n'),
    status: 431, bad: true },
  { name: 'more than 32 header fields are 431', example: true,
    send: get('/page', Array.from({ length: 40 }, (_, i) => `X-${i}: ${i}\r\n`).join('')),
    status: 431, bad: true },
  { name: 'a head that stops coming is 408', send: ['GET /page HTTP/1.1\r\nHost: x\r\n'],
    status: 408, bad: true },
  { name: 'a connection that sends nothing is closed', send: [], status: null, body: '', bad: true },
  { name: 'binary bytes (a TLS hello) are answered 400', example: true, send: ['\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n'],
    status: 400, bad: true }
];

/** Checks a reply against its case; returns what differs, or '' when it matches. */
export function mismatch(c: Case, r: Reply): string {
  const problems: string[] = [];
  if (r.status !== c.status) problems.push(`status ${r.status}, expected ${c.status}`);
  if (JSON.stringify(r.interim) !== JSON.stringify(c.interim ?? [])) problems.push(`interim ${r.interim}`);
  if (typeof c.body == 'string' && r.body !== c.body) problems.push(`body ${JSON.stringify(r.body)}`);
  if (c.body instanceof RegExp && !c.body.test(r.body)) problems.push(`body ${JSON.stringify(r.body)}`);
  if (c.gunzip !== undefined) {
    let text: string;
    try { text = gunzipSync(Buffer.from(r.body, 'latin1')).toString('latin1'); } catch (e) { text = `(not gzip: ${(e as Error).message})`; }
    if (text !== c.gunzip) problems.push(`gunzipped body ${JSON.stringify(text.slice(0, 200))}`);
  }
  // a body of another length than announced: cut short, or more than said
  const length = r.headers['content-length'];
  if (length !== undefined && !/^HEAD /.test(c.send[0]) && r.status !== 304 && Number(length) !== r.body.length) {
    problems.push(`Content-Length ${length}, body of ${r.body.length} bytes`);
  }
  if (c.json !== undefined) {
    let got: unknown;
    try { got = JSON.parse(r.body); } catch { got = r.body; }
    if (!jsonMatches(got, c.json)) problems.push(`json ${JSON.stringify(got)}`);
  }
  for (const [name, want] of Object.entries(c.headers ?? {})) {
    const got = r.headers[name];
    const ok = want === null ? got === undefined : want instanceof RegExp ? want.test(got ?? '') : got === want;
    if (!ok) problems.push(`header ${name}: ${JSON.stringify(got)}`);
  }
  if (r.status !== null && !/^close$/i.test(r.headers.connection ?? '')) problems.push('no Connection: close');
  return problems.length ? problems.join('; ') + `\n      raw: ${JSON.stringify(r.raw)}` : '';
}

/** Deep equality, where ANY matches anything. */
function jsonMatches(got: unknown, want: unknown): boolean {
  if (want === ANY) return true;
  if (want === null || typeof want != 'object') return got === want;
  if (got === null || typeof got != 'object') return false;
  if (Array.isArray(want)) {
    return Array.isArray(got) && got.length == want.length && want.every((w, i) => jsonMatches(got[i], w));
  }
  const keys = Object.keys(want);
  return keys.length == Object.keys(got).length &&
    keys.every((k) => jsonMatches((got as any)[k], (want as any)[k]));
}
