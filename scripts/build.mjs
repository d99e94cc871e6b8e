// npm run build [-- APP_DIR]: type-check and lower to ES5 with tsc, then bundle and minify with
// esbuild; and the asset folders (scripts/assets.mjs) as they will sit in Storage.
//   build/app.js       the application: APP_DIR/main.ts (default src/, the spec's example)
//                      started by src/boot.ts; what flash.sh uploads to the board
//   build/www/         its assets, from APP_DIR/www/ when there is one
//   build/e2e-app.js   the end-to-end suite's application (test/fixtures/app.ts)
//   build/e2e-www/     its assets, from test/fixtures/www/
//   build/examples/NAME/app.js and www/: each example under examples/, ready to serve or flash
// Imported, it gives compile() and bundle() to the scripts that build an app (npm start).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildAssets } from './assets.mjs';

const require = createRequire(import.meta.url);
export const root = fileURLToPath(new URL('..', import.meta.url));

/** tsc over src/, board/, examples/ and the test fixtures into build/tsc (ES5). */
export function compile() {
  rmSync(join(root, 'build/tsc'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')],
    { stdio: 'inherit', cwd: root });
}

/** Bundles `entry` (compiled, under build/tsc) to `outfile`; with `appDir`, src/boot.js starts
 *  that folder's main.js instead of src/main.js. */
export async function bundle(entry, outfile, appDir) {
  // Wi-Fi credentials stay out of git: board/wifi.json if present, else the board's saved ones
  const wifiFile = join(root, 'board/wifi.json');
  const wifi = existsSync(wifiFile) ? readFileSync(wifiFile, 'utf8') : '{}';
  JSON.parse(wifi);
  const main = appDir && join(root, 'build/tsc', relative(root, resolve(root, appDir)), 'main.js');
  if (main && !existsSync(main)) throw new Error(`${appDir}: no main.ts there (or not under src/ or examples/)`);
  // the one boot file starts whichever app: its './main' is the app's
  const appMain = { name: 'app-main', setup(build) {
    build.onResolve({ filter: /^\.\/main$/ }, (args) =>
      main && args.importer.endsWith(join('src', 'boot.js')) ? { path: main } : undefined);
  } };
  await esbuild.build({
    entryPoints: [join(root, entry)], outfile: join(root, outfile), bundle: true, minify: true, target: 'es5',
    // cjs + node keeps require('net') as it is, for Espruino; the wrapper keeps names local
    format: 'cjs', platform: 'node', external: ['Wifi', 'Storage'],
    // non-ASCII text as UTF-8: Espruino mixes encodings when \x and \u escapes meet in a string
    charset: 'utf8',
    banner: { js: '(function(){' }, footer: { js: '})();' },
    // internal fields end with '_': the minifier may rename them
    mangleProps: /_$/, plugins: [appMain],
    define: { WIFI_CONFIG: wifi }, logLevel: 'warning'
  });
  const code = readFileSync(join(root, outfile), 'utf8');
  // noEmitHelpers: a construct that needs a tsc helper would fail on the board, not here
  const helper = /\b__(extends|assign|spreadArray|awaiter|generator|rest|values|read)\b/.exec(code);
  if (helper) throw new Error(`${outfile} needs tsc's ${helper[0]} helper: rewrite that code`);
  console.log(`${outfile}: ${statSync(join(root, outfile)).size} bytes`);
}

/** Builds the app in `appDir` (default src/) into build/app.js, and its www/ into build/www. */
export async function buildApp(appDir = '', outDir = 'build') {
  await bundle('build/tsc/src/boot.js', join(outDir, 'app.js'), appDir);
  const www = join(root, appDir || 'src', 'www');
  if (existsSync(www)) await buildAssets(www, join(root, outDir, 'www'));
  else rmSync(join(root, outDir, 'www'), { recursive: true, force: true });
}

if (process.argv[1] && resolve(process.argv[1]) == fileURLToPath(import.meta.url)) {
  const appDir = process.argv[2] && resolve(process.argv[2]) != resolve(root, 'src') ? process.argv[2] : '';
  compile();
  await buildApp(appDir);
  await bundle('build/tsc/test/fixtures/app.js', 'build/e2e-app.js');
  // one file kept gzip-compressed only, for the 406 case
  await buildAssets(join(root, 'test/fixtures/www'), join(root, 'build/e2e-www'),
    { gzipOnly: (path) => path == '/gzip-only.txt' });
  // examples/ is not in every checkout yet
  const examples = existsSync(join(root, 'examples')) ? readdirSync(join(root, 'examples')) : [];
  for (const name of examples) await buildApp(join('examples', name), join('build/examples', name));
}
