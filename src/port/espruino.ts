/** The Espruino platform: the only module that touches the interpreter's globals. */
import { Listener, Socket } from './port';

// The globals used here, declared for this module only: it type-checks with Node's types too
declare var require: (module: string) => any;
declare var process: { memory(gc?: boolean): { free: number; usage: number; total: number } };
/** E.isUTF8: whether a string is held (and sent) as UTF-8; absent on builds without Unicode */
declare var E: { isUTF8?: (str: string) => boolean };

/** Listens on `port`, calling `onSocket` with each accepted connection. */
export function listen(port: number, onSocket: (socket: Socket) => void): Listener {
  var server = require('net').createServer(onSocket);
  server.listen(port);
  return server;
}

/** Whether `count` JsVars are free. Garbage counts as used until it is collected, so a
 *  collection (which costs a request's time) runs only when the quick count says no. */
export function hasFreeVars(count: number): boolean {
  return process.memory(false).free >= count || process.memory().free >= count;
}

/** Bytes a string takes on the wire: Espruino sends a string holding characters beyond
 *  Latin-1 (a 'UTF8' string) as UTF-8, so its length in characters is not its length. */
export function byteLength(str: string): number {
  return E.isUTF8 && E.isUTF8(str) ? encodeURIComponent(str).replace(/%../g, '.').length
    : str.length;
}

/** `length` bytes of the file `name` in Storage (flash) from `offset`, all of it without
 *  them: a string mapped onto flash (one JsVar, no copy), undefined when there is no such
 *  file. Storage.open() is never used: it ends a file at its first 0xFF byte. */
export function readStorage(name: string, offset?: number, length?: number): string | undefined {
  return require('Storage').read(name, offset, length);
}
