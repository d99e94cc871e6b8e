// npm run build: type-check and lower to ES5 with tsc, then bundle and minify with esbuild;
// and the asset folders (scripts/assets.mjs) as they will sit in Storage.
//   build/app.js       the application (src/boot.ts → src/main.ts), flashed to the board
//   build/www/         its assets, from src/www/ when there is one
//   build/e2e-app.js   the end-to-end suite's application (test/fixtures/app.ts)
//   build/e2e-www/     its assets, from test/fixtures/www/
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { buildAssets } from './assets.mjs';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
process.chdir(root);

rmSync('build/tsc', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'],
  { stdio: 'inherit' });

// Wi-Fi credentials stay out of git: board/wifi.json if present, else the board's saved ones
const wifi = existsSync('board/wifi.json') ? readFileSync('board/wifi.json', 'utf8') : '{}';
JSON.parse(wifi);

const bundles = { 'build/app.js': 'build/tsc/src/boot.js',
  'build/e2e-app.js': 'build/tsc/test/fixtures/app.js' };
for (const [outfile, entry] of Object.entries(bundles)) {
  await esbuild.build({
    entryPoints: [entry], outfile, bundle: true, minify: true, target: 'es5',
    // cjs + node keeps require('net') as it is, for Espruino; the wrapper keeps names local
    format: 'cjs', platform: 'node', external: ['Wifi', 'Storage'],
    // non-ASCII text as UTF-8: Espruino mixes encodings when \x and \u escapes meet in a string
    charset: 'utf8',
    banner: { js: '(function(){' }, footer: { js: '})();' },
    // internal fields end with '_': the minifier may rename them
    mangleProps: /_$/,
    define: { WIFI_CONFIG: wifi }, logLevel: 'warning'
  });
  const code = readFileSync(outfile, 'utf8');
  // noEmitHelpers: a construct that needs a tsc helper would fail on the board, not here
  const helper = /\b__(extends|assign|spreadArray|awaiter|generator|rest|values|read)\b/.exec(code);
  if (helper) throw new Error(`${outfile} needs tsc's ${helper[0]} helper: rewrite that code`);
  console.log(`${outfile}: ${statSync(outfile).size} bytes`);
}

if (existsSync('src/www')) await buildAssets('src/www', 'build/www');
// one file kept gzip-compressed only, for the 406 case
await buildAssets('test/fixtures/www', 'build/e2e-www', { gzipOnly: (path) => path == '/gzip-only.txt' });
