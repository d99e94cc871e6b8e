// The spec's example as flash.sh --save leaves it on a board, on espruino-1700 (1,700 JsVars,
// like an ESP8266): the code in Storage (.bootcde), run from flash at boot. For npm run bench
// and npm run soak.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readAssets } from './assets.mjs';
import { fileCommands } from './upload-assets.mjs';

export const bin = process.env.ESPRUINO_BIN ? resolve(process.env.ESPRUINO_BIN) : '';
export const bin1700 = process.env.ESPRUINO_1700 ? resolve(process.env.ESPRUINO_1700)
  : bin && existsSync(join(dirname(bin), 'espruino-1700')) ? join(dirname(bin), 'espruino-1700') : '';

/** Added after the application: it reports the JsVars in use every 250 ms (one interval and
 *  one function, about 6 JsVars). The interpreter's console garbles lines typed into it while
 *  it serves, and its Telnet console does not answer while an application serves. */
const METER = 'setInterval(function(){var m=process.memory();print("MEM "+m.usage+" "+m.total)},250);';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes `bundle` (with the meter) to Storage with the full interpreter, with the built assets
 * in `assets` (scripts/assets.mjs) and `files` (name → text) beside it, then boots espruino-1700
 * on it. Returns { vars(): Promise<{usage, total}>, output(), stop() }. `meter: false` leaves
 * the meter out (vars() then has nothing to read): for code that reports its own figures.
 */
export function bootFromStorage(bundle, { assets, files = {}, meter = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'small-board-'));
  if (assets) {
    const lines = readAssets(assets).files.flatMap((f) => fileCommands(f.name, readFileSync(f.path)));
    execFileSync(bin, ['-e', lines.join('\n')], { cwd: dir, timeout: 20000, stdio: 'ignore' });
  }
  const code = readFileSync(bundle, 'utf8') + (meter ? '\n' + METER : '');
  const writes = Object.entries({ ...files, '.bootcde': code })
    .map(([name, text]) => `require('Storage').write(${JSON.stringify(name)}, ${JSON.stringify(text)});`);
  execFileSync(bin, ['-e', writes.join('')], { cwd: dir, timeout: 10000, stdio: 'ignore' });
  // its output must be read all along: the interpreter stalls on a full pipe
  // stdin an open pipe: at end of input the Linux build feeds its console garbage (test/e2e/target.ts)
  const child = spawn(bin1700, [], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('latin1').on('data', (d) => { out += d; });
  child.stderr.setEncoding('latin1').on('data', (d) => { out += d; });
  return {
    /** the JsVars in use (and in all) as the meter last reported them */
    async vars() {
      const from = out.length;
      await sleep(600);
      const all = out.slice(from).match(/MEM \d+ \d+/g);
      if (!all) throw new Error('the interpreter reported nothing: ' + out.slice(-300));
      const [usage, total] = all[all.length - 1].split(' ').slice(1).map(Number);
      return { usage, total };
    },
    output: () => out,
    stop: () => child.kill('SIGKILL')
  };
}

/** Boots `file` on espruino-1700 from Storage (as bootFromStorage), lets it run `ms`, and
 *  returns the marks it printed as `@@NAME NUMBER` lines: [[name, number], ...] in order.
 *  For code traced with prints of process.memory().usage (vars-by-statement, interpreter-costs). */
export async function printedMarks(file, ms) {
  const board = bootFromStorage(file, { meter: false });
  await sleep(ms);
  board.stop();
  const marks = [...board.output().matchAll(/@@(\w+) (\d+)/g)].map((m) => [m[1], Number(m[2])]);
  if (!marks.length) throw new Error(`${file} printed no marks: ` + board.output().slice(-400));
  return marks;
}
