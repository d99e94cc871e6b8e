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
import { crc32 } from 'node:zlib';
import { espruinoContext, netModule } from './espruino-env';
import { HostStorage } from './storage';

type Closable = { close?(): void; end?(): void };

export class HostBoard {
  private timers = new Set<NodeJS.Timeout>();
  private open = new Set<Closable>();
  private restarting = false;

  constructor(readonly storage: HostStorage, private ports: { [board: number]: number } = {}) {}

  /** Boots: the boot files, or only `file` (load(file)). */
  boot(file?: string): void {
    const context = this.context();
    const run = (name: string) => {
      const code = this.storage.read(name);
      if (code === undefined) return false;
      try {
        vm.runInContext(code, context, { filename: name });
      } catch (e) {
        console.log(`Uncaught ${describe(e)}`);
      }
      return true;
    };
    if (file) {
      run(file);
      return;
    }
    for (const name of ['.boot0', '.boot1', '.boot2', '.boot3']) run(name);
    if (!run('.bootrst')) run('.bootcde');
  }

  /** Stops what the running code started, then boots again once it has returned. */
  restart(file?: string): void {
    if (this.restarting) return;
    this.restarting = true;
    setImmediate(() => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      for (const thing of this.open) {
        if (thing.close) thing.close();
        else thing.end!();
      }
      this.open.clear();
      this.restarting = false;
      this.boot(file);
    });
  }

  private context(): vm.Context {
    const board = this;
    const timers = this.timers;
    const net = netModule({});
    function later(repeat: boolean, fn: unknown, ms: number, args: unknown[]) {
      const call = () => {
        if (!repeat) timers.delete(timer);
        try {
          if (typeof fn == 'function') fn(...args);
          else vm.runInContext(String(fn), context);
        } catch (e) {
          console.log(`Uncaught ${describe(e)}`);
        }
      };
      const timer = repeat ? setInterval(call, ms) : setTimeout(call, ms);
      timers.add(timer);
      return timer;
    }
    const modules: { [name: string]: unknown } = {
      Storage: this.storage,
      net: {
        createServer(onSocket: (socket: Closable) => void) {
          const server = net.createServer((socket) => {
            board.open.add(socket);
            onSocket(socket);
          });
          board.open.add(server);
          return {
            listen(port: number) {
              server.listen(board.ports[port] ?? port);
              return this;
            },
            close() {
              board.open.delete(server);
              server.close();
            }
          };
        }
      }
    };
    const context: vm.Context = espruinoContext({
      console,
      setTimeout: (fn: unknown, ms: number, ...args: unknown[]) => later(false, fn, ms, args),
      setInterval: (fn: unknown, ms: number, ...args: unknown[]) => later(true, fn, ms, args),
      clearTimeout(id: any) {
        if (id === undefined) throw new Error('clearTimeout(undefined) not allowed. Use clearTimeout() instead');
        timers.delete(id);
        clearTimeout(id);
      },
      clearInterval(id: any) {
        timers.delete(id);
        clearInterval(id);
      },
      require(name: string) {
        if (name in modules) return modules[name];
        throw new Error(`Module "${name}" not found`);
      },
      load: (file?: string) => board.restart(file),
      getTime: () => Date.now() / 1000,
      process: {
        // the modules require() finds here, listed as Espruino lists its built-in ones
        env: { MODULES: 'net,Storage' },
        version: 'host',
        memory(_gc?: boolean) {
          const used = Math.round(process.memoryUsage().heapUsed / 16);
          return { free: 1e6, usage: used, total: 1e6 + used };
        }
      },
      E: {
        isUTF8: (s: string) => /[^\x00-\xff]/.test(s),
        CRC32: (s: string) => crc32(Buffer.from(String(s), 'latin1'))
      }
    });
    return context;
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
  new HostBoard(new HostStorage(file), ports).boot();
}
