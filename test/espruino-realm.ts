/**
 * Loads a module of src/ into a context with the language as Espruino has it where it hid bugs
 * (host/espruino-env.ts, ESPRUINO_PRELUDE: every object carries on, emit, clone...), so a unit
 * test meets on Node what the module meets on a board.
 */
import * as esbuild from 'esbuild';
import * as vm from 'node:vm';
import { espruinoContext } from '../host/espruino-env';

/** The module's exports, its objects made in that context; `globals` are given to it (e.g. a
 *  `require` answering Espruino's built-in modules, which stay outside the bundle). */
export function loadInEspruinoRealm<T>(file: string, globals: object = {}): T {
  const out = esbuild.buildSync({ entryPoints: [file], bundle: true, format: 'iife',
    globalName: 'loaded', write: false, logLevel: 'warning', external: ['Storage', 'net'] });
  const context = espruinoContext({ ...globals });
  vm.runInContext(out.outputFiles[0].text, context, { filename: file });
  return context.loaded as T;
}

/** The names every Espruino object has (../shared/espruino-notes.md). */
export const ESPRUINO_MEMBERS = ['on', 'emit', 'addListener', 'prependListener', 'removeListener',
  'removeAllListeners', 'clone', 'hasOwnProperty', 'toString', 'valueOf', 'constructor'];

/** An object's own entries, as a plain object of this realm (for deepStrictEqual). */
export function ownEntries(o: object): { [name: string]: unknown } {
  return Object.fromEntries(Object.keys(o).map((k) => [k, (o as any)[k]]));
}
