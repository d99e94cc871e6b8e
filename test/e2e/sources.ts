/**
 * The end-to-end suite's 'sources' target (E2E_SOURCES=1, set by `npm run mutate`): a bundle
 * made from the TypeScript sources as they are now, run in this process in the host
 * environment (host/espruino-env.ts). The mutation tester changes src/ in place and switches
 * its mutants in this process: the 'host' target's child process runs build/, which it never
 * reaches.
 */
import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { runBundle } from '../../host/espruino-env';

/** The entry each built bundle comes from (scripts/build.mjs bundles tsc's output of it). */
const ENTRIES: { [bundle: string]: string } = {
  'build/app.js': 'src/boot.ts',
  'build/e2e-app.js': 'test/fixtures/app.ts'
};

/** Bundled once per process: the mutation tester switches mutants at run time, not by file. */
const made: { [bundle: string]: string } = {};

function bundleOf(root: string, bundle: string): string {
  if (!ENTRIES[bundle]) throw new Error(`no sources known for ${bundle}`);
  // as scripts/build.mjs, less minifying and ES5 lowering (tsc's job there; Node needs neither)
  return made[bundle] ??= esbuild.buildSync({
    entryPoints: [join(root, ENTRIES[bundle])], bundle: true, write: false, format: 'cjs',
    platform: 'node', external: ['Wifi', 'Storage'], charset: 'utf8', define: { WIFI_CONFIG: '{}' },
    banner: { js: '(function(){' }, footer: { js: '})();' }, logLevel: 'warning'
  }).outputFiles[0].text;
}

/** Runs `bundle`'s sources here, ports below 1024 mapped to portBase + port; stop() ends it. */
export function runSources(root: string, bundle: string, prefix: string, portBase: number): { stop(): void } {
  return runBundle(prefix + bundleOf(root, bundle), `${ENTRIES[bundle]} (sources)`, { portBase });
}
