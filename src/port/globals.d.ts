// What the Espruino interpreter provides and @types/espruino does not declare.
declare function require(module: string): any;
declare function setTimeout(fn: (...args: any[]) => void, ms: number, ...args: any[]): any;
declare function clearTimeout(id: any): void;
declare var console: { log(...args: any[]): void };
declare var process: { memory(gc?: boolean): { free: number; usage: number; total: number } };
declare function encodeURIComponent(str: string): string;
declare namespace E {
  /** whether a string is held (and sent) as UTF-8; absent on builds without Unicode */
  var isUTF8: ((str: string) => boolean) | undefined;
}
