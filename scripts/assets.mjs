// The asset pipeline: an app's www/ folder as it will sit in a board's Storage, for
// src/static.ts to serve. Each file is minified (HTML: comments and white space runs; CSS and
// JS: esbuild), gzipped (kept only when smaller), given an ETag (a hash of its content) and a
// Storage name ('w' + its URL path; 'z' + the path for its gzip), and listed in a manifest,
// www.json: URL path → {s: Storage name, n: size, z: gzip's name, g: gzip's size, e: ETag,
// t: Content-Type, c: Cache-Control}. Also: what a set costs in Storage, and whether it fits
// a board's.
//
//   node scripts/assets.mjs WWW_DIR OUT_DIR [--gzip-only] [--max-age SECONDS]
//                           [--board esp8266|esp8266-512k|esp32] [--code build/bundle.js]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/**
 * A file's entry in the manifest (src/static.ts reads it):
 * @typedef {{ s?: string, n?: number, z?: string, g?: number, e: string, t: string, c: string }} Entry
 * @typedef {{ [path: string]: Entry }} Manifest
 * @typedef {{ name: string, size: number, path: string }} StorageFile
 */

/** The manifest's Storage name (src/static.ts reads this name by default). */
export const MANIFEST = 'www.json';
/** Characters in a Storage name (Espruino's JsfFileName). */
export const STORAGE_NAME_MAX = 28;
/** Bytes of Storage in all, code (.bootcde) included (../shared/espruino-notes.md). `esp8266`
 *  is board/esp8266.json, Espruino's ESP8266_4MB build; `esp8266-512k` its 512 KB build. */
export const STORAGE_BYTES = { 'esp8266-512k': 16 * 1024, esp8266: 192 * 1024, 'esp8266-4mb': 192 * 1024,
  esp32: 896 * 1024 };
/** Seconds a file whose name carries a content hash (app.3f2a9c1b.js) may be cached. */
const YEAR = 365 * 24 * 3600;

/** What a file of `size` bytes takes in Storage: a 32-byte header (size and name), its data
 *  padded to 4 bytes (Espruino's jsflash.c). */
export function storageCost(size) {
  return 32 + Math.ceil(size / 4) * 4;
}

/** Storage in all on `board` (a name of STORAGE_BYTES, or a number of bytes). */
export function storageCapacity(board) {
  if (typeof board == 'number') return board;
  const bytes = STORAGE_BYTES[String(board).toLowerCase()];
  if (!bytes) throw new Error(`no Storage size known for board "${board}" (${Object.keys(STORAGE_BYTES).join(', ')})`);
  return bytes;
}

/**
 * Whether files of these sizes (the assets, the manifest, the code's .bootcde and whatever
 * else stays in Storage) fit `board`'s Storage: { fits, need, capacity, over, text }.
 */
export function fitStorage(sizes, board) {
  const capacity = storageCapacity(board);
  const need = sizes.reduce((sum, size) => sum + storageCost(size), 0);
  const over = Math.max(0, need - capacity);
  const n = (x) => x.toLocaleString('en');
  const where = typeof board == 'number' ? 'Storage' : `${board}'s Storage`;
  const text = over ? `${n(need)} bytes needed, ${where} holds ${n(capacity)}: ${n(over)} too many`
    : `${n(need)} of ${n(capacity)} bytes (${where}), ${n(capacity - need)} left`;
  return { fits: !over, need, capacity, over, text };
}

/** Content-Type by extension: decided here, at build time, so the board keeps no table. */
export function contentType(path) {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const text = { html: 'text/html', htm: 'text/html', css: 'text/css', js: 'text/javascript',
    mjs: 'text/javascript', txt: 'text/plain', csv: 'text/csv', xml: 'application/xml' }[ext];
  if (text) return text + '; charset=utf-8';
  return { json: 'application/json', map: 'application/json', webmanifest: 'application/manifest+json',
    svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
    webp: 'image/webp', ico: 'image/x-icon', woff: 'font/woff', woff2: 'font/woff2',
    wasm: 'application/wasm', pdf: 'application/pdf' }[ext] || 'application/octet-stream';
}

/** Cache-Control by kind: a page is revalidated every time (a reflashed board shows its new
 *  page at once); a name carrying a content hash never changes; other assets are revalidated
 *  too unless `maxAge` seconds are given (their ETag makes that a small 304). */
export function cacheControl(path, maxAge = 0) {
  if (/\.html?$/i.test(path)) return 'no-cache';
  if (/[.-][0-9a-f]{8,}\.[a-z0-9]+$/i.test(path)) return `max-age=${YEAR}, immutable`;
  return maxAge > 0 ? `max-age=${maxAge}` : 'no-cache';
}

/** An ETag for content: 16 hex digits of its SHA-256 (strong: it changes with any byte). */
export function etag(bytes) {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

const SCRIPT_TYPES = /^\s*$|^(text|application)\/(java|ecma)script$|^module$/i;

/** Minifies a page: comments dropped, each run of white space between tags and text made one
 *  character (a newline if it held one), inline scripts and styles minified; <pre>, <textarea>
 *  and the inside of tags (attribute values) are left as they are. */
export async function minifyHtml(html) {
  const parts = /<!--[\s\S]*?-->|<(pre|textarea|script|style)\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/\1\s*>|<(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
  // text is collapsed once a kept part follows: a dropped comment leaves one run of white space
  let out = '', text = '', from = 0, m;
  const keep = (part) => { out += collapse(text) + part; text = ''; };
  while ((m = parts.exec(html))) {
    text += html.slice(from, m.index);
    from = parts.lastIndex;
    const [whole, element, attributes, body] = m;
    // conditional comments are instructions to old browsers: kept
    if (whole.startsWith('<!--')) { if (whole.startsWith('<!--[if')) keep(whole); continue; }
    if (!element || !body.trim()) { keep(whole); continue; }
    const name = element.toLowerCase();
    const type = /\btype\s*=\s*["']?([^"'\s>]*)/i.exec(attributes)?.[1] ?? '';
    const loader = name == 'style' ? 'css' : name == 'script' && SCRIPT_TYPES.test(type) ? 'js' : '';
    if (!loader) { keep(whole); continue; }
    const code = (await esbuild.transform(body, { loader, minify: true })).code.trim();
    keep(`<${element}${attributes}>${code}${whole.slice(whole.lastIndexOf('<'))}`);
  }
  return (out + collapse(text + html.slice(from))).trim();
}

function collapse(text) {
  return text.replace(/\s+/g, (run) => (run.includes('\n') ? '\n' : ' '));
}

/** The file minified by its kind (HTML, CSS, JS), other kinds as they are. */
export async function minify(path, bytes) {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  if (ext == 'html' || ext == 'htm') return Buffer.from(await minifyHtml(bytes.toString('utf8')), 'utf8');
  if (ext == 'css' || ext == 'js' || ext == 'mjs') {
    const r = await esbuild.transform(bytes.toString('utf8'), { loader: ext == 'css' ? 'css' : 'js', minify: true });
    return Buffer.from(r.code.trim(), 'utf8');
  }
  return bytes;
}

/** The URL paths of a folder's files ('/index.html', '/img/icon.png'), dot-files left out. */
function listFiles(dir) {
  const paths = [];
  (function walk(folder) {
    for (const name of readdirSync(folder).sort()) {
      if (name.startsWith('.')) continue;
      const file = join(folder, name);
      if (statSync(file).isDirectory()) walk(file);
      else paths.push('/' + relative(dir, file).split(sep).join('/'));
    }
  })(dir);
  return paths;
}

/** Why a URL path cannot be served from Storage, or '' (the rules src/static.ts checks). */
export function badPath(path) {
  if (/[^A-Za-z0-9._~/-]/.test(path)) return 'only letters, digits and . _ ~ - are served in names';
  if (/\/\.+(\/|$)/.test(path)) return 'a name made only of dots';
  if (path.length + 1 > STORAGE_NAME_MAX) {
    return `its path is ${path.length} characters; with its Storage prefix ('w' or 'z') a name holds ${STORAGE_NAME_MAX}`;
  }
  return '';
}

/** A Storage name as a host file name: names hold '/', which a folder could not. */
export function hostFileName(storageName) {
  return encodeURIComponent(storageName);
}

/**
 * Builds `wwwDir` into `outDir`: each Storage file as a host file (hostFileName) and the
 * manifest (MANIFEST). Options: gzipOnly (true, or a function of the URL path: drop a file's
 * plain copy where its gzip is kept: less Storage; a client refusing gzip is answered 406), maxAge (Cache-Control seconds for
 * assets that are neither pages nor hashed names). Returns { manifest, files: [{ name, size,
 * path }] } (files: every Storage file written, the manifest last).
 */
/**
 * @param {string} wwwDir
 * @param {string} outDir
 * @param {{ gzipOnly?: boolean | ((path: string) => boolean), maxAge?: number }} [options]
 * @returns {Promise<{ manifest: Manifest, files: StorageFile[] }>}
 */
export async function buildAssets(wwwDir, outDir, options = {}) {
  wwwDir = resolve(wwwDir);
  outDir = resolve(outDir);
  if (!existsSync(wwwDir) || !statSync(wwwDir).isDirectory()) throw new Error(`assets: no folder ${wwwDir}`);
  // it is emptied: only a folder this wrote before (or an empty one)
  if (existsSync(outDir)) {
    const there = readdirSync(outDir);
    if (there.length && !there.includes(MANIFEST)) throw new Error(`assets: ${outDir} holds other files: not emptying it`);
    rmSync(outDir, { recursive: true, force: true });
  }
  mkdirSync(outDir, { recursive: true });
  /** @type {Manifest} */
  const manifest = {};
  /** @type {StorageFile[]} */
  const files = [];
  const put = (name, bytes) => {
    const path = join(outDir, hostFileName(name));
    writeFileSync(path, bytes);
    files.push({ name, size: bytes.length, path });
  };
  for (const path of listFiles(wwwDir)) {
    const problem = badPath(path);
    if (problem) throw new Error(`assets: ${relative(process.cwd(), join(wwwDir, path))} cannot be served: ${problem}`);
    const plain = await minify(path, readFileSync(join(wwwDir, path.slice(1))));
    if (!plain.length) throw new Error(`assets: ${relative(process.cwd(), join(wwwDir, path))} is empty (once minified): Storage cannot hold an empty file`);
    const gzip = gzipSync(plain, { level: 9 });
    // names and sizes first, as src/static.ts lists them
    const entry = /** @type {Entry} */ ({});
    const keepGzip = gzip.length < plain.length;
    const gzipOnly = typeof options.gzipOnly == 'function' ? options.gzipOnly(path) : !!options.gzipOnly;
    if (!(keepGzip && gzipOnly)) {
      entry.s = 'w' + path;
      entry.n = plain.length;
      put(entry.s, plain);
    }
    if (keepGzip) {
      entry.z = 'z' + path;
      entry.g = gzip.length;
      put(entry.z, gzip);
    }
    manifest[path] = Object.assign(entry, { e: etag(plain), t: contentType(path), c: cacheControl(path, options.maxAge) });
  }
  put(MANIFEST, Buffer.from(JSON.stringify(manifest), 'utf8'));
  return { manifest, files };
}

/**
 * Reads a built folder back, as buildAssets returned it.
 * @param {string} outDir
 * @returns {{ manifest: Manifest, files: StorageFile[] }}
 */
export function readAssets(outDir) {
  const manifestFile = join(outDir, MANIFEST);
  if (!existsSync(manifestFile)) throw new Error(`assets: no ${MANIFEST} in ${outDir}: build it first`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const names = Object.values(manifest).flatMap((e) => [e.s, e.z].filter(Boolean));
  const files = [...names, MANIFEST].map((name) => {
    const path = join(outDir, hostFileName(name));
    return { name, size: statSync(path).size, path };
  });
  return { manifest, files };
}

/** Run alone: build, list, and say whether it fits. */
async function main() {
  const args = process.argv.slice(2);
  const flag = (name) => { const at = args.indexOf(name); return at < 0 ? undefined : args.splice(at, 2)[1]; };
  const gzipOnly = args.includes('--gzip-only') && !!args.splice(args.indexOf('--gzip-only'), 1);
  const maxAge = Number(flag('--max-age') || 0), board = flag('--board') || 'esp8266', code = flag('--code');
  if (args.length != 2) {
    console.error('usage: node scripts/assets.mjs WWW_DIR OUT_DIR [--gzip-only] [--max-age SECONDS] [--board NAME] [--code build/bundle.js]');
    process.exit(2);
  }
  const { manifest, files } = await buildAssets(args[0], args[1], { gzipOnly, maxAge });
  for (const [path, e] of Object.entries(manifest)) {
    console.log(`  ${path.padEnd(28)} ${String(e.n ?? '-').padStart(7)} ${String(e.g ?? '-').padStart(7)} gz  ${e.t}  ${e.c}`);
  }
  const sizes = files.map((f) => f.size);
  if (code) sizes.push(statSync(code).size);
  const fit = fitStorage(sizes, board);
  console.log(`${files.length} Storage files${code ? ' and the code' : ''}: ${fit.fits ? 'fit' : 'do not fit'}: ${fit.text}`);
}
if (process.argv[1] && resolve(process.argv[1]) == fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(e.message); process.exit(1); });
}
