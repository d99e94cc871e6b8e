// The tokens of the boards this machine manages, one per board address, in
// ~/.config/httpsrv/boards.json ($XDG_CONFIG_HOME/httpsrv/boards.json; HTTPSRV_BOARDS names
// another file), readable by this user only. Shared by scripts/token.mjs and kyanitctl.mjs.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export function boardsFile() {
  return process.env.HTTPSRV_BOARDS ||
    join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'httpsrv', 'boards.json');
}

/** A board's key in the file: its host name or IP, lower-case, without a port. */
export function boardKey(address) {
  return String(address).replace(/^[a-z]+:\/\//i, '').replace(/:\d+$/, '').toLowerCase();
}

function readAll() {
  const file = boardsFile();
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not JSON (${e.message}): fix or remove it`);
  }
}

/** The token stored for `address`, or undefined. */
export function storedToken(address) {
  const entry = readAll()[boardKey(address)];
  return entry && typeof entry.token == 'string' ? entry.token : undefined;
}

/** Stores `token` for `address`; returns the file it is in. */
export function storeToken(address, token) {
  const file = boardsFile(), all = readAll();
  all[boardKey(address)] = { token };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** What a token may be: what an Authorization header and a JS string carry as they are. */
export const TOKEN_RULE = /^[A-Za-z0-9._~-]{16,128}$/;
