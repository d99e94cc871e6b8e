/** The build: build/app.js and build/e2e-app.js are ES5 that Espruino can load. */
import { strict as assert } from 'node:assert';
import { parse } from 'acorn';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { ROOT } from './e2e/target';

/** What the espruino CLI's lexer (core/utils.js) misreads: its codeWriter then uploads nothing. */
function cliReading(code: string): { strings: string[]; open: number } {
  const literals = new Set<number>(), strings: string[] = [];
  parse(code, { ecmaVersion: 5, sourceType: 'script', onToken: (t) => {
    if (t.type.label == 'string' || t.type.label == 'regexp') literals.add(t.start);
  } });
  const ctx: any = { Espruino: { Core: {} }, navigator: { userAgent: 'node' } };
  runInNewContext(readFileSync(join(ROOT, 'node_modules/espruino/core/utils.js'), 'utf8'), ctx);
  const lex = ctx.Espruino.Core.Utils.getLexer(code);
  let open = 0;
  for (let t = lex.next(); t !== undefined; t = lex.next()) {
    if (t.type == 'STRING' && !literals.has(t.startIdx)) strings.push(code.substring(t.startIdx - 30, t.startIdx + 30));
    if (t.str == '(' || t.str == '{' || t.str == '[') open++;
    if (t.str == ')' || t.str == '}' || t.str == ']') open--;
  }
  return { strings, open };
}

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

    // only build/app.js is uploaded through the CLI (flash.sh)
    if (bundle == 'build/app.js') it('reads the same to the espruino CLI, which flash.sh uploads it with', function () {
      assert.deepEqual(cliReading(code), { strings: [], open: 0 });
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

describe('espruino CLI check', function () {
  it('would catch a RegExp with a quote that the CLI reads as a division', function () {
    assert.deepEqual(cliReading("if (/[^a-z']/.test(m) || n < 1) f(1);"), { strings: [], open: 0 });
    const misread = cliReading("if (n < 1 || /[^a-z']/.test(m)) f(1);");
    assert.equal(misread.strings.length, 1);
    assert.ok(misread.open > 0);
  });
});
