#!/usr/bin/env node
// kyanitctl: manages a board over Wi-Fi through its system API (src/sysapi.ts), as Kyanit CTL.
// Run `kyanitctl --help` (npm run ctl -- --help) for the commands.
import { spawnSync } from 'node:child_process';
import * as http from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { boardKey, boardsFile, storedToken } from './boards.mjs';
import { MANIFEST, readAssets } from './assets.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const HELP = `kyanitctl: manage a board over Wi-Fi through its system API (src/sysapi.ts).

  kyanitctl [OPTIONS] ADDRESS COMMAND [ARGS]          (npm run ctl -- ADDRESS COMMAND ...)

Commands:
  status               the application's state (and its error), its build, the firmware
                       and library versions, free JsVars and Storage, uptime
  files                the files in Storage, with their sizes
  get NAME [OUT]       a file, into OUT (default: standard output)
  put PATH [NAME]      a file (as NAME, default its own name), or each file of a folder
                       (named by its path inside the folder)
  rm NAME...           erase files
  stop                 stop the application (its cleanup() runs)
  start                run the application's main() again (stopping it first if it runs)
  reboot               restart the board; waits until it answers again
  netvar [JSON]        the value the application publishes; with JSON, send it one
  deploy [APP_DIR]     build the application (node scripts/build.mjs APP_DIR, default src/),
                       upload it if it changed, and the files of its built www/ (build/www)
                       that changed; restart it; wait until it runs, or print why it failed

Options:
  --token TOKEN        the board's token (else HTTPSRV_TOKEN, else the one stored for
                       ADDRESS by scripts/token.mjs in ${boardsFile()})
  --port N             the API's port (default 3300; or ADDRESS as HOST:PORT)
  --prefix /P          the API's prefix, when mounted on the application's server
  --json               print the board's answers as they are (status, files, start, stop)
  --bundle FILE        deploy: upload this build instead of building
  --assets DIR         deploy: the folder whose files are uploaded when changed (a built
                       asset folder, with its www.json, or any folder, its files as they are)
  --wait SECONDS       deploy, reboot: how long to wait for the board (default 60)
`;

/** A failure to report: its message, and the exit code (1; 2 for a wrong command line). */
class Failure extends Error {
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

function parseArgs(argv) {
  const options = { port: 3300, prefix: '', wait: 60, json: false };
  const rest = [];
  const takes = ['--token', '--port', '--prefix', '--bundle', '--assets', '--wait'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg == '-h' || arg == '--help') options.help = true;
    else if (arg == '--json') options.json = true;
    else if (takes.includes(arg)) {
      if (i + 1 >= argv.length) throw new Failure(`${arg} needs a value`, 2);
      options[arg.substring(2)] = argv[++i];
    } else if (arg.startsWith('--')) throw new Failure(`unknown option ${arg} (kyanitctl --help)`, 2);
    else rest.push(arg);
  }
  options.port = Number(options.port);
  options.wait = Number(options.wait);
  if (options.prefix && !/^\/[\w/-]*[\w-]$/.test(options.prefix)) throw new Failure('--prefix is like /kyanit', 2);
  return { options, rest };
}

/** The board: where it is, and the token it wants. */
function boardOf(address, options) {
  const m = /^([^:/]+)(?::(\d+))?$/.exec(address || '');
  if (!m) throw new Failure(`expected the board's address (an IP or a name), got ${address || 'nothing'} (kyanitctl --help)`, 2);
  const token = options.token || process.env.HTTPSRV_TOKEN || storedToken(m[1]);
  if (!token) {
    throw new Failure(`no token for ${boardKey(m[1])}: give it with --token or HTTPSRV_TOKEN, or store it with\n` +
      `  node scripts/token.mjs --host ${boardKey(m[1])} --token TOKEN`);
  }
  return { host: m[1], port: m[2] ? Number(m[2]) : options.port, prefix: options.prefix, token };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A path's bytes on the wire: what a Storage name may hold that the server does not decode. */
function pathOf(name) {
  return name.replace(/[%#? ]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

/**
 * One request to the board. `body` (a Buffer) is sent in pieces, `progress(sent)` told after
 * each. Resolves with { status, body (Buffer), json() }; rejects with a Failure that says
 * why the board could not be reached.
 */
function request(board, method, path, { body, progress, timeout = 15000 } = {}) {
  return new Promise((resolveRequest, reject) => {
    const headers = { Authorization: `Bearer ${board.token}`, Connection: 'close' };
    // a body waits for 100 Continue: a refusal (413) then comes before any of it, and is read
    // before the board closes a connection whose bytes it does not want
    if (body) Object.assign(headers, { 'Content-Length': String(body.length), Expect: '100-continue' });
    else if (method == 'POST' || method == 'PUT') headers['Content-Length'] = '0';
    const req = http.request({ host: board.host, port: board.port, method, path: board.prefix + path, headers,
      agent: false });
    let answered = false;
    req.setTimeout(timeout, () => req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
    req.on('response', (res) => {
      answered = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolveRequest({ status: res.statusCode, body: data, json: () => JSON.parse(data.toString('utf8')) });
      });
      res.on('error', (e) => reject(unreachable(board, e)));
    });
    req.on('error', (e) => {
      // the board may answer (401, 413) and close while the body is still being sent
      if (!answered) reject(unreachable(board, e));
    });
    if (!body) return req.end();
    let sent = 0, started = false;
    const start = () => {
      if (started || answered) return;
      started = true;
      next();
    };
    // the final answer follows 100 Continue at once when the board refuses the body
    req.on('continue', () => setTimeout(start, 50));
    // a server that does not answer Expect gets the body after a while all the same
    setTimeout(start, 3000).unref();
    const next = () => {
      while (sent < body.length) {
        const piece = body.subarray(sent, sent + 4096);
        sent += piece.length;
        const more = req.write(piece, () => progress && progress(Math.min(sent, body.length)));
        if (!more) return req.once('drain', next);
      }
      req.end();
    };
    req.flushHeaders();
  });
}

function unreachable(board, e) {
  const why = { ECONNREFUSED: 'connection refused', ETIMEDOUT: 'no answer', EHOSTUNREACH: 'no route to it',
    ENOTFOUND: 'no such host', ECONNRESET: 'the connection was reset', EPIPE: 'the connection was closed' }[e.code] || e.message;
  return Object.assign(new Failure(`cannot reach the board at ${board.host}:${board.port} (${why}): is it on this network, ` +
    'and running an application with the system API?'), { unreachable: true });
}

/** The answer's JSON when its status is 2xx; else a Failure that says what went wrong. */
function expectOk(board, answer, what) {
  if (answer.status >= 200 && answer.status < 300) return answer.json();
  let detail = answer.body.toString('utf8');
  try {
    detail = answer.json().detail || detail;
  } catch {}
  if (answer.status == 401) {
    throw new Failure(`the board refused the token (401: ${detail}). Give its token with --token or HTTPSRV_TOKEN, ` +
      `or store it: node scripts/token.mjs --host ${boardKey(board.host)} --token TOKEN`);
  }
  if (answer.status == 413) throw new Failure(`${what}: the board's Storage is full (413: ${detail})`);
  throw new Failure(`${what}: ${answer.status} ${detail}`);
}

async function call(board, method, path, what, extra) {
  return expectOk(board, await request(board, method, path, extra), what);
}

const group = (n) => Number(n).toLocaleString('en-US');

function describeState(board, s) {
  const app = `${group(s.app.size)} bytes, CRC32 ${(s.app.crc >>> 0).toString(16).padStart(8, '0')}, ` +
    (s.app.saved ? 'saved (runs at boot)' : 'on trial (the saved application runs after a reboot)');
  const up = Math.round(s.uptime);
  const uptime = up >= 3600 ? `${Math.floor(up / 3600)}h ${Math.floor(up / 60) % 60}m ${up % 60}s`
    : up >= 60 ? `${Math.floor(up / 60)}m ${up % 60}s` : `${s.uptime}s`;
  return [
    `board        ${board.host}:${board.port}${board.prefix}`,
    `state        ${s.state}${s.error ? `: ${s.error.name}: ${s.error.detail}` : ''}`,
    `application  ${app}`,
    `firmware     Espruino ${s.firmware}, library ${s.library}`,
    `JsVars       ${group(s.jsvars.free)} free of ${group(s.jsvars.total)}`,
    `Storage      ${group(s.storage.free)} bytes free`,
    `uptime       ${uptime}`
  ].join('\n');
}

/** Progress on standard error: a line rewritten in place on a terminal, else the last only. */
function progressLine(label, total) {
  const tty = process.stderr.isTTY;
  let shown = -1;
  return (sent) => {
    const percent = Math.floor((sent * 100) / total);
    if (percent == shown) return;
    shown = percent;
    const line = `  ${label}  ${group(sent)} / ${group(total)} bytes  ${percent}%`;
    if (tty) process.stderr.write(`\r${line}${sent >= total ? '\n' : ''}`);
    else if (sent >= total) process.stderr.write(`${line}\n`);
  };
}

function checkName(name) {
  if (!name || name.length > 28) throw new Failure(`${name}: a Storage name has 1 to 28 characters`);
  if (name.startsWith('.')) throw new Failure(`${name}: names beginning with '.' are the system's`);
  if (!/^[\x20-\x7e]+$/.test(name)) throw new Failure(`${name}: a Storage name here is printable ASCII`);
}

async function upload(board, name, data) {
  checkName(name);
  if (!data.length) throw new Failure(`${name}: an empty file (Storage cannot hold one)`);
  const stored = await call(board, 'PUT', `/files/${pathOf(name)}`, `put ${name}`,
    { body: data, progress: progressLine(name, data.length), timeout: 60000 });
  if (stored.crc >>> 0 != crc32(data) >>> 0 || stored.size != data.length) {
    throw new Failure(`put ${name}: the board stored other bytes (CRC32 ${stored.crc}, ${stored.size} bytes)`);
  }
}

/** The files of a folder, by their paths inside it ('/'-separated), dot files left out. */
function filesOf(dir) {
  const out = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push({ name: relative(dir, full).split(sep).join('/'), path: full });
    }
  };
  walk(dir);
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Polls the state until `done(state)` says something, or the wait is over. */
async function waitFor(board, seconds, done) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const answer = await request(board, 'GET', '/sys/state', { timeout: 3000 }).catch((e) => {
      if (e.unreachable) return null;
      throw e;
    });
    if (answer) {
      const verdict = done(expectOk(board, answer, 'status'));
      if (verdict) return verdict;
    }
    if (Date.now() > until) return null;
    await sleep(300);
  }
}

async function deploy(board, options, appDir) {
  let bundle;
  if (options.bundle) bundle = readFileSync(options.bundle);
  else {
    const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), ...(appDir ? [resolve(appDir)] : [])],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (build.status !== 0) throw new Failure('the build failed');
    bundle = readFileSync(join(root, 'build/bundle.js'));
  }
  // without the API the board could not be reached after it: only a reset would bring back the old one
  if (!bundle.includes('/sys/state')) {
    throw new Failure(`${options.bundle || 'build/bundle.js'} has no system API: call sysapi.listen() in the application's main.ts`);
  }
  const crc = crc32(bundle) >>> 0;
  const before = await call(board, 'GET', '/sys/state', 'status');
  // the app's www/ as the build left it (minified, gzipped, its manifest), else a folder as it is
  const built = join(root, 'build/www');
  const assets = options.assets || (!options.bundle && existsSync(built) ? built : '');
  if (assets) {
    const onBoard = new Map((await call(board, 'GET', '/files', 'files')).map((f) => [f.name, f]));
    let unchanged = 0;
    const files = existsSync(join(assets, MANIFEST)) ? readAssets(assets).files : filesOf(assets);
    for (const file of files) {
      const data = readFileSync(file.path), there = onBoard.get(file.name);
      if (there && there.size == data.length && there.crc >>> 0 == crc32(data) >>> 0) unchanged++;
      else await upload(board, file.name, data);
    }
    console.log(`assets: ${unchanged} unchanged`);
  }
  if (before.app.crc >>> 0 == crc && before.app.saved) {
    console.log('application unchanged: restarting it');
    const s = await call(board, 'POST', '/sys/start', 'start');
    console.log(describeState(board, s));
    if (s.state == 'error') throw new Failure(`the application failed: ${s.error.name}: ${s.error.detail}`);
    return;
  }
  const sentAt = Date.now();
  const stored = await call(board, 'PUT', '/sys/app', 'deploy',
    { body: bundle, progress: progressLine('application', bundle.length), timeout: 60000 });
  if (stored.crc >>> 0 != crc) throw new Failure(`deploy: the board stored other bytes (CRC32 ${stored.crc})`);
  console.log('uploaded: the board runs it on trial, and keeps it once it has started');
  const outcome = await waitFor(board, options.wait, (s) => {
    const fresh = s.uptime * 1000 < Date.now() - sentAt;
    if (s.app.crc >>> 0 == crc && s.state == 'error') return { s, failed: true };
    if (s.app.crc >>> 0 == crc && s.app.saved && s.state != 'stopped') return { s };
    // restarted since the upload, on the previous build: the new one never brought its API up
    if (s.app.crc >>> 0 != crc && fresh) return { s, reverted: true };
    return null;
  });
  if (!outcome) {
    throw new Failure(`the board did not report the new application within ${options.wait} s; if its API does not ` +
      'come up, the board goes back to the previous application');
  }
  console.log(describeState(board, outcome.s));
  if (outcome.reverted) throw new Failure('the new application did not bring its system API up: the board went back to the previous one');
  if (outcome.failed) {
    throw new Failure(`the new application failed: ${outcome.s.error.name}: ${outcome.s.error.detail}\n` +
      'The board keeps the previous application for its next boot (kyanitctl ... reboot returns to it).');
  }
}

async function main() {
  const { options, rest } = parseArgs(process.argv.slice(2));
  if (options.help || !rest.length) {
    process.stdout.write(HELP);
    return;
  }
  const [address, command, ...args] = rest;
  if (!command) throw new Failure('no command (kyanitctl --help)', 2);
  const board = boardOf(address, options);
  const print = (s) => console.log(options.json ? JSON.stringify(s, null, 2) : describeState(board, s));
  switch (command) {
    case 'status':
      print(await call(board, 'GET', '/sys/state', 'status'));
      break;
    case 'files': {
      const files = await call(board, 'GET', '/files', 'files');
      if (options.json) console.log(JSON.stringify(files, null, 2));
      else {
        const width = Math.max(4, ...files.map((f) => f.name.length));
        for (const f of files) console.log(`${f.name.padEnd(width)}  ${group(f.size).padStart(9)} bytes`);
        console.log(`${files.length} file${files.length == 1 ? '' : 's'}, ${group(files.reduce((n, f) => n + f.size, 0))} bytes`);
      }
      break;
    }
    case 'get': {
      if (!args[0]) throw new Failure('get NAME [OUT]', 2);
      checkName(args[0]);
      const answer = await request(board, 'GET', `/files/${pathOf(args[0])}`, { timeout: 60000 });
      if (answer.status != 200) expectOk(board, answer, `get ${args[0]}`);
      if (args[1] && args[1] != '-') writeFileSync(args[1], answer.body);
      else process.stdout.write(answer.body);
      break;
    }
    case 'put': {
      if (!args[0]) throw new Failure('put PATH [NAME]', 2);
      await call(board, 'GET', '/sys/state', 'status');
      if (statSync(args[0]).isDirectory()) {
        const files = filesOf(args[0]);
        files.forEach((f) => checkName(f.name));
        for (const f of files) await upload(board, f.name, readFileSync(f.path));
        console.log(`${files.length} file${files.length == 1 ? '' : 's'} uploaded`);
      } else await upload(board, args[1] || basename(args[0]), readFileSync(args[0]));
      break;
    }
    case 'rm':
      if (!args.length) throw new Failure('rm NAME...', 2);
      for (const name of args) {
        checkName(name);
        await call(board, 'DELETE', `/files/${pathOf(name)}`, `rm ${name}`);
      }
      break;
    case 'stop':
    case 'start':
      print(await call(board, 'POST', `/sys/${command}`, command));
      break;
    case 'reboot': {
      const postedAt = Date.now();
      await call(board, 'POST', '/sys/reboot', 'reboot');
      console.log('rebooting');
      const s = await waitFor(board, options.wait, (state) => state.uptime * 1000 < Date.now() - postedAt ? state : null);
      if (!s) throw new Failure(`the board did not answer within ${options.wait} s of rebooting`);
      print(s);
      break;
    }
    case 'netvar':
      if (args[0] === undefined) console.log(JSON.stringify(await call(board, 'GET', '/netvar', 'netvar')));
      else {
        try {
          JSON.parse(args[0]);
        } catch {
          throw new Failure(`netvar: not JSON: ${args[0]}`, 2);
        }
        await call(board, 'POST', '/netvar', 'netvar', { body: Buffer.from(args[0], 'utf8') });
        console.log('sent');
      }
      break;
    case 'deploy':
      await deploy(board, options, args[0]);
      break;
    default:
      throw new Failure(`unknown command ${command} (kyanitctl --help)`, 2);
  }
}

main().catch((e) => {
  console.error(`kyanitctl: ${e instanceof Failure ? e.message : e.stack || e}`);
  process.exit(e instanceof Failure ? e.code : 1);
});
