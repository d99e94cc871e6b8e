import { strict as assert } from 'node:assert';
import { URLInvalidError } from '../src/http/errors';
import { addSymbol, parseTarget, unencode } from '../src/http/url';
import { join } from 'node:path';
import { ESPRUINO_MEMBERS, loadInEspruinoRealm, ownEntries } from './espruino-realm';

describe('url: decoding request targets', function () {
  it('decodes the reserved characters and space, in either hex case', function () {
    assert.equal(unencode('%20%21%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D'),
      " !#$&'()*+,/:;=?@[]");
    assert.equal(unencode('a%2fb%3a'), 'a/b:');
  });

  it('leaves other encodings as they are until addSymbol()', function () {
    assert.equal(unencode('%41%e2%82%ac'), '%41%e2%82%ac');
    addSymbol('%41', 'A');
    assert.equal(unencode('%41%61'), 'A%61');
  });

  it('rejects addSymbol() misuse with a clear error', function () {
    assert.throws(() => addSymbol('41', 'A'), /addSymbol/);
    assert.throws(() => addSymbol('%4G', 'A'), /addSymbol/);
  });

  it('throws URLInvalidError on a broken escape', function () {
    for (const bad of ['%', '%4', '%zz', 'a%g0']) {
      assert.throws(() => unencode(bad), (e: unknown) => e instanceof URLInvalidError, bad);
    }
  });

  it('splits path and query, a name without = maps to null', function () {
    assert.deepEqual(parseTarget('/a%20b?x=1&flag&y=%26&&z='),
      { loc: '/a b', params: { x: '1', flag: null, y: '&', z: '' } });
  });

  it("gives names Espruino's objects already have as own entries, refuses only __proto__", function () {
    // in a context whose objects carry on, emit, clone... as on Espruino
    const realm = loadInEspruinoRealm<typeof import('../src/http/url')>(join(__dirname, '../src/http/url.ts'));
    const query = ESPRUINO_MEMBERS.map((name, i) => `${name}=${i}`).join('&');
    const { params } = realm.parseTarget('/?' + query + '&on=again&emit');
    const want = Object.fromEntries(ESPRUINO_MEMBERS.map((name, i) => [name, String(i)]));
    assert.deepEqual(ownEntries(params), { ...want, on: 'again', emit: null });
    for (const name of ESPRUINO_MEMBERS) assert.ok(Object.prototype.hasOwnProperty.call(params, name), name);
    assert.throws(() => realm.parseTarget('/?__proto__=1'), /reserved name __proto__/);
    assert.throws(() => parseTarget('/?a=1&__proto__'), (e: unknown) => e instanceof URLInvalidError);
  });

  it('an empty name is a name: "=v" and "=" give the entry ""', function () {
    assert.deepEqual(parseTarget('/?=v'), { loc: '/', params: { '': 'v' } });
    assert.deepEqual(parseTarget('/?a&='), { loc: '/', params: { a: null, '': '' } });
  });

  it('every URLInvalidError says what is wrong', function () {
    const cases: [string, RegExp][] = [['/é', /ASCII/], ['page', /path/], ['/a%zz', /percent/], ['/?q=%4', /percent/]];
    for (const [bad, says] of cases) {
      assert.throws(() => parseTarget(bad), (e: any) => e instanceof URLInvalidError && says.test(e.message), bad);
    }
  });

  it("decodes '%25' to a literal %, once", function () {
    assert.equal(unencode('10%25'), '10%');
    assert.equal(unencode('%2541'), '%41');
    assert.deepEqual(parseTarget('/100%25?d=10%25'), { loc: '/100%', params: { d: '10%' } });
  });

  it('refuses a broken escape or the name __proto__ anywhere in the query, its first byte too', function () {
    for (const bad of ['/p?%4', '/p?a=%4', '/p?a=1&%zz', '/p?__proto__', '/p?a&__proto__=1']) {
      assert.throws(() => parseTarget(bad), (e: unknown) => e instanceof URLInvalidError, bad);
    }
    assert.deepEqual(parseTarget('/p?x__proto__=1'), { loc: '/p', params: { x__proto__: '1' } });
  });

  it('serves an absolute-form target by its path', function () {
    assert.deepEqual(parseTarget('http://host:80/p?q=1'), { loc: '/p', params: { q: '1' } });
    assert.deepEqual(parseTarget('HTTP://host'), { loc: '/', params: {} });
  });

  it('rejects non-ASCII, control bytes, fragments and relative paths', function () {
    for (const bad of ['/é', '/a\x7f', '/a#b', 'page', '*', '']) {
      assert.throws(() => parseTarget(bad), (e: unknown) => e instanceof URLInvalidError, bad);
    }
  });
});
