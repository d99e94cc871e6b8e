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

for (const bundle of ['build/bundle.js', 'build/e2e-app.js']) {
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
