/**
 * Where the end-to-end suite runs a bundle: on the host (host/serve.ts, Node's sockets),
 * on the real interpreter (ESPRUINO_BIN, a Linux build of Espruino), or on a board already
 * flashed with it (E2E_HOST=<board IP>, E2E_PORT, default 80).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort, waitForAnswer, waitForPort } from './client';
import { interpreterErrors } from './output';
import { readAssets } from '../../scripts/assets.mjs';
import { fileCommands } from '../../scripts/upload-assets.mjs';
import { runSources } from './sources';

export const ROOT = resolve(__dirname, '..', '..');
export const ESPRUINO_BIN = process.env.ESPRUINO_BIN ? resolve(process.env.ESPRUINO_BIN) : '';
/** The interpreter with an ESP8266's 1,700 JsVars, beside ESPRUINO_BIN (or ESPRUINO_1700). */
export const ESPRUINO_1700 = process.env.ESPRUINO_1700 ? resolve(process.env.ESPRUINO_1700)
  : ESPRUINO_BIN && existsSync(join(dirname(ESPRUINO_BIN), 'espruino-1700'))
    ? join(dirname(ESPRUINO_BIN), 'espruino-1700') : '';

export interface Target {
  name: string;
  host: string;
  /** the port the bundle's first server listens on (its second one is port + 1) */
  port: number;
  /** what the process printed so far */
  output(): string;
  /** an interpreter whose output is checked for errors after each case (interpreterErrors) */
  watched: boolean;
  stop(): void;
}

/** 'small': espruino-1700 booting the bundle from Storage, as `flash.sh --save` leaves an
 *  ESP8266 (the whole-API fixture does not fit there: it runs the spec's example only).
 *  'sources': the bundle's TypeScript sources in this process (E2E_SOURCES, npm run mutate). */
export type Kind = 'host' | 'espruino' | 'small' | 'board' | 'sources';

/** The kinds to run against here: the host always (unless a board is named), and the real
 *  interpreter (and its 1,700-JsVar build) when ESPRUINO_BIN is set. With E2E_SOURCES, the
 *  sources only (the mutation tester's mutants are there, not in build/). */
export function kinds(): Kind[] {
  if (process.env.E2E_HOST) return ['board'];
  if (process.env.E2E_SOURCES) return ['sources'];
  if (!ESPRUINO_BIN) return ['host'];
  return ESPRUINO_1700 ? ['host', 'espruino', 'small'] : ['host', 'espruino'];
}

/** The built assets (scripts/assets.mjs) each bundle serves, put in its Storage. */
const ASSETS: { [bundle: string]: string } = { 'build/e2e-app.js': 'build/e2e-www', 'build/app.js': 'build/www',
  'build/examples/dashboard/app.js': 'build/examples/dashboard/www' };

/** Writes a folder of built assets into the Storage of an interpreter run in `dir` (its
 *  espruino.flash), with the lines scripts/upload-assets.mjs sends a board. */
function writeAssets(dir: string, assets: string): void {
  const lines = readAssets(assets).files.flatMap((f: { name: string; path: string }) =>
    fileCommands(f.name, readFileSync(f.path)));
  const output = execFileSync(ESPRUINO_BIN, ['-e', lines.join('\n')],
    { cwd: dir, timeout: 20000, killSignal: 'SIGKILL', encoding: 'latin1' });
  if (/Uncaught|Error/.test(output)) throw new Error(`writing ${assets} to Storage failed: ${output.slice(-500)}`);
}

function startProcess(kind: Kind, file: string, env: NodeJS.ProcessEnv, assets?: string): ChildProcess {
  if (kind == 'small') {
    // the full interpreter writes the code to Storage (a file in the working directory), then
    // the small one boots from it: the code stays in flash, as on a board
    const dir = mkdtempSync(join(tmpdir(), 'espruino-1700-'));
    if (assets) writeAssets(dir, assets);
    execFileSync(ESPRUINO_BIN, ['-e', `require('Storage').write('.bootcde', ${JSON.stringify(readFileSync(file, 'utf8'))});`],
      { cwd: dir, timeout: 10000, stdio: 'ignore', killSignal: 'SIGKILL' });
    // stdin an open pipe, never 'ignore': at end of input the Linux build's console thread
    // feeds the REPL a garbage byte per loop (targets/linux/jshardware.c, getch)
    return spawn(ESPRUINO_1700, [], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  }
  if (kind == 'espruino') {
    const dir = mkdtempSync(join(tmpdir(), 'espruino-'));
    if (assets) writeAssets(dir, assets);
    return spawn(ESPRUINO_BIN, [file], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  }
  // node itself (not tsx's CLI, which would leave its child running when killed); its Storage
  // stand-in holds the assets folder
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'host/serve.ts'), file, ...(assets ? [assets] : [])],
    { cwd: ROOT, env });
}

/**
 * Starts `bundle` (a file under build/). With `port`, the bundle is given E2E_PORT; without,
 * it listens where it says (80: mapped to a free port on the host).
 */
export async function start(kind: Kind, bundle: string, withPort: boolean): Promise<Target> {
  if (kind == 'board') {
    const port = Number(process.env.E2E_PORT || 80);
    return { name: 'board', host: process.env.E2E_HOST!, port, output: () => '', watched: false, stop() {} };
  }
  const free = await freePort();
  const port = withPort ? free : kind == 'host' || kind == 'sources' ? free : 80;
  if (kind == 'sources') {
    const running = await runSources(ROOT, bundle, withPort ? `var E2E_PORT=${port};\n` : '', free - 80);
    await waitForAnswer('127.0.0.1', port, 15000);
    return { name: kind, host: '127.0.0.1', port, output: () => '(in this process: printed above)',
      watched: false, stop: () => running.stop() };
  }
  // an app's installer (build/app.js) runs on the host; the interpreters run the bundle it
  // installs, as from a file (load() does nothing there) or as flash.sh --save leaves it
  const installed = join(dirname(bundle), 'bundle.js');
  const source = kind != 'host' && /(^|\/)app\.js$/.test(bundle) && existsSync(join(ROOT, installed)) ? installed : bundle;
  let code = readFileSync(join(ROOT, source), 'utf8');
  if (withPort) code = `var E2E_PORT=${port};\n` + code;
  const file = join(mkdtempSync(join(tmpdir(), 'httpsrv-e2e-')), 'app.js');
  writeFileSync(file, code, 'utf8');
  // port 80 is shared by every interpreter target: one left listening would answer in its place
  if (port == 80) {
    const until = Date.now() + 5000;
    while (await waitForPort('127.0.0.1', 80, 0).then(() => true, () => false)) {
      if (Date.now() > until) throw new Error(`${kind}: something already listens on port 80 (an interpreter left running?)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const env = { ...process.env, HTTPSRV_PORT_BASE: String(free - 80) };
  const assets = ASSETS[bundle] && existsSync(join(ROOT, ASSETS[bundle])) ? join(ROOT, ASSETS[bundle]) : undefined;
  const child = startProcess(kind, file, env, assets);
  let output = '';
  child.stdout!.setEncoding('latin1').on('data', (d) => { output += d; });
  child.stderr!.setEncoding('latin1').on('data', (d) => { output += d; });
  const stop = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
  try {
    await Promise.race([
      // a request, not a bare probe: a probe's connection is counted until its close is heard
      // (a lost close once left the first test one place fewer)
      waitForAnswer('127.0.0.1', port, 15000),
      new Promise((_, reject) => child.on('exit', (c) => reject(new Error(`exited with ${c}`))))
    ]);
  } catch (e) {
    stop();
    throw new Error(`${kind} did not serve ${bundle} on ${port}: ${(e as Error).message}\n${output}`);
  }
  const watched = kind == 'espruino' || kind == 'small';
  const bad = watched ? interpreterErrors(output) : [];
  if (bad.length) {
    stop();
    throw new Error(`${kind} printed errors while starting ${bundle}:\n  ${bad.join('\n  ')}\n${output}`);
  }
  return { name: kind, host: '127.0.0.1', port, output: () => output, watched, stop };
}
