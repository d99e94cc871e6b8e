/**
 * A stand-in for Espruino's require('Storage') on the host, backed by a folder of built asset
 * files (scripts/assets.mjs: one host file per Storage name, named hostFileName(name)), so
 * that src/static.ts serves the same bytes under `npm start` as on a board. Data are byte
 * strings (one character per byte, as Espruino gives them). What is written goes to memory,
 * over the folder, with Espruino's rules (src/jsflash.c): a file is created by a write at
 * offset 0 with its size, later writes fill it, bytes already written cannot be written again,
 * names are cut at 28 characters. Storage.open() is left out: assets never use it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Storage name a host file in the folder stands for (the inverse of hostFileName). */
function storageName(hostFile: string): string {
  return decodeURIComponent(hostFile);
}

/** Espruino's Storage, as far as the host needs it. */
export interface StorageModule {
  read(name: string, offset?: number, length?: number): string | undefined;
  readJSON(name: string, noExceptions?: boolean): any;
  write(name: string, data: string, offset?: number, size?: number): boolean;
  erase(name: string): void;
  list(regex?: RegExp): string[];
  getFree(): number;
  getStats(): { totalBytes: number; freeBytes: number; fileBytes: number; fileCount: number;
    trashBytes: number; trashCount: number };
  compact(): void;
}

/** Names hold 28 characters; Espruino cuts longer ones without a word. */
const NAME_MAX = 28;
/** What an unwritten byte of flash reads as. */
const ERASED = '\xff';

/**
 * Storage over `folder` (absent or undefined: empty), `totalBytes` in all (the Linux build's
 * 256 KB by default).
 */
export function storageModule(folder?: string, totalBytes = 256 * 1024): StorageModule {
  /** written or erased on the host: a byte string, or null once erased */
  const written = new Map<string, string | null>();
  const key = (name: string) => String(name).substring(0, NAME_MAX);
  const fromFolder = (): string[] => (folder && existsSync(folder) ? readdirSync(folder).map(storageName) : []);
  const contents = (name: string): string | undefined => {
    const k = key(name);
    if (written.has(k)) return written.get(k) ?? undefined;
    const file = folder ? join(folder, encodeURIComponent(k)) : '';
    return file && existsSync(file) ? readFileSync(file).toString('latin1') : undefined;
  };
  const names = (): string[] => {
    const all = new Set(fromFolder());
    for (const [name, data] of written) {
      if (data === null) all.delete(name);
      else all.add(name);
    }
    return [...all];
  };
  const cost = (size: number) => 32 + Math.ceil(size / 4) * 4;
  const fileBytes = () => names().reduce((sum, name) => sum + cost(contents(name)!.length), 0);

  return {
    read(name, offset = 0, length = 0) {
      const data = contents(name);
      if (data === undefined) return undefined;
      const from = Math.min(Math.max(offset | 0, 0), data.length);
      return data.substring(from, length > 0 ? from + length : data.length);
    },
    readJSON(name, noExceptions) {
      const data = contents(name);
      if (data === undefined) return undefined;
      try {
        return JSON.parse(Buffer.from(data, 'latin1').toString('utf8'));
      } catch (e) {
        if (noExceptions) return undefined;
        throw e;
      }
    },
    write(name, data, offset = 0, size = 0) {
      const bytes = String(data);
      if (/[^\x00-\xff]/.test(bytes)) throw new Error('Storage stand-in: write byte strings (atob, latin1)');
      const length = size || bytes.length;
      if (!length) throw new Error("Can't create zero length file");
      const k = key(name);
      let file = contents(k);
      if (offset == 0) {
        // the same bytes written whole again change nothing; anything else makes a new file
        if (file !== undefined && file.length == length && bytes.length == length && file == bytes) return true;
        if (file === undefined || file.length != length || file != ERASED.repeat(length)) {
          if (fileBytes() - (file === undefined ? 0 : cost(file.length)) + cost(length) > totalBytes) {
            throw new Error('Unable to find or create file');
          }
          file = ERASED.repeat(length);
        }
      }
      if (file === undefined) throw new Error('Unable to find or create file');
      if (offset + bytes.length > file.length) throw new Error('Too much data for file size');
      if (file.substring(offset, offset + bytes.length) != ERASED.repeat(bytes.length)) {
        throw new Error('File already written with different data');
      }
      written.set(k, file.substring(0, offset) + bytes + file.substring(offset + bytes.length));
      return true;
    },
    erase(name) {
      written.set(key(name), null);
    },
    list(regex) {
      return names().filter((name) => !regex || regex.test(name));
    },
    getFree() {
      return totalBytes - fileBytes();
    },
    getStats() {
      const used = fileBytes();
      return { totalBytes, freeBytes: totalBytes - used, fileBytes: used, fileCount: names().length,
        trashBytes: 0, trashCount: 0 };
    },
    compact() {}
  };
}
