/**
 * A board on the host: boots from a Storage file (host/storage.ts) as Espruino boots from
 * flash (.boot0 to .boot3, then .bootrst or .bootcde), with the Espruino APIs of
 * host/espruino-env.ts and those the system API uses: require('Storage'), load() (a restart
 * that boots again, at the next idle moment, as Espruino's) and load(file) (a restart that runs
 * that file instead), E.CRC32, process.version. A restart stops everything the code started:
 * its timers, servers and connections. Killing the process is a power cut: the Storage file
 * holds what the flash would. An exception that nothing catches is printed and the board goes
 * on, as Espruino does.
 *
 *   node --import tsx host/board.ts STORAGE_FILE [--port BOARD_PORT=HOST_PORT]...
 */
import * as vm from 'node:vm';
import { boardGlobals, espruinoContext, HostOptions, Live, netModule, Running, stopAll } from './espruino-env';
import { HostStorage, storageModule } from './storage';

export class HostBoard {
  /** what the running code started: stopped by a restart */
  private live: Live = new Set();
  private restarting = false;

  /** `net`: where the board's ports listen here; `guard` runs the code and every callback (by
   *  default an exception nothing catches is printed and the board goes on, as Espruino's). */
  constructor(readonly storage: HostStorage, private net: HostOptions = { portBase: 0 },
    private guard: (run: () => void) => void = uncaught) {}

  /** Runs `code` in a fresh context, as a board runs what it is sent (npm start: build/app.js). */
  run(code: string, filename: string): void {
    const context = this.context();
    this.guard(() => vm.runInContext(code, context, { filename }));
  }

  /** Boots: the boot files, or only `file` (load(file)). */
  boot(file?: string): void {
    const run = (name: string) => {
      const code = this.storage.read(name);
      if (code === undefined) return false;
      this.run(code, name);
      return true;
    };
    if (file) {
      run(file);
      return;
    }
    for (const name of ['.boot0', '.boot1', '.boot2', '.boot3']) run(name);
    if (!run('.bootrst')) run('.bootcde');
  }

  /** Stops all the running code started (its timers, servers and connections): a power cut. */
  stop(): void {
    stopAll(this.live);
  }

  /** Stops what the running code started, then boots again once it has returned. */
  restart(file?: string): void {
    if (this.restarting) return;
    this.restarting = true;
    setImmediate(() => {
      this.stop();
      this.restarting = false;
      this.boot(file);
    });
  }

  private context(): vm.Context {
    const modules = { Storage: this.storage, net: netModule(this.net, this.live) };
    return espruinoContext({
      ...boardGlobals(this.live, modules, this.guard),
      load: (file?: string) => this.restart(file)
    });
  }
}

/** Runs `code` (build/app.js) on a host board whose Storage holds the built assets in
 *  `options.storage`, exceptions thrown to the caller; stop() ends all it started. */
export function runBundle(code: string, filename: string, options: HostOptions = {}): Running {
  const board = new HostBoard(storageModule(options.storage), options, (run) => run());
  board.run(code, filename);
  return { stop: () => board.stop() };
}

/** Runs `fn`; an exception it throws is printed and the board goes on, as Espruino does. */
function uncaught(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    console.log(`Uncaught ${describe(e)}`);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

if (require.main === module) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node --import tsx host/board.ts STORAGE_FILE [--port BOARD_PORT=HOST_PORT]...');
    process.exit(2);
  }
  const ports: { [board: number]: number } = {};
  for (let i = 0; i < rest.length; i++) {
    const m = rest[i] == '--port' ? /^(\d+)=(\d+)$/.exec(rest[++i] || '') : null;
    if (!m) {
      console.error(`host/board.ts: expected --port BOARD=HOST, got ${rest[i]}`);
      process.exit(2);
    }
    ports[Number(m[1])] = Number(m[2]);
  }
  // Espruino prints an exception nothing caught and goes on
  process.on('uncaughtException', (e) => console.log(`Uncaught ${describe(e)}`));
  new HostBoard(new HostStorage(file), { ports, portBase: 0 }).boot();
}
