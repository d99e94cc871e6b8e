/** The build: build/bundle.js and build/e2e-app.js are ES5 that Espruino can load, and
 *  build/app.js installs build/bundle.js in Storage a short line at a time. */
import { strict as assert } from 'node:assert';
import { parse } from 'acorn';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vm from 'node:vm';
import { crc32 } from 'node:zlib';
import { HostStorage } from '../host/storage';
import { ROOT } from './e2e/target';

/** What the espruino CLI's lexer (core/utils.js) misreads: its codeWriter then uploads nothing. */
function cliReading(code: string): { strings: string[]; open: number } {
  const literals = new Set<number>(), strings: string[] = [];
  parse(code, { ecmaVersion: 5, sourceType: 'script', onToken: (t) => {
    if (t.type.label == 'string' || t.type.label == 'regexp') literals.add(t.start);
  } });
  const ctx: any = { Espruino: { Core: {} }, navigator: { userAgent: 'node' } };
  vm.runInNewContext(readFileSync(join(ROOT, 'node_modules/espruino/core/utils.js'), 'utf8'), ctx);
  const lex = ctx.Espruino.Core.Utils.getLexer(code);
  let open = 0;
  for (let t = lex.next(); t !== undefined; t = lex.next()) {
    if (t.type == 'STRING' && !literals.has(t.startIdx)) strings.push(code.substring(t.startIdx - 30, t.startIdx + 30));
    if (t.str == '(' || t.str == '{' || t.str == '[') open++;
    if (t.str == ')' || t.str == '}' || t.str == ']') open--;
  }
  return { strings, open };
}

for (const bundle of ['build/bundle.js', 'build/e2e-app.js', 'build/examples/dashboard/bundle.js', 'build/examples/sysapi/bundle.js']) {
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

    // flash.sh uploads a bundle itself to RAM (without --save) through the CLI
    it('reads the same to the espruino CLI, which flash.sh uploads it with', function () {
      assert.deepEqual(cliReading(code), { strings: [], open: 0 });
    });

    it("names no global of the board's at its top level, where its names are globals (no wrapper)", function () {
      const program: any = parse(code, { ecmaVersion: 5, sourceType: 'script' });
      const names = program.body.flatMap((n: any) => n.type == 'FunctionDeclaration' ? [n.id.name]
        : n.type == 'VariableDeclaration' ? n.declarations.map((d: any) => d.id.name) : []);
      assert.ok(names.length > 20, `${names.length} top-level names: the bundle is wrapped in a function`);
      assert.deepEqual(names.filter((n: string) => /^(E|A0|D\d\d?)$/.test(n)), []);
    });

    it('has line breaks, none inside a string (Espruino keeps the newline of a \\-continuation)', function () {
      assert.ok(code.split('\n').length > code.length / 400, 'no line breaks (esbuild lineLimit)');
      assert.doesNotMatch(code, /(^|[^\\])(\\\\)*\\\n/);
    });
  });
}

describe('build/app.js, the installer of build/bundle.js', function () {
  const app = readFileSync(join(ROOT, 'build/app.js'), 'latin1');
  const bundle = readFileSync(join(ROOT, 'build/bundle.js'));

  /** Runs the installer's lines with `storage`; what load() was called with, if it was. */
  const install = (storage: HostStorage, code = app) => {
    const loads: unknown[] = [];
    vm.runInNewContext(code, { require: (m: string) => (m == 'Storage' ? storage : undefined), console: { log() {} },
      E: { CRC32: (s: string) => crc32(Buffer.from(s, 'latin1')) }, load: (...a: unknown[]) => loads.push(a) });
    return loads;
  };

  it('is printable ASCII in short lines, each one statement the CLI sends and the board runs alone', function () {
    const lines = app.trimEnd().split('\n');
    assert.ok(lines.length > bundle.length / 600, `${lines.length} lines for ${bundle.length} bytes`);
    for (const line of lines) {
      assert.ok(line.length <= 700, `a line of ${line.length} characters`);
      assert.match(line, /^[\x20-\x7e]+;$/);
      assert.doesNotThrow(() => parse(line, { ecmaVersion: 5 }), line.slice(0, 80));
    }
  });

  it('writes build/bundle.js to .bootcde byte for byte, then load()s it', function () {
    const storage = new HostStorage();
    assert.deepEqual(install(storage), [[]]);
    assert.ok(Buffer.from(storage.read('.bootcde')!, 'latin1').equals(bundle));
  });

  it('does not start a copy that did not arrive whole: it erases it', function () {
    const storage = new HostStorage();
    const lines = app.split('\n');
    // a line lost on the way (FIFO_FULL): the file keeps its size, a piece is left unwritten
    assert.deepEqual(install(storage, [...lines.slice(0, 2), ...lines.slice(3)].join('\n')), []);
    assert.equal(storage.read('.bootcde'), undefined);
  });
});

describe('ES5 check', function () {
  it('would catch ES2015 syntax', function () {
    for (const modern of ['const a = 1;', 'let a;', 'var f = () => 1;', 'class A {}', 'var {a} = b;', 'var s = `x`;']) {
      assert.throws(() => parse(modern, { ecmaVersion: 5, sourceType: 'script' }), modern);
    }
  });
});

describe("the board's globals kept out of the bundle's names", function () {
  /** The top-level function names esbuild gives 300 functions after `head`, as the build does. */
  async function namesGiven(head: string): Promise<string[]> {
    const [esbuild, { esbuildOptions }] = await Promise.all([import('esbuild'), import('../scripts/build.mjs')]);
    let code = head;
    for (let i = 0; i < 300; i++) code += `function fn${i}(a) { return a + ${i}; }\n`;
    code += `print([${Array.from({ length: 300 }, (_, i) => `fn${i}`).join(',')}].length);\n`;
    const out = await esbuild.build({ ...(esbuildOptions as object), stdin: { contents: code }, write: false, lineLimit: 0 });
    return [...out.outputFiles![0].text.matchAll(/function ([\w$]+)\(/g)].map((m) => m[1]);
  }
  const pinLike = (names: string[]) => names.filter((n) => /^(E|A0|D\d\d?)$/.test(n));

  it("esbuild would name a function E or a pin; after src/boot.ts's list of them it names none", async function () {
    const boot = readFileSync(join(ROOT, 'build/tsc/src/boot.js'), 'utf8');
    const reserve = /if \(0\) \{[^}]*\}/.exec(boot);
    assert.ok(reserve, 'src/boot.ts names no globals to keep');
    assert.notDeepEqual(pinLike(await namesGiven('')), [], 'esbuild gave no such name anyway: the check proves nothing');
    assert.deepEqual(pinLike(await namesGiven(reserve[0] + '\n')), []);
  });
});

describe('espruino CLI check', function () {
  it('would catch a RegExp with a quote that the CLI reads as a division', function () {
    assert.deepEqual(cliReading("if (/[^a-z']/.test(m) || n < 1) f(1);"), { strings: [], open: 0 });
    const misread = cliReading("if (n < 1 || /[^a-z']/.test(m)) f(1);");
    assert.equal(misread.strings.length, 1);
    assert.ok(misread.open > 0);
  });

  it("the build puts such a RegExp in parentheses, after '|', '^' or '~' alike", async function () {
    const { cliSafe } = await import('../scripts/build.mjs');
    for (const op of ['||', '|', '^', '~']) {
      const code = `if (n < 1 ${op} /[^a-z'(]/.test(m)) f(1);`.replace('1 ~', '1, ~');
      assert.deepEqual(cliReading(cliSafe(code)), { strings: [], open: 0 }, code);
      assert.notDeepEqual(cliReading(code), { strings: [], open: 0 }, code);
    }
    assert.equal(cliSafe('a = /x/.test(b) || c;'), 'a = /x/.test(b) || c;');
  });
});
