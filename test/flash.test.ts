/**
 * flash.sh against the real interpreter started with --telnet, as a board on Wi-Fi: the code
 * is pushed, the page is served, the script exits by itself; with --save the code survives a
 * restart of the interpreter (its Storage is a file in its working directory), and a copy that
 * reached Storage changed is refused, not started. Each upload is tried once.
 */
import { strict as assert } from 'node:assert';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchange, waitForPort } from './e2e/client';
import { ESPRUINO_BIN, ROOT } from './e2e/target';
import { requireRealInterpreter } from './e2e/environment';

const TELNET = 2323;

function flash(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(join(ROOT, 'flash.sh'), args, { cwd: ROOT, timeout: 120000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code == 'number' ? err.code : -1) : 0, out: stdout + stderr });
    });
  });
}

describe('flash.sh', function () {
  it('explains itself', async function () {
    const out = await new Promise<string>((resolve, reject) => execFile(join(ROOT, 'flash.sh'), ['--help'],
      (err, stdout) => (err ? reject(err) : resolve(stdout))));
    assert.match(out, /tcp:\/\/HOST/);
    assert.match(out, /--save/);
    assert.match(out, /CRC32/);
  });

  describe('uploading to the real interpreter over Telnet', function () {
    let dir: string;
    let espruino: ChildProcess | undefined;
    let printed = '';
    const startInterpreter = async () => {
      // stdin an open pipe: at end of input the Linux build's console thread pushes a garbage
      // byte per loop into the input queue, which corrupts what Telnet delivers
      espruino = spawn(ESPRUINO_BIN, ['--telnet'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
      printed = '';
      espruino.stdout!.setEncoding('latin1').on('data', (d) => { printed += d; });
      espruino.stderr!.setEncoding('latin1').on('data', (d) => { printed += d; });
      await waitForPort('127.0.0.1', TELNET, 10000);
    };
    const stopInterpreter = () => { espruino?.kill('SIGKILL'); espruino = undefined; };
    const restart = async () => { stopInterpreter(); dir = mkdtempSync(join(tmpdir(), 'flash-')); await startInterpreter(); };
    const page = () => exchange({ host: '127.0.0.1', port: 80, send: ['GET /page HTTP/1.1\r\nHost: b\r\n\r\n'] });
    const until = (done: () => boolean, what: string) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { clearInterval(poll); reject(new Error(`${what}; it printed: ${printed}`)); }, 5000);
      const poll = setInterval(() => { if (done()) { clearInterval(poll); clearTimeout(timer); resolve(); } }, 20);
    });
    /** Types `line` on the interpreter's own console (stdin), once no Telnet client holds it. */
    const typeIn = async (line: string, answer: RegExp) => {
      const count = (re: RegExp) => (printed.match(re) || []).length;
      await until(() => count(/-> Telnet/g) == count(/<- Telnet/g), 'the console did not come back from Telnet');
      const from = printed.length;
      espruino!.stdin!.write(line + '\n');
      await until(() => answer.test(printed.slice(from)), `no ${answer} after ${line}`);
    };

    before(async function () {
      requireRealInterpreter(this, 'flash.sh cannot be tried on the real interpreter');
      dir = mkdtempSync(join(tmpdir(), 'flash-'));
      await startInterpreter();
    });
    after(stopInterpreter);

    it('pushes the code, which then serves the page, and exits by itself', async function () {
      const { code, out } = await flash(`tcp://127.0.0.1:${TELNET}`);
      assert.equal(code, 0, out);
      assert.match(out, /Upload Complete/);
      assert.doesNotMatch(out, /Module \w+ not found|ENOTFOUND/, 'the CLI looked for something online');
      const reply = await page();
      assert.equal(reply.status, 200, reply.raw);
      assert.equal(reply.body, 'Hello from Kyanit!');
    });

    it('with --save the code is verified on the board and survives a restart', async function () {
      await restart();
      const { code, out } = await flash(`tcp://127.0.0.1:${TELNET}`, '--save');
      assert.equal(code, 0, out);
      assert.match(out, /\.bootcde verified \(\d+ bytes, CRC32 \d+\)/);
      assert.equal((await page()).body, 'Hello from Kyanit!', 'not served right after the upload');
      stopInterpreter();
      await startInterpreter();
      await waitForPort('127.0.0.1', 80, 5000);
      const reply = await page();
      assert.equal(reply.body, 'Hello from Kyanit!');
    });

    it('with --save a copy that reached Storage changed is refused, erased and not started', async function () {
      await restart();
      // the board's .boot0 (run after every reset) alters the first byte of each piece decoded
      await typeIn(`require("Storage").write(".boot0", 'var _a = atob; global.atob = function (s) { return "#" + _a(s).substr(1); };')`, /=true/);
      const { code, out } = await flash(`tcp://127.0.0.1:${TELNET}`, '--save');
      assert.notEqual(code, 0, out);
      assert.match(out, /\.bootcde does not match build\/bundle\.js: \d+ bytes, CRC32 \d+ \(expected/);
      assert.match(out, /flash\.sh: \.bootcde on the board was not verified/);
      await assert.rejects(page(), /ECONNREFUSED/, 'the altered code was started');
      stopInterpreter();
      await startInterpreter();
      await new Promise((r) => setTimeout(r, 500));
      await assert.rejects(page(), /ECONNREFUSED/, 'the altered code was started at the next boot');
    });
  });
});
