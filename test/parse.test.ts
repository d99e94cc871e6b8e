import { strict as assert } from 'node:assert';
import { DEFAULT_LIMITS, Limits } from '../src/http/limits';
import { feed, fields, Head, State } from '../src/http/parse';
import { join } from 'node:path';
import { ESPRUINO_MEMBERS, loadInEspruinoRealm, ownEntries } from './espruino-realm';

const { LINE, FIELDS, DONE, FAILED } = { LINE: State.LINE, FIELDS: State.FIELDS, DONE: State.DONE, FAILED: State.FAILED };

const limits: Limits = { ...DEFAULT_LIMITS };

function parse(pieces: string[], lim: Limits = limits): Head {
  const h = ({} as Head);
  for (const p of pieces) if (feed(h, p, lim) >= DONE) break;
  return h;
}

/** A head parsed whole (the quick path takes what it can) and with its request line in a piece
 *  of its own (the per-line loop then reads all of it): both ways must answer alike. */
function bothWays(text: string, lim: Limits = limits): Head[] {
  const at = text.indexOf('\n') + 1;
  return [parse([text], lim), parse([text.substring(0, at), text.substring(at)], lim)];
}

describe('parse: the request head state machine', function () {
  it('parses a complete head in one piece', function () {
    const h = parse(['GET /a?b=1 HTTP/1.1\r\nHost: x\r\nUser-Agent:  curl/8 \r\n\r\nBODY']);
    assert.equal(h.state_, DONE);
    assert.equal(h.method_, 'GET');
    assert.equal(h.target_, '/a?b=1');
    assert.equal(h.version_, 'HTTP/1.1');
    assert.deepEqual(fields(h), { host: 'x', 'user-agent': 'curl/8' });
    assert.equal(h.rest_, 'BODY');
  });

  it('moves LINE → FIELDS → DONE as pieces arrive, byte by byte', function () {
    const text = 'POST /x HTTP/1.0\r\nContent-Length: 2\r\n\r\nok';
    const h = ({} as Head);
    const states: number[] = [];
    for (const ch of text) {
      const s = feed(h, ch, limits);
      if (states[states.length - 1] !== s) states.push(s);
      if (s == DONE) break;
    }
    assert.deepEqual(states, [LINE, FIELDS, DONE]);
    assert.equal(fields(h)['content-length'], '2');
    assert.equal(h.rest_, '');
  });

  it('keeps only the unparsed part of the head between pieces', function () {
    const h = ({} as Head);
    feed(h, 'GET / HTTP/1.1\r\nHost: x\r\nX-Long: abc', limits);
    assert.equal(h.buf_, 'Host: x\r\nX-Long: abc');
    assert.equal(h.target_, '/');
  });

  it('finds the end of the head across pieces, whatever the split', function () {
    const text = 'GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\n\r\nrest';
    for (let i = 1; i < text.length; i++) {
      const h = parse([text.substring(0, i), text.substring(i)]);
      assert.equal(h.state_, DONE, `split at ${i}`);
      assert.deepEqual(fields(h), { host: 'x', a: '1' });
      // the body's bytes after the head are `rest_` when they came in the same piece
      assert.equal(h.rest_ || '', i < 33 ? 'rest' : text.substring(33, i), `split at ${i}`);
    }
  });

  it('checks a head ending with the data in one pass, and splits its fields only when asked', function () {
    const h = parse(['GET / HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nAccept:\t*/* \r\nUser-Agent: a: b\r\n\r\n']);
    assert.equal(h.state_, DONE);
    assert.equal(h.fields_, undefined);
    assert.deepEqual(fields(h), { host: 'x', 'x-empty': '', accept: '*/*', 'user-agent': 'a: b' });
    assert.equal(fields(h), h.fields_);
    assert.equal(h.rest_, undefined);
  });

  it("takes a browser's head through the quick path, names starting as the framing ones do included", function () {
    // Connection and Cache-Control start as Content-Length does, TE as Transfer-Encoding, ECT as
    // Expect, HTTP2-Settings as Host: each is looked for by name, and is none of those
    const text = 'GET /a?b=1 HTTP/1.1\r\nHost: board.local\r\nConnection: keep-alive\r\nCache-Control: max-age=0\r\n' +
      'TE: trailers\r\nECT: 4g\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\nAccept-Encoding: gzip, deflate\r\n\r\n';
    const h = parse([text]);
    assert.equal(h.state_, DONE, h.reason_);
    assert.equal(h.fields_, undefined, 'checked in one pass, not split');
    assert.deepEqual(fields(h), { host: 'board.local', connection: 'keep-alive', 'cache-control': 'max-age=0', te: 'trailers',
      ect: '4g', 'http2-settings': 'AAMAAABkAAQAoAAAAAIAAAAA', 'accept-encoding': 'gzip, deflate' });
  });

  it('joins repeated fields and lower-cases names', function () {
    const h = parse(['GET / HTTP/1.1\r\nHost: x\r\nAccept: a\r\nACCEPT: b\r\n\r\n']);
    assert.equal(fields(h).accept, 'a, b');
  });

  it('accepts bare LF and leading empty lines', function () {
    assert.equal(parse(['\r\n\nGET / HTTP/1.1\nHost: x\n\n']).state_, DONE);
  });

  const failures: [string, string, number][] = [
    ['no version', 'GET /\r\n\r\n', 400],
    ['extra space', 'GET / x HTTP/1.1\r\n\r\n', 400],
    ['empty target', 'GET  HTTP/1.1\r\n\r\n', 400],
    ['bad method token', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\n\r\n', 505],
    ['garbage version', 'GET / HTTX/1.1\r\n\r\n', 400],
    ['missing Host on 1.1', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['empty Host', 'GET / HTTP/1.1\r\nHost:\r\n\r\n', 400],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
    ['no colon', 'GET / HTTP/1.1\r\nHost: a\r\nNope\r\n\r\n', 400],
    ['space in name', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n', 400],
    ['NUL in value', 'GET / HTTP/1.1\r\nHost: a\x00\r\n\r\n', 400],
    ['CR inside a line', 'GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n', 400],
    ['control byte in the version', 'GET / HTTP/1.1\x01\r\nHost: x\r\n\r\n', 400],
    ['CR in the method', 'G\rT / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['CL and TE', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    ['CL not digits', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n', 400],
    ['two CLs', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n', 400],
    ['__proto__', 'GET / HTTP/1.1\r\nHost: a\r\n__proto__: x\r\n\r\n', 400],
    ['a value starting with a bare CR (a hidden header)', 'GET / HTTP/1.1\r\nHost: a\r\nX:\rTransfer-Encoding: chunked\r\n\r\n', 400],
    ['a value ending with a bare CR', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\r\n\r\n', 400],
    ['an empty value and a bare LF in a CRLF head', 'GET / HTTP/1.1\r\nHost: a\r\nX:\n\r\n', 400],
    ['a bare-LF line in a CRLF head', 'GET / HTTP/1.1\r\nHost: a\r\nDummy: x\nY: z\r\n\r\n', 400],
    ['a bare-LF empty line ending a CRLF head', 'GET / HTTP/1.1\r\nHost: a\r\n\nBODY', 400],
    ['a bare-LF empty line inside a CRLF head that ends with CRLF CRLF', 'GET / HTTP/1.1\r\nHost: a\r\n\nX: b\r\n\r\n', 400],
    ['CL as the first field, then TE', 'POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\nHost: a\r\n\r\n', 400],
    ['a bare-LF empty line right after a CRLF request line', 'GET / HTTP/1.0\r\n\n', 400],
    ['a CRLF line in a bare-LF head', 'GET / HTTP/1.1\nHost: a\r\nY: z\n\n', 400],
    ['a CRLF empty line ending a bare-LF head', 'GET / HTTP/1.1\nHost: a\n\r\n', 400],
    ['a CRLF empty line right after a bare-LF request line', 'GET / HTTP/1.0\n\r\n', 400],
    ['many empty lines first', '\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n', 400],
    // shapes a pass over the whole block could half-match (the quick path)
    ['an empty name before a valid-looking rest', 'GET / HTTP/1.1\r\nHost: a\r\n:a: b\r\n\r\n', 400],
    ['a bare CR and a colon ending a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\r:\r\n\r\n', 400],
    ['a bare CR and an x, then a bare LF', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\rx\nY: b\r\n\r\n', 400],
    ['a second Host in other case', 'GET / HTTP/1.1\r\nHost: a\r\nHOST: a\r\n\r\n', 400],
    ['only a name ending in host', 'GET / HTTP/1.1\r\nX-Host: a\r\n\r\n', 400],
    ['a Host of white space', 'GET / HTTP/1.1\r\nHost: \t \r\n\r\n', 400],
    ['a DEL in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n', 400]
  ];
  for (const [what, text, status] of failures) {
    it(`fails ${status} on ${what}`, function () {
      for (const h of bothWays(text)) {
        assert.equal(h.state_, FAILED, `${what}: state ${h.state_}`);
        assert.equal(h.status_, status);
        assert.ok(h.reason_!.length > 0);
      }
    });
  }

  it('reads a head with bare LF line ends throughout, and one with CRLF throughout', function () {
    for (const eol of ['\n', '\r\n']) {
      const h = parse([`GET / HTTP/1.1${eol}Host: a${eol}X:${eol}Y:  b ${eol}${eol}BODY`]);
      assert.equal(h.state_, DONE, JSON.stringify(eol));
      assert.deepEqual(fields(h), { host: 'a', x: '', y: 'b' });
      assert.equal(h.rest_, 'BODY');
    }
  });

  it("reads names Espruino's objects already have as own fields, repeats joined", function () {
    // in a context whose objects carry on, emit, clone... as on Espruino
    const realm = loadInEspruinoRealm<typeof import('../src/http/parse')>(join(__dirname, '../src/http/parse.ts'));
    const h = ({} as Head);
    const text = 'GET / HTTP/1.1\r\nHost: a\r\n' + ESPRUINO_MEMBERS.map((n, i) => `${n}: ${i}\r\n`).join('') +
      'On: again\r\n\r\n';
    assert.equal(realm.feed(h, text, limits), DONE, h.reason_);
    const want = Object.fromEntries(ESPRUINO_MEMBERS.map((n, i) => [n.toLowerCase(), String(i)]));
    assert.deepEqual(ownEntries(realm.fields(h)), { host: "a", ...want, on: "0, again" });
  });

  it('reads a request line whose parts are each as short as they may be', function () {
    for (const h of bothWays('X / HTTP/1.1\r\nHost: x\r\n\r\n')) {
      assert.equal(h.state_, DONE);
      assert.deepEqual([h.method_, h.target_], ['X', '/']);
    }
  });

  it('leaves a head that frames a body, or names a field the quick path does not read, to the per-line loop, wherever that field is', function () {
    for (const [first, want] of [['Content-Length: 2', { 'content-length': '2' }], ['Transfer-Encoding: chunked', { 'transfer-encoding': 'chunked' }],
      ['Expect: 100-continue', { expect: '100-continue' }]] as const) {
      for (const text of [`POST / HTTP/1.1\r\n${first}\r\nHost: x\r\n\r\n`, `POST / HTTP/1.1\r\nHost: x\r\n${first}\r\n\r\n`]) {
        const h = parse([text]);
        assert.equal(h.state_, DONE, text);
        // the framing fields are read as the head completes: the server frames the body by them
        assert.deepEqual(h.fields_, { host: 'x', ...want }, text);
      }
    }
    for (const text of ['GET / HTTP/1.1\r\n__proto__: x\r\nHost: x\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nhost: y\r\n\r\n',
      'GET / HTTP/1.1\r\nHOST: y\r\nHost: x\r\n\r\n']) assert.equal(parse([text]).status_, 400, text);
  });

  it('takes a request line and fields each exactly at their limits in one piece, and refuses one byte more', function () {
    const lim = { ...limits, line: 40, head: 60, fields: 3 };
    const line = 'GET /' + 'p'.repeat(40 - 'GET / HTTP/1.1'.length) + ' HTTP/1.1';
    const fields = 'Host: x\r\nA: 1\r\nB: ' + 'b'.repeat(60 - 'Host: x\r\nA: 1\r\nB: \r\n'.length) + '\r\n';
    assert.equal(line.length, 40);
    assert.equal(fields.length, 60);
    for (const h of bothWays(line + '\r\n' + fields + '\r\n', lim)) assert.equal(h.state_, DONE, h.reason_);
    // whole, the quick path takes it: its fields are split only when asked for
    assert.equal(parse([line + '\r\n' + fields + '\r\n'], lim).fields_, undefined);
    assert.equal(parse([line + 'p\r\n' + fields + '\r\n'], lim).status_, 414);
    assert.equal(parse([line + '\r\n' + fields.replace('B: ', 'B: b') + '\r\n'], lim).status_, 431);
    assert.equal(parse([line + '\r\n' + fields.replace('A: 1\r\n', 'A: 1\r\nC:\r\n').replace('bbbb', '') + '\r\n'], lim).status_, 431);
  });

  // each head has its Host and is whole, so that only the one flaw named can fail it
  const flaws: [string, string, number, RegExp][] = [
    ['an empty method', ' / HTTP/1.1\r\nHost: x\r\n\r\n', 400, /request line/],
    ['an empty target', 'GET  HTTP/1.1\r\nHost: x\r\n\r\n', 400, /request line/],
    ['a space in the target', 'GET / x HTTP/1.1\r\nHost: x\r\n\r\n', 400, /request line/],
    ['two spaces before the version', 'GET /  HTTP/1.1\r\nHost: x\r\n\r\n', 400, /request line/],
    ['a version with text before it', 'GET / xHTTP/1.1\r\nHost: x\r\n\r\n', 400, /version/],
    ['an empty field name', 'GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n', 400, /header/],
    ['a field line without colon ending in a bare LF', 'GET / HTTP/1.0\r\nA\n\r\n', 400, /./],
    ['a field line starting with a bare CR', 'GET / HTTP/1.0\r\n\rX: y\r\n\r\n', 400, /./],
    ['a value starting with a CR, in a bare-LF head', 'GET / HTTP/1.0\nX:\ry\n\n', 400, /header/],
    ['a Host starting with a comma', 'GET / HTTP/1.1\r\nHost: ,x\r\n\r\n', 400, /Host/],
    ['five empty lines first', '\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n', 400, /request line/]
  ];
  for (const [what, text, status, reason] of flaws) {
    it(`fails ${status} on ${what}, saying so`, function () {
      for (const h of bothWays(text)) {
        assert.equal(h.state_, FAILED, `${what}: state ${h.state_}`);
        assert.equal(h.status_, status);
        assert.match(h.reason_!, reason);
      }
    });
  }

  it('ignores up to four empty lines before the request line', function () {
    assert.equal(parse(['\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n']).state_, DONE);
  });

  it('finds the end of a head with no fields, and keeps the body after it, whatever the line ends', function () {
    for (const eol of ['\r\n', '\n']) {
      const h = parse([`POST / HTTP/1.0${eol}${eol}` + 'b'.repeat(limits.head + 1)]);
      assert.equal(h.state_, DONE, JSON.stringify(eol));
      assert.equal(h.rest_, 'b'.repeat(limits.head + 1));
    }
  });

  it('a body holding line ends of the other kind does not end or break the head', function () {
    const lf = parse(['POST / HTTP/1.0\nContent-Length: 6\n\na\r\n\r\nb']);
    assert.equal(lf.state_, DONE, `bare LF head: ${lf.reason_}`);
    assert.equal(lf.rest_, 'a\r\n\r\nb');
    const crlf = parse(['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\na\n\nb']);
    assert.equal(crlf.state_, DONE, `CRLF head: ${crlf.reason_}`);
    assert.equal(crlf.rest_, 'a\n\nb');
  });

  it('answers 414 as soon as the request line outgrows its limit, before its end', function () {
    const h = ({} as Head);
    assert.equal(feed(h, 'GET /' + 'a'.repeat(400), limits), LINE);
    assert.equal(feed(h, 'a'.repeat(200), limits), FAILED);
    assert.equal(h.status_, 414);
    assert.equal(h.buf_, '', 'what was held is dropped');
  });

  it('answers 431 when the fields outgrow their byte limit, even inside one line', function () {
    const h = ({} as Head);
    feed(h, 'GET / HTTP/1.1\r\nHost: x\r\nX: ', limits);
    assert.equal(feed(h, 'v'.repeat(limits.head), limits), FAILED);
    assert.equal(h.status_, 431);
  });

  describe('limits count the bytes they name, at exactly the limit and one over', function () {
    const lim: Limits = { ...limits, line: 60, head: 100 };
    /** A request line of exactly n bytes, line end not counted. */
    const lineOf = (n: number) => 'GET /' + 'a'.repeat(n - 'GET / HTTP/1.1'.length) + ' HTTP/1.1';
    /** Header fields of exactly n bytes, each with its line end; not the empty line after. */
    const fieldsOf = (n: number, eol: string) => {
      const host = 'Host: x' + eol;
      return host + 'X: ' + 'v'.repeat(n - host.length - 3 - eol.length) + eol;
    };
    /** The state and status of `text` fed whole, and split in two at every byte. */
    function outcomes(text: string): Set<string> {
      const seen = new Set<string>();
      for (let i = 0; i < text.length; i++) {
        const h = parse(i ? [text.substring(0, i), text.substring(i)] : [text], lim);
        // a failure says why
        seen.add(h.state_ == FAILED ? h.status_ + (h.reason_ ? '' : ' (no reason)') : h.state_ == DONE ? 'done' : 'waiting');
      }
      return seen;
    }

    for (const [eol, name] of [['\r\n', 'CRLF'], ['\n', 'bare LF']]) {
      it(`request line (${name}): ${lim.line} bytes are served, ${lim.line + 1} are 414, however split`, function () {
        assert.equal(lineOf(lim.line).length, lim.line);
        assert.deepEqual(outcomes(lineOf(lim.line) + eol + 'Host: x' + eol + eol), new Set(['done']));
        assert.deepEqual(outcomes(lineOf(lim.line + 1) + eol + 'Host: x' + eol + eol), new Set(['414']));
        // empty lines before it are not part of it
        assert.deepEqual(outcomes(eol + lineOf(lim.line) + eol + 'Host: x' + eol + eol), new Set(['done']));
      });

      it(`request line (${name}): ${lim.line + 1} bytes are 414 before its end arrives`, function () {
        const h = ({} as Head);
        assert.equal(feed(h, lineOf(lim.line), lim), LINE);
        assert.equal(feed(h, 'a', lim), FAILED);
        assert.equal(h.status_, 414);
      });

      it(`header fields (${name}): ${lim.head} bytes are served, ${lim.head + 1} are 431, however split`, function () {
        assert.equal(fieldsOf(lim.head, eol).length, lim.head);
        assert.deepEqual(outcomes('GET / HTTP/1.1' + eol + fieldsOf(lim.head, eol) + eol), new Set(['done']));
        assert.deepEqual(outcomes('GET / HTTP/1.1' + eol + fieldsOf(lim.head + 1, eol) + eol), new Set(['431']));
      });

      it(`each limit counts its own part (${name}): line, fields and body apart`, function () {
        // a full line with full fields, and a body longer than either after them, in one piece
        const text = lineOf(lim.line) + eol + fieldsOf(lim.head, eol) + eol + 'b'.repeat(lim.head + lim.line);
        const h = parse([text], lim);
        assert.equal(h.state_, DONE, `status ${h.status_}`);
        assert.equal(h.rest_, 'b'.repeat(lim.head + lim.line));
        // a short line does not lend its room to the fields, nor the fields theirs to the line
        assert.equal(parse(['GET / HTTP/1.1' + eol + fieldsOf(lim.head + 1, eol) + eol], lim).status_, 431);
        assert.equal(parse([lineOf(lim.line + 1) + eol + 'Host: x' + eol + eol], lim).status_, 414);
      });
    }
  });

  it('answers 431 past the field count', function () {
    const lim = { ...limits, fields: 3 };
    assert.equal(parse(['GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'], lim).status_, 431);
    assert.match(parse(['GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'], lim).reason_!, /fields/);
    assert.equal(parse(['GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n'], lim).state_, DONE);
  });

  it('never holds more than its limits, whatever arrives', function () {
    const h = ({} as Head);
    for (let i = 0; i < 1000 && (h.state_ || LINE) < DONE; i++) feed(h, 'x'.repeat(97), limits);
    assert.equal(h.state_, FAILED);
    assert.ok(h.buf_!.length <= limits.line);
  });
});
