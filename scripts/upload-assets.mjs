// Writes a built asset folder (scripts/assets.mjs) to a board's Storage with the espruino CLI:
// reads the board's manifest and files first, writes only the files whose content changed
// (in pieces: require("Storage").write(name, atob(...), offset, size)), erases those no longer
// listed, and writes the manifest last (erased first, so the board never lists a file half
// written). A set that does not fit the board's Storage is refused before anything is
// written, saying by how much.
//
//   node scripts/upload-assets.mjs ASSETS_DIR --port PORT [--board esp8266|esp8266-512k|esp32]
//        [--baud N] [--code build/bundle.js] [--dry-run]
//
//   PORT     /dev/ttyUSB0 or tcp://HOST[:PORT] (Espruino's Telnet, port 23 by default)
//   --board  the board's Storage size (STORAGE_BYTES in assets.mjs) and, for esp8266/esp32,
//            board/<name>.json for the CLI (its built-in modules: nothing looked up online)
//   --code   count this file as the code (.bootcde) that will sit beside the assets, instead
//            of the code on the board now (flash.sh uploads the code after)
//   --dry-run  print the commands instead of sending them
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { fitStorage, MANIFEST, readAssets } from './assets.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Bytes written a line: a multiple of 3 (base64 without padding), as the espruino CLI does;
 *  a line and its decoded bytes stay near 120 JsVars on an ESP8266. */
export const PIECE = 384;
/** Marks the board's answers in what the CLI prints. */
const MARK = '@@<';

/** Lines of JavaScript writing `bytes` (a Buffer) to the Storage file `name`, PIECE bytes a
 *  line: the first creates the file with its size, the others fill it. base64 holds any byte
 *  (0xFF included) and no character a console or the CLI could change. */
export function fileCommands(name, bytes, piece = PIECE) {
  const lines = [];
  for (let at = 0; at < bytes.length; at += piece) {
    const part = bytes.subarray(at, at + piece).toString('base64');
    lines.push(`require("Storage").write(${JSON.stringify(name)},atob("${part}"),${at}${at ? '' : ',' + bytes.length});`);
  }
  return lines;
}

/** A line that prints, between markers, what `expression` gives as JSON. */
function report(expression) {
  return `print("${MARK.slice(0, 2)}"+"${MARK.slice(2)}"+JSON.stringify(${expression})+">");`;
}

/** The line that asks a board for its manifest and the size of every file in its Storage. */
export const QUERY = report('(function(S){var f={};S.list().forEach(function(n){f[n]=S.read(n).length;});' +
  `return {m:S.read(${JSON.stringify(MANIFEST)})||null,f:f};})(require("Storage"))`);

/** The first answer marked in a board's output, parsed; undefined if there is none. */
export function parseAnswer(output) {
  const at = output.indexOf(MARK);
  if (at < 0) return undefined;
  // JSON holds no line break: the answer is the rest of its line, up to its closing '>'
  const line = output.slice(at + MARK.length).split(/\r?\n/)[0];
  return JSON.parse(line.slice(0, line.lastIndexOf('>')));
}

/** The Storage names a manifest lists. */
function namesIn(manifest) {
  return Object.values(manifest || {}).flatMap((e) => [e.s, e.z].filter(Boolean));
}

/** For each Storage name a manifest lists, what identifies its content: ETag and size. */
function contentIds(manifest) {
  const ids = {};
  for (const e of Object.values(manifest || {})) {
    if (e.s) ids[e.s] = e.e + ':' + e.n;
    if (e.z) ids[e.z] = e.e + ':gz:' + e.g;
  }
  return ids;
}

/**
 * What to do to bring a board to the built set: { write: [files], erase: [names], fit,
 * upToDate }. `built` is readAssets(); `board` is { manifest (parsed or null), files: {name:
 * size} }, as the board answered QUERY; `codeSize` replaces the board's .bootcde in the count.
 */
export function planUpload(built, board, storageBoard, codeSize) {
  const oldIds = contentIds(board.manifest), newIds = contentIds(built.manifest);
  const onBoard = board.files || {};
  const write = built.files.filter((f) => f.name != MANIFEST &&
    !(oldIds[f.name] === newIds[f.name] && onBoard[f.name] === f.size));
  const newNames = new Set(built.files.map((f) => f.name));
  const erase = namesIn(board.manifest).filter((name) => !newNames.has(name) && name in onBoard);
  // what stays besides the set: the code and the app's own files
  const ours = new Set([...namesIn(board.manifest), ...newNames, MANIFEST]);
  const others = Object.entries(onBoard).filter(([name]) => !ours.has(name) && !(codeSize !== undefined && name == '.bootcde'));
  const sizes = [...others.map(([, size]) => size), ...built.files.map((f) => f.size)];
  if (codeSize !== undefined) sizes.push(codeSize);
  const manifestSame = onBoard[MANIFEST] !== undefined && board.manifest &&
    JSON.stringify(board.manifest) === JSON.stringify(built.manifest);
  return { write, erase, fit: fitStorage(sizes, storageBoard), upToDate: !write.length && !erase.length && !!manifestSame };
}

/** The lines that carry out a plan, then print each written file's size and CRC32 (when the
 *  firmware has E.CRC32) for checkWritten(). */
export function uploadCommands(plan, built) {
  const lines = [`require("Storage").erase(${JSON.stringify(MANIFEST)});`];
  for (const name of plan.erase) lines.push(`require("Storage").erase(${JSON.stringify(name)});`);
  const manifestFile = built.files.find((f) => f.name == MANIFEST);
  const files = [...plan.write, manifestFile];
  for (const f of files) lines.push(...fileCommands(f.name, readFileSync(f.path)));
  lines.push(report(`${JSON.stringify(files.map((f) => f.name))}.map(function(n){var d=require("Storage").read(n);` +
    'return d===undefined?[-1]:[d.length,E.CRC32?E.CRC32(d):null];})'));
  return { lines, files };
}

/** What differs between the files written and the board's answer to uploadCommands' last
 *  line: [] when every file arrived whole. */
export function checkWritten(files, answer) {
  if (!Array.isArray(answer) || answer.length != files.length) return ['the board did not report the files written'];
  const problems = [];
  files.forEach((f, i) => {
    const [size, crc] = answer[i];
    const bytes = readFileSync(f.path);
    if (size != bytes.length) problems.push(`${f.name}: ${size < 0 ? 'missing' : size + ' bytes'} on the board, ${bytes.length} built`);
    else if (crc !== null && crc !== undefined && crc != crc32(bytes)) problems.push(`${f.name}: its bytes differ (CRC32)`);
  });
  return problems;
}

/** Runs the espruino CLI against `port`, evaluating the lines of `file` (a file of JS lines)
 *  or `expression`; resolves with what it printed. */
export function runCli({ port, board, baud, file, expression }) {
  const cli = createRequire(import.meta.url).resolve('espruino/bin/espruino-cli.js');
  // --sleep 3: the board's report comes after its last write; on a busy machine 1 s was too short
  const args = [cli, '--no-ble', '-p', port, '--sleep', '3',
    // no reset (the app keeps running), no line numbers, throttled: Telnet has no flow control
    '--config', 'RESET_BEFORE_SEND=false', '--config', 'SAVE_ON_SEND=0',
    '--config', 'STORE_LINE_NUMBERS=false', '--config', 'SERIAL_THROTTLE_SEND=1'];
  const boardFile = board && join(root, 'board', `${String(board).replace(/-.*/, '')}.json`);
  if (boardFile && existsSync(boardFile)) args.push('--board', boardFile);
  if (baud) args.push('-b', String(baud));
  if (expression) args.push('-e', expression);
  if (file) args.push(file);
  return new Promise((res, rej) => {
    execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60 * 1000 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`espruino CLI failed: ${err.message}\n${stdout}${stderr}`));
      else res(stdout + stderr);
    });
  });
}

/** What a board answered QUERY with, as planUpload takes it: { manifest, files }. */
export function boardFromAnswer(answer) {
  let manifest = null;
  // a manifest that does not parse is as none: everything is written again
  try { manifest = answer.m ? JSON.parse(answer.m) : null; } catch { manifest = null; }
  return { manifest, files: answer.f };
}

/** The board's manifest and files, asked through the CLI. */
export async function readBoard(options) {
  let output = '', answer;
  // asked again when no answer came (it only reads): Espruino's Telnet console now and then
  // loses the first bytes of a line sent right after the CLI connects (seen once in ~30 runs)
  for (let attempt = 0; attempt < 3 && !answer; attempt++) {
    output = await runCli({ ...options, expression: QUERY });
    answer = parseAnswer(output);
  }
  if (!answer) throw new Error(`the board did not answer: is it on ${options.port}?\n${output.slice(-500)}`);
  return boardFromAnswer(answer);
}

/**
 * Uploads `assetsDir` to the board on `port`; resolves with the plan and the names written.
 * Throws, before writing anything, when the set does not fit.
 * @param {string} assetsDir
 * @param {{ port: string, board?: string, baud?: string | number, code?: string, dryRun?: boolean,
 *   log?: (line: string) => void }} options
 */
export async function uploadAssets(assetsDir, { port, board = 'esp8266', baud, code, dryRun, log = console.log }) {
  const built = readAssets(assetsDir);
  const codeSize = code ? statSync(code).size : undefined;
  const onBoard = await readBoard({ port, board, baud });
  const plan = planUpload(built, onBoard, board, codeSize);
  if (!plan.fit.fits) throw new Error(`refused, nothing written: the set does not fit: ${plan.fit.text}`);
  if (plan.upToDate) {
    log(`assets up to date on ${port} (${built.files.length} files); Storage: ${plan.fit.text}`);
    return { plan, written: [] };
  }
  const { lines, files } = uploadCommands(plan, built);
  log(`writing ${files.length} files (${plan.write.length} changed, the manifest), erasing ${plan.erase.length}; Storage: ${plan.fit.text}`);
  if (dryRun) {
    log(lines.join('\n'));
    return { plan, written: [] };
  }
  const script = join(mkdtempSync(join(tmpdir(), 'upload-assets-')), 'upload.js');
  writeFileSync(script, lines.join('\n') + '\n');
  const output = await runCli({ port, board, baud, file: script });
  const problems = checkWritten(files, parseAnswer(output));
  if (/Uncaught|Error/.test(output.replace(/@@<[^\n]*/g, ''))) problems.unshift(output.split('\n').filter((l) => /Uncaught|Error/.test(l)).join('\n'));
  if (problems.length) throw new Error(`upload failed:\n${problems.join('\n')}`);
  log(`assets written: ${files.map((f) => f.name).join(', ')}`);
  return { plan, written: files.map((f) => f.name) };
}

if (process.argv[1] && resolve(process.argv[1]) == fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name) => { const at = args.indexOf(name); return at < 0 ? undefined : args.splice(at, 2)[1]; };
  const port = flag('--port'), board = flag('--board') || 'esp8266', baud = flag('--baud'), code = flag('--code');
  const dryRun = args.includes('--dry-run') && !!args.splice(args.indexOf('--dry-run'), 1);
  if (args.length != 1 || !port) {
    console.error('usage: node scripts/upload-assets.mjs ASSETS_DIR --port PORT [--board NAME] [--baud N] [--code FILE] [--dry-run]');
    process.exit(2);
  }
  uploadAssets(args[0], { port, board, baud, code, dryRun }).catch((e) => {
    console.error(`upload-assets: ${e.message}`);
    process.exit(1);
  });
}
