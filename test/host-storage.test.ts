/**
 * The host's Storage stand-in (host/storage.ts) keeps Espruino's rules, checked line by line
 * against what the real interpreter (ESPRUINO_BIN) answers to the same calls: the upload's
 * writes and the handler's reads meet on the host what they meet on a board.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vm from 'node:vm';
import { storageModule } from '../host/storage';
import { ESPRUINO_BIN } from './e2e/target';

const NAME_29 = 'abcdefghijklmnopqrstuvwxyz123';
/** [a call on S = require('Storage'), what it gives (a value, or '!' and the error's message)] */
const CALLS: [string, unknown][] = [
  ['S.write("a", "xyz", 0, 6)', true],
  ['S.read("a")', 'xyz\xff\xff\xff'],
  ['S.write("a", "uvw", 3)', true],
  ['S.read("a")', 'xyzuvw'],
  ['S.write("a", "q", 3)', '!File already written with different data'],
  ['S.write("a", "xyzuvw")', true],
  ['S.write("a", "hello", 0)', true],
  ['S.read("a")', 'hello'],
  ['S.write("a", "too long", 1)', '!Too much data for file size'],
  ['S.read("a", 1, 2)', 'el'],
  ['S.read("a", 3)', 'lo'],
  ['S.read("a", 10, 2)', ''],
  ['S.read("nope")', null],
  ['S.read("nope", 0, 1)', null],
  ['S.write("b", "x", 2)', '!Unable to find or create file'],
  [`S.write("${NAME_29}", "long")`, true],
  [`S.read("${NAME_29.slice(0, 28)}")`, 'long'],
  ['S.erase("a")', null],
  ['S.read("a")', null],
  ['S.list().sort()', [NAME_29.slice(0, 28)]]
];

/** The calls as one program printing their results between markers. Each result is made
 *  JSON at once: what read() gives is mapped onto flash, and a later write changes it. */
const PROGRAM = 'var S = require("Storage"), out = [];\n' +
  'function t(f) { try { out.push(JSON.stringify(f())); } catch (e) { out.push(JSON.stringify("!" + e.message)); } }\n' +
  CALLS.map(([call]) => `t(function () { return ${call}; });`).join('\n') +
  '\nprint("@@<" + JSON.stringify(out) + ">");';

const results = (printed: string) => JSON.parse(/@@<(.*)>/.exec(printed)![1])
  .map((json: string | null) => (json === null ? null : JSON.parse(json)));

describe("host/storage.ts: Espruino's Storage rules", function () {
  it('on the host', function () {
    let printed = '';
    vm.runInNewContext(PROGRAM, { require: () => storageModule(), print: (s: string) => { printed += s; } });
    assert.deepEqual(results(printed), CALLS.map(([, expected]) => expected));
  });

  it('the same on the real interpreter (ESPRUINO_BIN)', function () {
    if (!ESPRUINO_BIN) this.skip();
    const printed = execFileSync(ESPRUINO_BIN, ['-e', PROGRAM], { cwd: mkdtempSync(join(tmpdir(), 'storage-rules-')),
      timeout: 10000, killSignal: 'SIGKILL', encoding: 'latin1' });
    assert.deepEqual(results(printed), CALLS.map(([, expected]) => expected));
  });
});
