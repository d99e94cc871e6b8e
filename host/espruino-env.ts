/**
 * The host environment: runs a bundle made for Espruino (build/app.js) under Node, giving it
 * the Espruino APIs it uses: require('net') over Node's sockets (data as byte strings, no
 * remote address, 'drain' after every write), setTimeout with arguments, process.memory(),
 * E.isUTF8, and no Wifi module.
 * Ports below 1024 need privileges on a host, so they are mapped to portBase + port.
 */
import * as net from 'node:net';
import * as vm from 'node:vm';

export interface HostOptions {
  /** ports below 1024 listen on portBase + port (default 8000: 80 → 8080) */
  portBase?: number;
  /** told of each port the bundle listens on */
  onListen?: (port: number, hostPort: number) => void;
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

function netModule(options: HostOptions) {
  return {
    createServer(onSocket: (socket: EspruinoSocket) => void) {
      const server = net.createServer((socket) => onSocket(new EspruinoSocket(socket)));
      return {
        listen(port: number) {
          const hostPort = port < 1024 ? (options.portBase ?? 8000) + port : port;
          server.on('error', (e) => console.log(`net: cannot listen on ${hostPort}: ${e.message}`));
          server.listen(hostPort, () => options.onListen?.(port, hostPort));
          return this;
        },
        close() {
          server.close();
        }
      };
    }
  };
}

/** Runs the bundle's code in a fresh context with Espruino's APIs. */
export function runBundle(code: string, filename: string, options: HostOptions = {}): void {
  const modules: { [name: string]: unknown } = { net: netModule(options) };
  const context = vm.createContext({
    console,
    setTimeout, clearTimeout, setInterval, clearInterval,
    require(name: string) {
      if (name in modules) return modules[name];
      throw new Error(`Module "${name}" not found`);
    },
    process: {
      memory(_gc?: boolean) {
        const used = process.memoryUsage().heapUsed;
        return { free: 1e6, usage: Math.round(used / 16), total: 1e6 + Math.round(used / 16) };
      }
    },
    // a string with characters beyond Latin-1 is held and sent as UTF-8, as on Espruino
    E: { isUTF8: (s: string) => /[^\x00-\xff]/.test(s) }
  });
  vm.runInContext(code, context, { filename });
}
