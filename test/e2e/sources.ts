/**
 * The end-to-end suite's 'sources' target (E2E_SOURCES=1, set by `npm run mutate`): a bundle
 * made from the TypeScript sources as they are now, run in this process in the host
 * environment (host/espruino-env.ts). The mutation tester changes src/ in place and switches
 * its mutants in this process: the 'host' target's child process runs build/, which it never
 * reaches.
 */
import * as esbuild from 'esbuild';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBundle } from '../../host/board';
import { buildAssets } from '../../scripts/assets.mjs';

/** The entry each built bundle comes from (scripts/build.mjs bundles tsc's output of it). */
const ENTRIES: { [bundle: string]: string } = {
  'build/app.js': 'src/boot.ts',
  'build/e2e-app.js': 'test/fixtures/app.ts'
};

/** The assets each bundle finds in Storage, as scripts/build.mjs builds them. */
const WWW: { [bundle: string]: [string, object] } = {
  'build/app.js': ['src/www', {}],
  'build/e2e-app.js': ['test/fixtures/www', { gzipOnly: (path: string) => path == '/gzip-only.txt' }]
};

/** Bundled once per process: the mutation tester switches mutants at run time, not by file. */
const made: { [bundle: string]: string } = {};
/** Each bundle's assets, built once per process into a folder of its own ('' for none). */
const built: { [bundle: string]: string } = {};

async function assetsOf(root: string, bundle: string): Promise<string> {
  if (built[bundle] === undefined) {
    const [www, options] = WWW[bundle] || ['', {}];
    built[bundle] = '';
    if (www && existsSync(join(root, www))) {
      const out = join(mkdtempSync(join(tmpdir(), 'httpsrv-www-')), 'www');
      await buildAssets(join(root, www), out, options);
      built[bundle] = out;
    }
  }
  return built[bundle];
}

function bundleOf(root: string, bundle: string): string {
  if (!ENTRIES[bundle]) throw new Error(`no sources known for ${bundle}`);
  // as scripts/build.mjs, less minifying and ES5 lowering (tsc's job there; Node needs neither)
  return made[bundle] ??= esbuild.buildSync({
    entryPoints: [join(root, ENTRIES[bundle])], bundle: true, write: false, format: 'cjs',
    platform: 'node', external: ['Wifi', 'Storage'], charset: 'utf8', define: { WIFI_CONFIG: '{}' },
    banner: { js: '(function(){' }, footer: { js: '})();' }, logLevel: 'warning'
  }).outputFiles[0].text;
}

/** Runs `bundle`'s sources here, ports below 1024 mapped to portBase + port, its assets in
 *  Storage; stop() ends it. */
export async function runSources(root: string, bundle: string, prefix: string, portBase: number): Promise<{ stop(): void }> {
  const storage = (await assetsOf(root, bundle)) || undefined;
  return runBundle(prefix + bundleOf(root, bundle), `${ENTRIES[bundle]} (sources)`, { portBase, storage });
}
