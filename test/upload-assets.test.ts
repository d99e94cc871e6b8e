/**
 * Uploading built assets to a board's Storage (scripts/upload-assets.mjs): the plan (only what
 * changed, what no longer is listed erased, a set that does not fit refused with by how much),
 * and its commands run against the host's Storage stand-in; with ESPRUINO_BIN, run by the real
 * interpreter (espruino -e), and through the espruino CLI against `espruino --telnet` as a
 * board on Wi-Fi (port 2323: run npm test under the flock, as the README says).
 */
import { strict as assert } from 'node:assert';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vm from 'node:vm';
import { crc32 } from 'node:zlib';
import { buildAssets, MANIFEST, readAssets, storageCost } from '../scripts/assets.mjs';
import { boardFromAnswer, checkWritten, fileCommands, parseAnswer, planUpload, QUERY, uploadAssets,
  uploadCommands } from '../scripts/upload-assets.mjs';
import { storageModule, StorageModule } from '../host/storage';
import { waitForPort } from './e2e/client';
import { ESPRUINO_BIN } from './e2e/target';

type Built = ReturnType<typeof readAssets>;

/** Builds these www/ files; the built folder. */
async function build(files: { [path: string]: string | Buffer }): Promise<string> {
  const www = mkdtempSync(join(tmpdir(), 'upload-www-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(www, path)), { recursive: true });
    writeFileSync(join(www, path), content);
  }
  const out = join(mkdtempSync(join(tmpdir(), 'upload-built-')), 'www');
  await buildAssets(www, out);
  return out;
}

const BYTES = Buffer.from([...Array(256).keys(), ...Array(300).fill(255), ...Array(256).keys()].reverse());
const FIRST = { 'index.html': '<p>home</p>', 'app.js': 'var a = 1;', 'big.txt': 'some text\n'.repeat(150), 'bytes.bin': BYTES };
const SECOND = { 'index.html': '<p>home</p>', 'big.txt': 'other text\n'.repeat(150), 'bytes.bin': BYTES, 'new.css': 'p{color:red}' };

/** A board as the console sees it: lines of JavaScript run against Espruino's globals, with
 *  the host's Storage stand-in. */
function hostBoard(storage: StorageModule = storageModule()) {
  let output = '';
  const context = vm.createContext({
    require: (name: string) => (name == 'Storage' ? storage : undefined),
    atob: (text: string) => Buffer.from(text, 'base64').toString('latin1'),
    print: (...args: unknown[]) => { output += args.join(' ') + '\n'; },
    E: { CRC32: (data: string) => crc32(Buffer.from(data, 'latin1')) }
  });
  return {
    storage,
    run(lines: string[]): string {
      output = '';
      vm.runInContext(lines.join('\n'), context);
      return output;
    }
  };
}

/** The board's state as QUERY reports it. */
const query = (run: (lines: string[]) => string) => boardFromAnswer(parseAnswer(run([QUERY])));

/** Every built file is on the board, byte for byte. */
function assertHolds(run: (lines: string[]) => string, built: Built): void {
  const answer = parseAnswer(run([`print("@@"+"<"+JSON.stringify(${JSON.stringify(built.files.map((f) => f.name))}.map(function(n){` +
    'var d=require("Storage").read(n);return d===undefined?[-1]:[d.length,E.CRC32(d)];}))+">");']));
  assert.deepEqual(checkWritten(built.files, answer), []);
}

describe('upload-assets: writing built assets to a board', function () {
  let first: Built, second: Built;
  before(async function () {
    first = readAssets(await build(FIRST));
    second = readAssets(await build(SECOND));
  });

  it('writes a file in pieces of 384 bytes, base64: any byte, 0xFF too', function () {
    const lines = fileCommands('w/x.bin', BYTES);
    assert.equal(lines.length, Math.ceil(BYTES.length / 384));
    assert.match(lines[0], /^require\("Storage"\)\.write\("w\/x\.bin",atob\("[A-Za-z0-9+/=]+"\),0,812\);$/);
    assert.match(lines[1], /^require\("Storage"\)\.write\("w\/x\.bin",atob\("[A-Za-z0-9+/=]+"\),384\);$/);
  });

  it('to an empty board: every file, then the manifest, each reported whole', function () {
    const board = hostBoard();
    const plan = planUpload(first, query(board.run), 'esp8266');
    assert.deepEqual(plan.write.map((f: { name: string }) => f.name).sort(),
      first.files.map((f) => f.name).filter((n) => n != MANIFEST).sort());
    assert.deepEqual(plan.erase, []);
    const { lines, files } = uploadCommands(plan, first);
    assert.equal(files[files.length - 1].name, MANIFEST, 'the manifest last');
    assert.deepEqual(checkWritten(files, parseAnswer(board.run(lines))), []);
    assertHolds(board.run, first);
  });

  it('the same set again: nothing to write', function () {
    const board = hostBoard();
    board.run(uploadCommands(planUpload(first, query(board.run), 'esp8266'), first).lines);
    assert.equal(planUpload(first, query(board.run), 'esp8266').upToDate, true);
  });

  it('after a change: only the changed files and the manifest are written, those no longer listed erased', function () {
    const board = hostBoard();
    board.run(uploadCommands(planUpload(first, query(board.run), 'esp8266'), first).lines);
    const plan = planUpload(second, query(board.run), 'esp8266');
    assert.deepEqual(plan.write.map((f: { name: string }) => f.name).sort(), ['w/big.txt', 'w/new.css', 'z/big.txt']);
    assert.deepEqual(plan.erase, ['w/app.js']);
    const { lines } = uploadCommands(plan, second);
    assert.ok(!lines.some((l: string) => /"w\/bytes\.bin"|"w\/index\.html"/.test(l)), 'an unchanged file was written');
    board.run(lines);
    assertHolds(board.run, second);
    assert.deepEqual(board.storage.list().sort(), second.files.map((f) => f.name).sort());
  });

  it('refuses a set that does not fit, saying by how much; the code and other files count', function () {
    const setBytes = first.files.reduce((sum, f) => sum + storageCost(f.size), 0);
    const board = { manifest: null, files: { '.bootcde': 15000, 'settings.json': 100 } };
    const plan = planUpload(first, board, 'esp8266-512k');
    const over = setBytes + storageCost(15000) + storageCost(100) - 16384;
    assert.ok(over > 0);
    assert.equal(plan.fit.fits, false);
    assert.equal(plan.fit.over, over);
    assert.match(plan.fit.text, new RegExp(`: ${over.toLocaleString('en')} too many$`));
    // the code to be flashed replaces the board's in the count
    assert.equal(planUpload(first, board, 'esp8266-512k', 1000).fit.fits, true);
  });

  describe('on the real interpreter (ESPRUINO_BIN)', function () {
    before(function () { if (!ESPRUINO_BIN) this.skip(); });

    /** Runs lines with `espruino -e` in `dir` (its Storage is the file espruino.flash there). */
    const runIn = (dir: string) => (lines: string[]) =>
      execFileSync(ESPRUINO_BIN, ['-e', lines.join('\n')], { cwd: dir, timeout: 20000, killSignal: 'SIGKILL', encoding: 'latin1' });

    it('runs the commands: a set, then a change over it, arrive byte for byte', function () {
      const run = runIn(mkdtempSync(join(tmpdir(), 'upload-espruino-')));
      const initial = uploadCommands(planUpload(first, query(run), 'esp8266'), first);
      const written = run(initial.lines);
      assert.doesNotMatch(written, /Uncaught|Error/, written);
      assert.deepEqual(checkWritten(initial.files, parseAnswer(written)), []);
      const changed = uploadCommands(planUpload(second, query(run), 'esp8266'), second);
      assert.deepEqual(checkWritten(changed.files, parseAnswer(run(changed.lines))), []);
      assertHolds(run, second);
      assert.equal(planUpload(second, query(run), 'esp8266').upToDate, true);
    });

    it('through the espruino CLI to `espruino --telnet`, as to a board on Wi-Fi; a set too big is refused', async function () {
      this.timeout(60000);
      const dir = mkdtempSync(join(tmpdir(), 'upload-telnet-'));
      const small = await build({ 'index.html': '<p>over Wi-Fi</p>', 'bytes.bin': BYTES });
      const logs: string[] = [];
      const options = { port: 'tcp://127.0.0.1:2323', board: 'esp8266', log: (line: string) => { logs.push(line); } };
      // stdin an open pipe: at its end the Linux build feeds its console garbage (README)
      const telnet: ChildProcess = spawn(ESPRUINO_BIN, ['--telnet'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
      let printed = '';
      telnet.stdout!.setEncoding('latin1').on('data', (d) => { printed += d; });
      telnet.stderr!.setEncoding('latin1').on('data', (d) => { printed += d; });
      const exited = new Promise((r) => telnet.once('exit', r));
      try {
        await waitForPort('127.0.0.1', 2323, 10000);
        assert.equal((await uploadAssets(small, options)).written.length, 4);
        await assert.rejects(uploadAssets(await build(SECOND), { ...options, board: 'esp8266-512k', code: join(__dirname, '..', 'build', 'e2e-app.js') }),
          /refused, nothing written: the set does not fit: [\d,]+ bytes needed, esp8266-512k's Storage holds 16,384: [\d,]+ too many/);
      } catch (e) {
        // what the interpreter printed says whether it was there to answer
        throw new Error(`${(e as Error).message}\ninterpreter (exit ${telnet.exitCode ?? telnet.signalCode ?? 'none yet'}) printed:\n${printed.slice(-1500)}`);
      } finally {
        telnet.kill('SIGKILL');
        await exited;
      }
      assert.match(logs.join('\n'), /writing 4 files \(3 changed, the manifest\)/);
      // the refused set left the board as it was
      assertHolds(runIn(dir), readAssets(small));
      assert.equal(query(runIn(dir)).files['w/new.css'], undefined);
    });
  });
});
