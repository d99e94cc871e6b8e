/** The build: build/app.js and build/e2e-app.js are ES5 that Espruino can load. */
import { strict as assert } from 'node:assert';
import { parse } from 'acorn';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './e2e/target';

for (const bundle of ['build/app.js', 'build/e2e-app.js']) {
  describe(`${bundle} (run npm run build first)`, function () {
    const code = readFileSync(join(ROOT, bundle), 'utf8');

    it('parses as ES5: nothing newer', function () {
      assert.doesNotThrow(() => parse(code, { ecmaVersion: 5, sourceType: 'script' }),
        (e: Error) => `${bundle} is not ES5: ${e.message}`);
    });

    it('uses no tsc helper (they would be undefined: noEmitHelpers)', function () {
      assert.doesNotMatch(code, /\b__(extends|assign|spreadArray|awaiter|generator|rest|values|read)\b/);
    });

    it('keeps require() for Espruino to resolve, with no bundler shim', function () {
      assert.match(code, /require\("net"\)/);
      assert.doesNotMatch(code, /Dynamic require|Proxy/);
    });
  });
}

describe('ES5 check', function () {
  it('would catch ES2015 syntax', function () {
    for (const modern of ['const a = 1;', 'let a;', 'var f = () => 1;', 'class A {}', 'var {a} = b;', 'var s = `x`;']) {
      assert.throws(() => parse(modern, { ecmaVersion: 5, sourceType: 'script' }), modern);
    }
  });
});
