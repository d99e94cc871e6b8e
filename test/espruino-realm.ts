/**
 * Loads a module of src/ into a context with the language as Espruino has it where it hid bugs
 * (host/espruino-env.ts, ESPRUINO_PRELUDE: every object carries on, emit, clone...), so a unit
 * test meets on Node what the module meets on a board.
 */
import * as esbuild from 'esbuild';
import * as vm from 'node:vm';
import { espruinoContext } from '../host/espruino-env';

/** The module's exports, its objects made in that context. */
export function loadInEspruinoRealm<T>(file: string): T {
  const out = esbuild.buildSync({ entryPoints: [file], bundle: true, format: 'iife',
    globalName: 'loaded', write: false, logLevel: 'warning' });
  const context = espruinoContext({});
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
