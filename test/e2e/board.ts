/**
 * A board flashed with files, for the system API's end-to-end tests: the host board
 * (host/board.ts, booting from a Storage file, ports mapped to free ones), the real interpreter
 * or espruino-1700 (booting from espruino.flash in a scratch folder, on ports 80 and 3300: run
 * those under flock /tmp/httpsrv-realinterp.lock). powerCycle() kills it and boots it again on
 * the same Storage, as a power cut would.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostStorage } from '../../host/storage';
import { freePort, waitForAnswer } from './client';
import { ESPRUINO_1700, ESPRUINO_BIN, ROOT } from './target';

export type BoardKind = 'host' | 'espruino' | 'small';

export interface FlashedBoard {
  kind: BoardKind;
  /** the application's port (80 on the board) and the system API's (3300) as reachable here */
  pagePort: number;
  apiPort: number;
  /** what the board printed so far */
  output(): string;
  /** kills the board and boots it again from its Storage */
  powerCycle(): Promise<void>;
  /** kills it; resolves once it has gone (its ports free) */
  stop(): Promise<void>;
}

/** What is written to a file: its bytes (latin1), or only the first `part` of a file of
 *  `size` bytes, as a copy cut short leaves it. */
export type Contents = string | { part: string; size: number };

/** Writes `files` to a new board's Storage and boots it; `telnet`: the interpreter's console
 *  served on TCP 2323, as a board's on Wi-Fi (port 23). */
export async function flashBoard(kind: BoardKind, files: { [name: string]: Contents }, telnet = false): Promise<FlashedBoard> {
  const dir = mkdtempSync(join(tmpdir(), `sysapi-${kind}-`));
  let pagePort = 80, apiPort = 3300;
  if (kind == 'host') {
    const storage = new HostStorage(join(dir, 'flash.json'));
    for (const [name, c] of Object.entries(files)) {
      if (typeof c == 'string') storage.write(name, c);
      else storage.write(name, c.part, 0, c.size);
    }
    pagePort = await freePort();
    do apiPort = await freePort(); while (apiPort == pagePort);
  } else {
    // fixed ports: a process left listening there would answer in the board's place
    for (const port of telnet ? [80, 3300, 2323] : [80, 3300]) {
      const taken = await new Promise<boolean>((resolve) => {
        const probe = net.connect(port, '127.0.0.1', () => { probe.destroy(); resolve(true); });
        probe.on('error', () => resolve(false));
      });
      if (taken) throw new Error(`port ${port} is taken by another process: the board could not listen there`);
    }
    // the full interpreter writes Storage (espruino.flash in its working folder); the bytes
    // travel as base64: in a string literal, bytes over 0x7f could be read as UTF-8
    const bytes = (text: string) => `atob(${JSON.stringify(Buffer.from(text, 'latin1').toString('base64'))})`;
    const code = Object.entries(files).map(([name, c]) => `require('Storage').write(${JSON.stringify(name)}, ` +
      (typeof c == 'string' ? `${bytes(c)});` : `${bytes(c.part)}, 0, ${c.size});`)).join('\n');
    writeFileSync(join(dir, 'write.js'), code, 'latin1');
    execFileSync(ESPRUINO_BIN, ['write.js'], { cwd: dir, timeout: 10000, stdio: 'ignore', killSignal: 'SIGKILL' });
  }
  let child: ChildProcess | undefined;
  let out = '';
  const boot = async () => {
    child = kind == 'host'
      ? spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'host/board.ts'), join(dir, 'flash.json'),
        '--port', `80=${pagePort}`, '--port', `3300=${apiPort}`], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
      // stdin an open pipe: at its end the Linux build feeds its console garbage
      : spawn(kind == 'small' ? ESPRUINO_1700 : ESPRUINO_BIN, telnet ? ['--telnet'] : [], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('latin1').on('data', (d) => { out += d; });
    child.stderr!.setEncoding('latin1').on('data', (d) => { out += d; });
    await waitForApi(apiPort, 15000).catch((e) => {
      throw new Error(`${kind}: the system API did not come up: ${e.message}\n${out.slice(-1500)}`);
    });
  };
  const stop = async () => {
    const dying = child;
    if (!dying || dying.exitCode !== null || dying.signalCode !== null) return;
    const gone = new Promise((r) => dying.once('exit', r));
    dying.kill('SIGKILL');
    await gone;
  };
  await boot();
  return {
    kind, pagePort, apiPort,
    output: () => out,
    async powerCycle() {
      await stop();
      await boot();
    },
    stop
  };
}

/** Resolves once the system API answers a request (401 without a token). */
export function waitForApi(port: number, ms: number): Promise<void> {
  return waitForAnswer('127.0.0.1', port, ms, 'GET /sys/state HTTP/1.0\r\n\r\n');
}
