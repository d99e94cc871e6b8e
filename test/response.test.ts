import { strict as assert } from 'node:assert';
import { HTTPError, NoCallbackError, NoMethodError, URLInvalidError } from '../src/http/errors';
import { addStatus, CT_HTML, CT_JSON, errorView, formatHead, response } from '../src/http/response';

describe('response: statuses, heads and the error view', function () {
  it('builds a response object with defaults', function () {
    assert.deepEqual(response(200), { status: 200, body: '', contentType: 'text/plain; charset=utf-8', headers: {} });
    assert.deepEqual(response(404, { a: 1 }, CT_JSON).body, '{"a":1}');
  });

  it('knows only the default statuses until addStatus()', function () {
    assert.throws(() => response(204), /unknown status 204/);
    addStatus(204, 'No Content');
    assert.equal(response(204).status, 204);
    assert.throws(() => addStatus(2000, 'x'), /addStatus/);
    assert.throws(() => addStatus(299, 'a\r\nX: y'), /addStatus/);
  });

  it('formats one head: status line, type, length, Connection: close, extra headers', function () {
    assert.equal(formatHead(response(200, 'hi', CT_HTML, { 'X-A': '1' })),
      'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\nX-A: 1\r\n\r\n');
  });

  it('measures the body with the platform\'s byte length when given one', function () {
    assert.match(formatHead(response(200, 'é€'), false, (s) => Buffer.byteLength(s)), /Content-Length: 5\r\n/);
  });

  it('announces no length for an empty body unless told it is complete', function () {
    assert.ok(!/Content-Length/.test(formatHead(response(200))));
    assert.ok(/Content-Length: 0\r\n/.test(formatHead(response(200), true)));
  });

  it('refuses header values that would split the head', function () {
    assert.throws(() => formatHead(response(200, '', CT_HTML, { 'X-A': 'a\r\nSet-Cookie: x' })), /line break/);
  });

  it('the error view gives each error its status and a JSON body', function () {
    const cases: [unknown, number, string][] = [
      [new NoCallbackError('/x'), 404, 'NoCallbackError'],
      [new NoMethodError('BREW'), 501, 'NoMethodError'],
      [new URLInvalidError('bad'), 400, 'URLInvalidError'],
      [new HTTPError(431, 'big'), 431, 'HTTPError'],
      [new Error('boom'), 500, 'Error'],
      ['a string', 500, 'Error'],
      [Object.assign(new Error('odd'), { status: 'constructor' }), 500, 'Error']
    ];
    for (const [exc, status, name] of cases) {
      const r = errorView(exc);
      assert.equal(r.status, status, name);
      assert.equal(r.contentType, 'application/json');
      assert.equal(JSON.parse(r.body).error, name);
    }
    assert.deepEqual(JSON.parse(errorView(new Error('boom')).body), { error: 'Error', detail: 'boom' });
  });

  it('sends the standard text of every status it knows', function () {
    const texts: { [status: number]: string } = { 200: 'OK', 400: 'Bad Request', 404: 'Not Found',
      408: 'Request Timeout', 411: 'Length Required', 413: 'Content Too Large', 414: 'URI Too Long',
      431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 501: 'Not Implemented',
      503: 'Service Unavailable', 505: 'HTTP Version Not Supported' };
    for (const [status, text] of Object.entries(texts)) {
      assert.ok(formatHead(response(Number(status))).startsWith(`HTTP/1.1 ${status} ${text}\r\n`), status);
    }
  });

  it('the error view describes whatever was thrown: a string, null, an Espruino error (type, no name)', function () {
    const detail = (exc: unknown) => JSON.parse(errorView(exc).body);
    assert.deepEqual(detail('a string'), { error: 'Error', detail: 'a string' });
    assert.deepEqual(detail(null), { error: 'Error', detail: 'null' });
    assert.deepEqual(detail(undefined), { error: 'Error', detail: 'undefined' });
    assert.deepEqual(detail({ type: 'InternalError', message: 'Out of memory' }),
      { error: 'InternalError', detail: 'Out of memory' });
    assert.deepEqual(detail(new Error('')), { error: 'Error', detail: '' });
  });

  it('errors are Errors of their own type, and say what they are', function () {
    const e = new URLInvalidError('bad');
    assert.ok(e instanceof URLInvalidError && e instanceof HTTPError && e instanceof Error);
    assert.ok(!(e instanceof NoMethodError));
    assert.equal(String(e), 'URLInvalidError: bad');
  });
});
