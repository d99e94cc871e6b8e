/**
 * The host environment's pieces, for a bundle made for Espruino run under Node (host/board.ts
 * runs it): require('net') over Node's sockets (data as byte strings, no remote address,
 * 'drain' after every write), setTimeout with arguments, process.memory() and .env, E.isUTF8
 * and E.CRC32, no Wifi module; and the language's differences that hid bugs (ESPRUINO_PRELUDE).
 * Ports below 1024 need privileges on a host, so they are mapped to portBase + port.
 */
import * as net from 'node:net';
import * as vm from 'node:vm';
import { crc32 } from 'node:zlib';

export interface HostOptions {
  /** ports below 1024 listen on portBase + port (default 8000: 80 → 8080) */
  portBase?: number;
  /** a port of the board's → the one it listens on here (before portBase) */
  ports?: { [board: number]: number };
  /** told of each port the bundle listens on */
  onListen?: (port: number, hostPort: number) => void;
  /** the folder of built assets (scripts/assets.mjs) that require('Storage') holds; without
   *  it Storage starts empty */
  storage?: string;
}

/** A bundle running in this process. */
export interface Running {
  /** Closes its listeners and connections and clears its timers: nothing of it runs after. */
  stop(): void;
}

/** What a bundle has started, for stop(): listeners, sockets, pending timers. */
export type Live = Set<net.Server | net.Socket | NodeJS.Timeout>;

/** Stops all that `live` holds: nothing of the program runs after. */
export function stopAll(live: Live): void {
  for (const thing of live) {
    if (thing instanceof net.Server) thing.close();
    else if (thing instanceof net.Socket) thing.destroy();
    else clearTimeout(thing);
  }
  live.clear();
}

type Listener = (...args: any[]) => void;

/** A Node socket dressed as an Espruino `net` socket. */
class EspruinoSocket {
  private drains: Listener[] = [];

  constructor(private socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('error', () => { /* Espruino reports through 'close' */ });
  }

  on(event: string, fn: Listener): void {
    const self = this;
    if (event == 'data') this.socket.on('data', (data: string) => fn.call(self, data));
    else if (event == 'close') this.socket.on('close', (hadError: boolean) => fn.call(self, hadError));
    // Espruino says 'drain' each time what was written has gone out, not only after a full buffer
    else if (event == 'drain') this.drains.push(fn);
    else if (event == 'error') {
      this.socket.on('error', (e: Error) => fn.call(self, { code: -1, message: e.message }));
    }
  }

  write(data: string): boolean {
    if (this.socket.destroyed) return false;
    const text = String(data);
    return this.socket.write(text, /[^\x00-\xff]/.test(text) ? 'utf8' : 'latin1', (err) => {
      if (!err && !this.socket.destroyed) for (const fn of this.drains) fn.call(this);
    });
  }

  end(data?: string): void {
    if (data !== undefined) this.write(data);
    // Espruino closes the socket once its data is sent, whatever the peer does
    this.socket.end(() => this.socket.destroy());
  }
}

/** Espruino's net on Node sockets; `live` collects what must be closed to stop the program. */
export function netModule(options: HostOptions, live: Live = new Set()) {
  return {
    createServer(onSocket: (socket: EspruinoSocket) => void) {
      const server = net.createServer((socket) => {
        live.add(socket);
        socket.on('close', () => live.delete(socket));
        onSocket(new EspruinoSocket(socket));
      });
      live.add(server);
      return {
        listen(port: number) {
          const hostPort = options.ports?.[port] ?? (port < 1024 ? (options.portBase ?? 8000) + port : port);
          server.on('error', (e) => console.log(`net: cannot listen on ${hostPort}: ${e.message}`));
          server.listen(hostPort, () => options.onListen?.(port, hostPort));
          return this;
        },
        close() {
          live.delete(server);
          server.close();
        }
      };
    }
  };
}

/**
 * Run first in every context made here, so that code meets the language as Espruino 2v29 has
 * it where a difference hid bugs (../shared/espruino-notes.md; the README lists what is and is
 * not reproduced):
 * - every object, Object.create(null) included, carries on, emit, addListener,
 *   prependListener, removeListener, removeAllListeners and clone (hasOwnProperty, toString,
 *   valueOf and constructor it has already): a name taken from a request can collide with them.
 *   Assigning one makes an own entry, as there; listeners live in hidden '#on<event>' entries.
 * - trim() strips only space, tab, CR, LF, VT and FF (Node's also strips U+00A0 and others).
 * - indexOf() and includes() report a needle found where its start runs to the end of the
 *   string ('abcd'.indexOf('cdx') == 2), as Espruino 2v29 does.
 * - split() ignores its limit.
 * (clearTimeout(undefined) throws: see boardGlobals.)
 */
export const ESPRUINO_PRELUDE = `(function () {
  var proto = Object.prototype, define = Object.defineProperty, create = Object.create;
  function member(name, fn) { define(proto, name, { value: fn, writable: true, configurable: true }); }
  function listeners(o, event) {
    var key = '#on' + event;
    if (!proto.hasOwnProperty.call(o, key)) define(o, key, { value: [], writable: true, configurable: true });
    return o[key];
  }
  function add(event, fn) { listeners(this, event).push(fn); return this; }
  member('on', add);
  member('addListener', add);
  member('prependListener', function (event, fn) { listeners(this, event).unshift(fn); return this; });
  member('emit', function (event) {
    var args = [].slice.call(arguments, 1), self = this;
    listeners(this, event).slice().forEach(function (fn) { fn.apply(self, args); });
  });
  member('removeListener', function (event, fn) {
    var list = listeners(this, event), at = list.indexOf(fn);
    if (at >= 0) list.splice(at, 1);
  });
  member('removeAllListeners', function (event) {
    if (event === undefined) Object.getOwnPropertyNames(this).forEach(function (k) {
      if (k.substring(0, 3) == '#on') delete this[k];
    }, this);
    else delete this['#on' + event];
  });
  member('clone', function () { return Object.assign(create(Object.getPrototypeOf(this)), this); });
  Object.create = function (p, props) { return create(p === null ? proto : p, props); };
  var string = String.prototype, indexOf = string.indexOf, split = string.split;
  function method(name, fn) { define(string, name, { value: fn, writable: true, configurable: true }); }
  method('trim', function () { return String(this).replace(/^[ \\t\\n\\r\\v\\f]+|[ \\t\\n\\r\\v\\f]+$/g, ''); });
  method('indexOf', function (needle, from) {
    var s = String(this), n = String(needle), at = indexOf.call(s, n, from);
    if (at >= 0) return at;
    for (var k = Math.max(from | 0, 0); k < s.length; k++) if (n.substring(0, s.length - k) == s.substring(k)) return k;
    return -1;
  });
  method('includes', function (needle, from) { return this.indexOf(needle, from) >= 0; });
  method('split', function (separator) { return split.call(String(this), separator); });
})();`;

/** A fresh context holding `globals`, with the language as Espruino has it (ESPRUINO_PRELUDE). */
export function espruinoContext(globals: object): vm.Context {
  // the mutation tester's switchboard (npm run mutate), shared so that code run here is mutated
  const stryker = (globalThis as any).__stryker__;
  const context = vm.createContext(stryker ? { ...globals, __stryker__: stryker } : globals);
  vm.runInContext(ESPRUINO_PRELUDE, context, { filename: 'espruino-prelude.js' });
  return context;
}

/**
 * The globals a program meets on a board, as far as the host gives them: the console, timers
 * (kept in `live`; `onTimer` runs each callback: how an exception in one is met), require() of
 * `modules`, the clock and the LED's pin (writes shown, as a board's LED would show them),
 * process.memory() and .env, E.isUTF8 and E.CRC32.
 */
export function boardGlobals(live: Live, modules: { [name: string]: unknown },
  onTimer: (run: () => void) => void = (run) => run()): object {
  const later = (repeat: boolean, fn: (...args: any[]) => void, ms: number, args: unknown[]) => {
    const timer: NodeJS.Timeout = (repeat ? setInterval : setTimeout)(() => {
      if (!repeat) live.delete(timer);
      onTimer(() => fn(...args));
    }, ms);
    live.add(timer);
    return timer;
  };
  return {
    console,
    setTimeout: (fn: (...args: any[]) => void, ms: number, ...args: unknown[]) => later(false, fn, ms, args),
    setInterval: (fn: (...args: any[]) => void, ms: number, ...args: unknown[]) => later(true, fn, ms, args),
    clearTimeout(id: any) {
      if (id === undefined) throw new Error('clearTimeout(undefined) not allowed. Use clearTimeout() instead');
      live.delete(id);
      clearTimeout(id);
    },
    clearInterval(id: any) {
      live.delete(id);
      clearInterval(id);
    },
    require(name: string) {
      if (name in modules) return modules[name];
      throw new Error(`Module "${name}" not found`);
    },
    getTime: () => Date.now() / 1000,
    D2: 2,
    digitalWrite(pin: unknown, value: unknown) {
      console.log(`digitalWrite(${pin}, ${Number(value)})`);
    },
    process: {
      // the modules require() finds here, listed as Espruino lists its built-in ones
      env: { MODULES: Object.keys(modules).join(',') },
      version: 'host',
      memory(_gc?: boolean) {
        const used = Math.round(process.memoryUsage().heapUsed / 16);
        return { free: 1e6, usage: used, total: 1e6 + used };
      }
    },
    E: {
      // a string with characters beyond Latin-1 is held and sent as UTF-8, as on Espruino
      isUTF8: (s: string) => /[^\x00-\xff]/.test(s),
      CRC32: (s: string) => crc32(Buffer.from(String(s), 'latin1'))
    }
  };
}
