/**
 * A stand-in for Espruino's require('Storage') on the host, backed by a file (the board's
 * flash, kept between runs) or by a folder of built assets (scripts/assets.mjs: one host file
 * per Storage name, named encodeURIComponent(name)), with the semantics src/static.ts and the
 * system API (src/sysapi.ts) rely on, as seen on the Linux build of Espruino 2v29: data as latin1
 * strings (one char, one byte); write(name, data, offset, size) creates a file of `size` bytes
 * at offset 0 (replacing one of that name) and fills it at later offsets, refusing bytes
 * already written ("File already written with different data") and bytes past its size; a
 * name longer than 28 characters is cut to 28; an erased or replaced file stays as trash
 * until compact(), which a write that does not fit runs by itself. With a file path, every
 * change is saved there at once, so that a process killed mid-write (a power cut) leaves
 * what a board's flash would hold.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes a file's header takes in flash (Espruino's JsfFileHeader: size and a 28-byte name). */
const HEADER = 32;
const NAME_MAX = 28;

interface Entry {
  name: string;
  /** the file's bytes: 0xFF where nothing was written */
  data: Buffer;
  /** erased or replaced: it takes space until compact() */
  trash: boolean;
}

/** Space a file takes in flash: its size rounded up to 4 bytes, and its header. */
function footprint(size: number): number {
  return ((size + 3) & ~3) + HEADER;
}

export class HostStorage {
  /** every file written, in the order written (as they lie in flash), trash included */
  private entries: Entry[] = [];

  /** `file`: where the contents are kept between runs (none: in memory only). */
  constructor(private file?: string, private total = 256 * 1024) {
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { total: number; entries: [string, string, boolean][] };
      this.total = saved.total;
      this.entries = saved.entries.map(([name, data, trash]) => ({ name, data: Buffer.from(data, 'base64'), trash }));
    }
  }

  read(name: string, offset?: number, length?: number): string | undefined {
    const entry = this.find(name);
    if (!entry) return undefined;
    const size = entry.data.length, from = Math.min(Math.max(offset || 0, 0), size);
    const count = length && length > 0 ? Math.min(length, size - from) : size - from;
    return entry.data.toString('latin1', from, from + count);
  }

  readJSON(name: string, noExceptions?: boolean): any {
    const data = this.read(name);
    if (data === undefined) return undefined;
    try {
      return JSON.parse(Buffer.from(data, 'latin1').toString('utf8'));
    } catch (e) {
      if (noExceptions) return undefined;
      throw e;
    }
  }

  write(name: string, data: unknown, offset?: number, size?: number): boolean {
    const text = typeof data == 'string' ? data : JSON.stringify(data);
    if (/[^\x00-\xff]/.test(text)) throw new Error('Storage stand-in: write byte strings (atob, latin1)');
    const bytes = Buffer.from(text, 'latin1');
    const at = offset || 0;
    const length = size || bytes.length;
    if (!length) throw new Error("Can't create zero length file");
    let entry = this.find(name);
    if (at == 0 && (!entry || entry.data.length != length || !erased(entry.data, 0, length))) {
      if (entry && entry.data.length == length && bytes.length == length && entry.data.equals(bytes)) return true;
      if (entry) entry.trash = true;
      entry = this.create(name, length);
    }
    if (!entry) throw new Error('Unable to find or create file');
    if (at + bytes.length > entry.data.length) throw new Error('Too much data for file size');
    if (!erased(entry.data, at, bytes.length)) throw new Error('File already written with different data');
    bytes.copy(entry.data, at);
    this.save();
    return true;
  }

  erase(name: string): void {
    const entry = this.find(name);
    if (entry) {
      entry.trash = true;
      this.save();
    }
  }

  /** The names of the files, in the order they lie in flash. */
  list(pattern?: RegExp): string[] {
    return this.entries.filter((e) => !e.trash && (!pattern || pattern.test(e.name))).map((e) => e.name);
  }

  /** Bytes free after the last file: the largest file that can be written without compacting. */
  getFree(): number {
    return this.total - this.used();
  }

  getStats() {
    const files = this.entries.filter((e) => !e.trash), trash = this.entries.filter((e) => e.trash);
    const bytes = (list: Entry[]) => list.reduce((sum, e) => sum + footprint(e.data.length), 0);
    return { totalBytes: this.total, freeBytes: this.getFree(), fileBytes: bytes(files),
      fileCount: files.length, trashBytes: bytes(trash), trashCount: trash.length };
  }

  compact(): void {
    this.entries = this.entries.filter((e) => !e.trash);
    this.save();
  }

  eraseAll(): void {
    this.entries = [];
    this.save();
  }

  private find(name: string): Entry | undefined {
    const key = String(name).substring(0, NAME_MAX);
    return this.entries.find((e) => !e.trash && e.name == key);
  }

  private used(): number {
    return this.entries.reduce((sum, e) => sum + footprint(e.data.length), 0);
  }

  /** A new file of `size` erased bytes at the end, compacting first if only that makes room. */
  private create(name: string, size: number): Entry | undefined {
    const need = footprint(size);
    if (this.getFree() < need) {
      if (this.getFree() + this.getStats().trashBytes < need) return undefined;
      this.entries = this.entries.filter((e) => !e.trash);
    }
    const entry = { name: String(name).substring(0, NAME_MAX), data: Buffer.alloc(size, 0xff), trash: false };
    this.entries.push(entry);
    return entry;
  }

  private save(): void {
    if (!this.file) return;
    const text = JSON.stringify({ total: this.total,
      entries: this.entries.map((e) => [e.name, e.data.toString('base64'), e.trash]) });
    // written whole, then renamed: a kill never leaves half a file of the flash's contents
    writeFileSync(this.file + '.tmp', text);
    renameSync(this.file + '.tmp', this.file);
  }
}

function erased(data: Buffer, from: number, length: number): boolean {
  for (let i = from; i < from + length; i++) if (data[i] != 0xff) return false;
  return true;
}

/** Espruino's Storage, as far as the host needs it. */
export type StorageModule = Pick<HostStorage, 'read' | 'readJSON' | 'write' | 'erase' | 'list' | 'getFree' |
  'getStats' | 'compact'>;

/**
 * Storage holding the built assets in `folder` (absent or undefined: empty), `totalBytes` in
 * all (the Linux build's 256 KB by default); what is written later stays in memory.
 */
export function storageModule(folder?: string, totalBytes = 256 * 1024): HostStorage {
  const storage = new HostStorage(undefined, totalBytes);
  if (folder && existsSync(folder)) {
    for (const hostFile of readdirSync(folder).sort()) {
      storage.write(decodeURIComponent(hostFile), readFileSync(join(folder, hostFile)).toString('latin1'));
    }
  }
  return storage;
}
