#!/usr/bin/env node
// Sets the system API's token on a board (src/sysapi.ts refuses every request without it), and
// keeps it on this machine for kyanitctl.
//
//   node scripts/token.mjs PORT [--token TOKEN | --keep] [--host ADDRESS] [--board esp8266|esp32] [--baud N]
//   node scripts/token.mjs --host ADDRESS --token TOKEN          (this machine only)
//
//   PORT       the board as flash.sh takes it: a serial port (/dev/ttyUSB0) or tcp://HOST[:PORT]
//              (Espruino's Telnet); the token is written to its Storage (.systoken) with the
//              espruino CLI
//   --token    the token (16-128 of A-Z a-z 0-9 . _ ~ -); without it one is generated (128
//              random bits) and printed, once
//   --host     the address kyanitctl will use for the board (default: tcp://HOST's HOST, else
//              the IP the board reports on its Wi-Fi)
//   --board    which board/<name>.json tells the CLI the board's modules (default esp8266)
//   --baud     serial speed (default 115200)
//   --keep     leave a token the board already has (flash.sh without --token): a new one only
//              where it has none
// The token is stored per board address in ~/.config/httpsrv/boards.json (HTTPSRV_BOARDS
// names another file), readable by this user only.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boardKey, storeToken, TOKEN_RULE } from './boards.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function usage(message) {
  if (message) console.error(`token.mjs: ${message}`);
  console.error('usage: node scripts/token.mjs PORT [--token TOKEN | --keep] [--host ADDRESS] [--board esp8266|esp32] [--baud N]\n' +
    '       node scripts/token.mjs --host ADDRESS --token TOKEN');
  process.exit(2);
}

const options = { board: 'esp8266', baud: '115200' };
let port = '';
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const name = args[i];
  if (name == '-h' || name == '--help') usage();
  else if (name == '--keep') options.keep = true;
  else if (['--token', '--host', '--board', '--baud'].includes(name)) {
    if (i + 1 >= args.length) usage(`${name} needs a value`);
    options[name.substring(2)] = args[++i];
  } else if (name.startsWith('-')) usage(`unknown option ${name}`);
  else if (!port) port = name;
  else usage(`unexpected ${name}`);
}
if (options.token !== undefined && !TOKEN_RULE.test(options.token)) {
  usage('a token is 16 to 128 of A-Z a-z 0-9 . _ ~ -');
}
if (!port && !(options.host && options.token)) usage('name the board (PORT), or give --host and --token to store a token here');
if (!existsSync(join(root, 'board', `${options.board}.json`))) usage(`no board/${options.board}.json`);

const token = options.token || randomBytes(16).toString('hex');
let host = options.host || (/^tcp:\/\//.test(port) ? boardKey(port) : '');

if (port) {
  // the check prints SET only when the file holds the token; the IP is for the host-side store
  const set = `require("Storage").write(".systoken",${JSON.stringify(token)});` +
    `print("TOKEN "+(require("Storage").read(".systoken")==${JSON.stringify(token)}?"SET":"NOT SET"));`;
  const code = (options.keep ? `if(require("Storage").read(".systoken"))print("TOKEN KEPT");else{${set}}` : set) +
    'var ip;try{ip=require("Wifi").getIP().ip}catch(e){}print("BOARD IP "+ip);';
  const cli = [join(root, 'node_modules/.bin/espruino'), '--no-ble', '--board', join(root, 'board', `${options.board}.json`),
    '-b', options.baud, '-p', port, '--config', 'STORE_LINE_NUMBERS=false', '--config', 'SERIAL_THROTTLE_SEND=1', '-e', code];
  const output = await new Promise((resolve) => {
    execFile(process.execPath, cli, { timeout: 60000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      resolve(stdout + stderr + (err && !stdout ? String(err.message) : ''));
    });
  });
  if (options.keep && /TOKEN KEPT/.test(output)) {
    console.log(`The board on ${port} keeps the system API token it had (kyanitctl uses the one stored for it).`);
    process.exit(0);
  }
  if (!/TOKEN SET/.test(output)) {
    console.error(`token.mjs: the token was not set on ${port}; the espruino CLI said:\n${output.split(token).join('<token>').slice(-1500)}`);
    process.exit(1);
  }
  const ip = /BOARD IP (\d+\.\d+\.\d+\.\d+)/.exec(output);
  if (!host && ip && ip[1] != '0.0.0.0') host = ip[1];
  console.log(`The board's system API token was set on ${port}.`);
}
// printed once: it is not shown again
console.log(`Token: ${token}`);
if (host) console.log(`Stored for ${boardKey(host)} in ${storeToken(host, token)} (kyanitctl ${boardKey(host)} ... uses it).`);
else {
  console.log("Not stored on this machine: the board's address is unknown. Store it with\n" +
    `  node scripts/token.mjs --host <board IP> --token ${token}`);
}
