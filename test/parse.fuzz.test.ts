/**
 * Property-based fuzzing of the head parser (fast-check): thousands of random heads, random
 * mutations of valid ones, and random splits into pieces. The parser never throws, never holds
 * more than its limits, gives every failure an HTTP status, and classifies a head the same
 * however it is split.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { DEFAULT_LIMITS, Limits } from '../src/http/limits';
import { Head, State } from '../src/http/parse';
import { join } from 'node:path';
import { ESPRUINO_MEMBERS, loadInEspruinoRealm, ownEntries } from './espruino-realm';

// the parser as it meets objects on Espruino: every one carries on, emit, clone...
const { feed, fields: fieldsOf } = loadInEspruinoRealm<typeof import('../src/http/parse')>(join(__dirname, '../src/http/parse.ts'));

const { LINE, FIELDS, DONE, FAILED } = { LINE: State.LINE, FIELDS: State.FIELDS, DONE: State.DONE, FAILED: State.FAILED };

const limits: Limits = { ...DEFAULT_LIMITS };
const RUNS = Number(process.env.FUZZ_RUNS || 5000);
const STATUSES = [400, 414, 431, 505];

/** Feeds `text` in the pieces cut at `cuts`, checking the bounds after every piece. */
function run(text: string, cuts: number[]): Head {
  const h = ({} as Head);
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, text.length]) {
    if (to < from) continue;
    const state = feed(h, text.substring(from, to), limits);
    assert.ok([LINE, FIELDS, DONE, FAILED].includes(state));
    // the limit, and a CR last whose LF is yet to come
    if (state == LINE) assert.ok(h.buf_!.length <= limits.line + 1, `LINE holds ${h.buf_!.length}`);
    if (state == FIELDS) assert.ok(h.buf_!.length <= limits.head + 1, `FIELDS holds ${h.buf_!.length}`);
    if (state == FAILED) assert.ok(STATUSES.includes(h.status_!), `status ${h.status_}`);
    from = to;
    if (state >= DONE) break;
  }
  return h;
}

/** What a parse concluded: the state and, when done, what was read; when failed, the status. */
function verdict(h: Head): string {
  if (h.state_ == DONE) return JSON.stringify([h.method_, h.target_, h.version_, ownEntries(fieldsOf(h))]);
  return h.state_ == FAILED ? `failed ${h.status_}` : `waiting ${h.state_}`;
}

// names drawn from Espruino's own members half the time: they are plain fields too
const token = fc.oneof(fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/), fc.constantFrom(...ESPRUINO_MEMBERS));
const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);
const validHead = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'BREW'),
  target: fc.stringMatching(/^\/[\x21-\x7e]{0,40}$/),
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0'),
  fields: fc.uniqueArray(fc.tuple(token, value), { maxLength: 12, selector: (f) => f[0].toLowerCase() }),
  eol: fc.constantFrom('\r\n', '\n')
}).map((m) => {
  // Host is added once; framing fields and __proto__ (refused by design) have their own tests
  const fields = m.fields.filter(([n]) =>
    !['host', 'content-length', 'transfer-encoding', '__proto__'].includes(n.toLowerCase()));
  fields.unshift(['Host', 'example']);
  const text = `${m.method} ${m.target} ${m.version}${m.eol}` +
    fields.map(([n, v]) => `${n}: ${v}${m.eol}`).join('') + m.eol;
  return { m, fields, text };
});

describe('parse: fuzzed', function () {
  it(`never throws or outgrows its limits on random bytes (${RUNS} runs)`, function () {
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 8 }),
      (text, cuts) => { run(text, cuts); }), { numRuns: RUNS });
  });

  it(`never throws or outgrows its limits on random heads of latin1 bytes (${RUNS} runs)`, function () {
    const bytes = fc.array(fc.constantFrom('GET', ' ', '/', 'HTTP/1.1', '\r', '\n', ':', 'Host', 'a', '\x00', '\xe9', '\t', 'Content-Length', '5', 'x'.repeat(600)),
      { maxLength: 60 }).map((a) => a.join(''));
    fc.assert(fc.property(bytes, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => { run(text, cuts); }),
      { numRuns: RUNS });
  });

  it(`reads valid heads as they were written, however split (${RUNS} runs)`, function () {
    fc.assert(fc.property(validHead, fc.array(fc.nat(), { maxLength: 10 }), ({ m, fields, text }, cuts) => {
      // ending where the head ends (the quick path, for CRLF) and with a body after it
      for (const body of ['', 'BODY']) {
        const h = run(text + body, cuts);
        assert.equal(h.state_, DONE, `${JSON.stringify(text)}: ${h.reason_}`);
        assert.equal(h.method_, m.method);
        assert.equal(h.target_, m.target);
        assert.equal(h.version_, m.version);
        assert.ok(body.startsWith(h.rest_ || ''), 'the bytes after the head are the body');
        assert.deepEqual(ownEntries(fieldsOf(h)), Object.fromEntries(fields.map(([n, v]) => [n.toLowerCase(), v])));
      }
    }), { numRuns: RUNS });
  });

  it(`classifies mutated heads the same however split (${RUNS} runs)`, function () {
    const mutation = fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.integer({ min: 0, max: 255 }));
    fc.assert(fc.property(validHead, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 10 }),
      ({ text }, mutations, cuts) => {
        let t = text;
        for (const [at, kind, byte] of mutations) {
          const i = at % (t.length + 1), ch = String.fromCharCode(byte);
          t = kind == 0 ? t.slice(0, i) + ch + t.slice(i) : kind == 1 ? t.slice(0, i) + t.slice(i + 1)
            : t.slice(0, i) + ch + t.slice(i + 1);
        }
        assert.equal(verdict(run(t, cuts)), verdict(run(t, [])), JSON.stringify(t));
      }), { numRuns: RUNS });
  });

  it(`answers a head the same by the quick path as by the per-line loop (${RUNS} runs)`, function () {
    // a head that ends the data takes the quick path; with a body after it, the per-line loop
    // mostly names the quick path takes; now and then one it leaves to the loop
    const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('a', 'A', 'on', 'X-Host', 'Accept', 'b') },
      { weight: 1, arbitrary: fc.constantFrom('Host', 'HOST', 'Content-Length', 'Transfer-Encoding', 'Expect', '__proto__') });
    const good = fc.tuple(name, fc.constantFrom(': ', ':', ' : ', ':\t'), value).map(([n, c, v]) => n + c + v);
    // a valid line with bytes before or after it: what a pass over the whole block may half-match
    const bad = fc.tuple(fc.constantFrom('', ':', ' ', 'a ', '\t', '\x01', '\r', '\n', ':a', 'x:\r'), good,
      fc.constantFrom('', '\r', '\r:', '\ra', '\rx', '\rXx\nZ: z', '\n', '\x7f', ',')).map(([a, g, b]) => a + g + b);
    const line = fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: bad });
    // mostly request lines the quick path takes
    const requestLine = fc.oneof({ weight: 4, arbitrary: fc.constant('GET / HTTP/1.1') },
      { weight: 3, arbitrary: fc.tuple(fc.constantFrom('GET', 'BREW', 'G(T', 'GET ', ''),
        fc.constantFrom('/', '/page?a=1', '/a b', '/a\rb', '/a\nb', '/\x01', '', '/' + 'p'.repeat(30)),
        fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', 'http/1.1', 'HTTP/1.1\r')).map((p) => p.join(' ')) });
    // a Host line, which the quick path needs, most of the time, anywhere among the others
    const head = fc.tuple(requestLine, fc.constantFrom(['Host: h'], ['Host: h'], []), fc.array(line, { maxLength: 8 }), fc.nat())
      .map(([request, host, lines, at]) => {
        const all = [...lines];
        all.splice(at % (all.length + 1), 0, ...host);
        return request + '\r\n' + all.map((l) => l + '\r\n').join('') + '\r\n';
      });
    fc.assert(fc.property(head, fc.nat({ max: 40 }), (text, many) => {
      const lim = many >= 20 ? limits : { ...limits, fields: many % 10, head: many * 12, line: many * 2 };
      const quick = ({} as Head), slow = ({} as Head);
      feed(quick, text, lim);
      feed(slow, text + 'B', lim);
      const seen = (h: Head) => h.state_ == DONE ? JSON.stringify([h.method_, h.target_, h.version_, ownEntries(fieldsOf(h))])
        : `${h.state_} ${h.status_}`;
      assert.equal(seen(quick), seen(slow), JSON.stringify(text));
    }), { numRuns: RUNS });
  });
});
