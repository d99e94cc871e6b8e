/**
 * The design card's command, `espruino -p PORT build/app.js` (the espruino CLI with its
 * defaults; --no-ble only because its Bluetooth support crashes without D-Bus), onto
 * espruino-1700 --telnet, an ESP8266's 1,700 JsVars on Wi-Fi: build/app.js installs the bundle
 * in Storage and starts it; the page is served, and served again after a reset (the interpreter
 * killed and started again on the same Storage), with no error printed by the interpreter.
 */
import { strict as assert } from 'node:assert';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchange, waitForPort } from './e2e/client';
import { requireOrSkip, rootProblem, smallInterpreterProblem } from './e2e/environment';
import { interpreterErrors } from './e2e/output';
import { ESPRUINO_1700, ROOT } from './e2e/target';

const TELNET = 2323;

describe('the design card: espruino -p PORT build/app.js onto espruino-1700', function () {
  this.timeout(120000);
  let dir: string;
  let espruino: ChildProcess | undefined;
  let printed = '';

  const boot = async (telnet: boolean) => {
    // stdin an open pipe: at its end the Linux build feeds its console a garbage byte per loop
    espruino = spawn(ESPRUINO_1700, telnet ? ['--telnet'] : [], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    espruino.stdout!.setEncoding('latin1').on('data', (d) => { printed += d; });
    espruino.stderr!.setEncoding('latin1').on('data', (d) => { printed += d; });
    await waitForPort('127.0.0.1', telnet ? TELNET : 80, 10000).catch((e) => {
      throw new Error(`${e.message}; espruino-1700 printed:\n${printed.slice(-1500)}`);
    });
  };
  const stop = async () => {
    const dying = espruino;
    espruino = undefined;
    if (!dying || dying.exitCode !== null || dying.signalCode !== null) return;
    const gone = new Promise((r) => dying.once('exit', r));
    dying.kill('SIGKILL');
    await gone;
  };
  const page = () => exchange({ host: '127.0.0.1', port: 80, send: ['GET /page HTTP/1.1\r\nHost: b\r\n\r\n'] });

  before(async function () {
    requireOrSkip(this, 'the design card\'s upload cannot be tried on an ESP8266-sized interpreter',
      smallInterpreterProblem() || rootProblem());
    // port 80 is fixed (as on a board): something listening there would answer in the app's place
    await assert.rejects(waitForPort('127.0.0.1', 80, 0), 'something already listens on port 80');
    dir = mkdtempSync(join(tmpdir(), 'design-card-'));
    await boot(true);
  });
  after(stop);

  it('uploads build/app.js with the CLI\'s defaults: the page is served, and again after a reset', async function () {
    const cli = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(join(ROOT, 'node_modules/.bin/espruino'), ['--no-ble', '-p', `tcp://127.0.0.1:${TELNET}`, 'build/app.js'],
        { cwd: ROOT, timeout: 90000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code == 'number' ? err.code : -1) : 0, out: stdout + stderr });
        });
    });
    assert.equal(cli.code, 0, cli.out);
    assert.match(cli.out, /Upload Complete/);
    // the CLI echoes the board's console ('--] '): what the board said during the upload
    assert.deepEqual(interpreterErrors(cli.out), [], cli.out.slice(-3000));
    await waitForPort('127.0.0.1', 80, 10000);
    let reply = await page();
    assert.equal(reply.status, 200, reply.raw);
    assert.equal(reply.body, 'Hello from Kyanit!');

    await stop();
    await boot(false);
    reply = await page();
    assert.equal(reply.status, 200, reply.raw);
    assert.equal(reply.body, 'Hello from Kyanit!', 'not served after a reset: the code is not in Storage');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(interpreterErrors(printed), [], printed.slice(-3000));
  });
});
