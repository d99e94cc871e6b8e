// npm run build [-- APP_DIR]: type-check and lower to ES5 with tsc, then bundle and minify with
// esbuild; and the asset folders (scripts/assets.mjs) as they will sit in Storage.
//   build/bundle.js    the application: APP_DIR/main.ts (default src/, the spec's example)
//                      started by src/boot.ts; what .bootcde holds (flash.sh --save writes it)
//   build/app.js       its installer, the file `espruino -p PORT build/app.js` uploads: it
//                      writes build/bundle.js to Storage (.bootcde) a small piece a line,
//                      checks it, then load()s it; no line holds more than ~600 bytes
//   build/www/         its assets, from APP_DIR/www/ when there is one
//   build/e2e-app.js   the end-to-end suite's application (test/fixtures/app.ts)
//   build/e2e-www/     its assets, from test/fixtures/www/
//   build/examples/NAME/app.js and www/: each example under examples/, ready to serve or flash
// Imported, it gives compile() and bundle() to the scripts that build an app (npm start).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import * as esbuild from 'esbuild';
import { buildAssets } from './assets.mjs';
import * as acorn from 'acorn';

const require = createRequire(import.meta.url);
/** The column esbuild breaks lines after (its lineLimit). */
const LINE_LIMIT = 160;
/** Bytes of the bundle each line of the installer writes. */
const PIECE = 512;

export const root = fileURLToPath(new URL('..', import.meta.url));

/** tsc over src/, board/, examples/ and the test fixtures into build/tsc (ES5). */
export function compile() {
  rmSync(join(root, 'build/tsc'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')],
    { stdio: 'inherit', cwd: root });
}

/** esbuild's settings for every bundle (bench.mjs builds its variants with them too). */
export const esbuildOptions = {
  bundle: true, minify: true, target: 'es5',
  // cjs + node keeps require('net') as it is, for Espruino. No wrapper function: the top-level
  // names are globals, minified all the same, and none of the board's (src/boot.ts keeps them
  // out); a wrapper would cost each function a scope link (1 JsVar: 65 for the spec's example)
  format: 'cjs', platform: 'node', external: ['Wifi', 'Storage'],
  // non-ASCII text as UTF-8: Espruino mixes encodings when \x and \u escapes meet in a string
  charset: 'utf8',
  // internal fields end with '_': the minifier may rename them
  mangleProps: /_$/,
  // line breaks: an Error's stack marker run from Storage is as long as its column (~1,000 JsVars at 12 KB)
  lineLimit: LINE_LIMIT
};

/** esbuild's output with lineLimit, each string on one line again: esbuild continues a long
 *  string on the next line with '\' + newline, which Espruino reads as a newline in the string. */
export function joinStrings(code) {
  // an odd run of '\' before a newline: a continuation (ES5 output has no template literals)
  return code.replace(/((?:^|[^\\])(?:\\\\)*)\\\n/g, '$1');
}

/** `code` with each RegExp literal that the espruino CLI would read as a division in
 *  parentheses: its lexer (core/utils.js getLexer) takes '/' after '|', '^' or '~' for one, and
 *  its uploader, counting brackets with that reading, then sends nothing. */
export function cliSafe(code) {
  const misread = [];
  let last = '';
  for (const t of acorn.tokenizer(code, { ecmaVersion: 5 })) {
    if (t.type.label == 'regexp' && /[|^~]$/.test(last)) misread.push(t);
    last = code.substring(t.start, t.end);
  }
  for (const t of misread.reverse()) code = code.slice(0, t.start) + '(' + code.slice(t.start, t.end) + ')' + code.slice(t.end);
  return code;
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
    ...esbuildOptions, entryPoints: [join(root, entry)], outfile: join(root, outfile), plugins: [appMain],
    define: { WIFI_CONFIG: wifi }, logLevel: 'warning'
  });
  const code = cliSafe(joinStrings(readFileSync(join(root, outfile), 'utf8')));
  writeFileSync(join(root, outfile), code);
  // noEmitHelpers: a construct that needs a tsc helper would fail on the board, not here
  const helper = /\b__(extends|assign|spreadArray|awaiter|generator|rest|values|read)\b/.exec(code);
  if (helper) throw new Error(`${outfile} needs tsc's ${helper[0]} helper: rewrite that code`);
  console.log(`${outfile}: ${statSync(join(root, outfile)).size} bytes`);
}

/** `bytes` as a double-quoted string literal of printable ASCII: a byte outside it as \xNN,
 *  so that every byte reaches Storage as it is (the CLI replaces characters above 255). */
function literal(bytes) {
  let s = '"';
  for (const b of bytes) {
    s += b == 0x22 ? '\\"' : b == 0x5c ? '\\\\' : b == 0x0a ? '\\n'
      : b < 0x20 || b > 0x7e ? '\\x' + b.toString(16).padStart(2, '0') : String.fromCharCode(b);
  }
  return s + '"';
}

/**
 * The installer of `code` (a bundle's bytes): one top-level statement a line, each writing
 * PIECE bytes of it to .bootcde, then a check of its length and CRC32 that load()s it or
 * erases it. The espruino CLI sends a file to the REPL as it is, a line executed at a time
 * only while its own lexer sees every bracket closed (codeWriter.js, reformatCode): the board
 * then holds one line at a time, never the whole bundle.
 */
export function installer(code) {
  const lines = [];
  for (let at = 0; at < code.length; at += PIECE) {
    lines.push(`require("Storage").write(".bootcde",${literal(code.subarray(at, at + PIECE))},${at}` +
      `${at ? '' : ',' + code.length});`);
  }
  lines.push(`(function(s){if(s&&s.length==${code.length}&&E.CRC32(s)==${crc32(code)})load();` +
    `else{require("Storage").erase(".bootcde");console.log("app.js: .bootcde was not written whole: erased, upload again")}})` +
    `(require("Storage").read(".bootcde"));`);
  return lines.join('\n') + '\n';
}

/** Builds the app in `appDir` (default src/) into build/bundle.js and its installer
 *  build/app.js, and its www/ into build/www. */
export async function buildApp(appDir = '', outDir = 'build') {
  await bundle('build/tsc/src/boot.js', join(outDir, 'bundle.js'), appDir);
  const app = join(root, outDir, 'app.js');
  writeFileSync(app, installer(readFileSync(join(root, outDir, 'bundle.js'))));
  console.log(`${join(outDir, 'app.js')}: ${statSync(app).size} bytes (installs ${join(outDir, 'bundle.js')})`);
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
