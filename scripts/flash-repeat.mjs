// flash.sh N times in a row, each to a freshly started `espruino --telnet` (ESPRUINO_BIN), as
// to a board on Wi-Fi; each upload must serve the page at once (no second try), and with --save
// again after the interpreter restarts from its Storage. Needs root: the app listens on port 80.
//
//   node scripts/flash-repeat.mjs [N=10] [flash.sh options, e.g. --save]
//
// Exits non-zero when any upload failed; prints one line per upload.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.ESPRUINO_BIN ? resolve(process.env.ESPRUINO_BIN) : '';
const runs = Number(process.argv[2] || 10);
const options = process.argv.slice(3);
if (!bin) {
  console.error('Set ESPRUINO_BIN to a Linux build of Espruino (e.g. ../shared/espruino/espruino).');
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const connects = (port) => new Promise((res) => {
  const s = net.connect(port, '127.0.0.1', () => { s.destroy(); res(true); });
  s.on('error', () => res(false));
});
async function waitFor(port, ms) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await connects(port)) return true;
  return false;
}
const page = () => new Promise((res) => {
  const s = net.connect(80, '127.0.0.1', () => s.write('GET /page HTTP/1.1\r\nHost: b\r\n\r\n'));
  let raw = '';
  s.setEncoding('latin1').on('data', (d) => { raw += d; }).on('close', () => res(raw)).on('error', () => res(raw));
  setTimeout(() => { s.destroy(); res(raw); }, 3000);
});
const served = async () => (await waitFor(80, 3000)) && (await page()).endsWith('\r\n\r\nHello from Kyanit!');

function startInterpreter(dir) {
  // stdin an open pipe: at end of input the Linux build's console thread feeds garbage bytes
  const child = spawn(bin, ['--telnet'], { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'] });
  return { child, stop: () => { child.kill('SIGKILL'); } };
}

let failed = 0;
for (let i = 1; i <= runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'flash-repeat-'));
  let espruino = startInterpreter(dir);
  let verdict = '';
  const t0 = Date.now();
  try {
    if (!(await waitFor(2323, 10000))) throw new Error('the interpreter did not open Telnet on 2323');
    const out = await new Promise((res) => execFile(join(root, 'flash.sh'), [`tcp://127.0.0.1:2323`, ...options],
      { cwd: root, timeout: 120000, maxBuffer: 1 << 26 }, (err, stdout, stderr) => res({ err, text: stdout + stderr })));
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (out.err) throw new Error(`flash.sh failed after ${secs} s: ${out.text.split('\n').filter((l) => /flash\.sh:/.test(l)).join(' | ')}`);
    if (!(await served())) throw new Error(`flash.sh succeeded (${secs} s) but the page was not served`);
    verdict = `ok in ${secs} s`;
    if (options.includes('--save')) {
      espruino.stop();
      await sleep(200);
      espruino = startInterpreter(dir);
      if (!(await served())) throw new Error('the page was not served after a restart from Storage');
      verdict += ', served again after a restart';
    }
  } catch (e) {
    failed++;
    verdict = `FAILED: ${e.message}`;
  } finally {
    espruino.stop();
    await sleep(200);
  }
  console.log(`upload ${i}/${runs} (flash.sh ${options.join(' ') || '(RAM)'}): ${verdict}`);
}
console.log(`${runs - failed} of ${runs} uploads succeeded the first time`);
process.exit(failed ? 1 : 0);
