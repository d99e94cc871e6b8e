// What the Espruino interpreter provides and @types/espruino does not declare.
declare function require(module: string): any;
declare function setTimeout(fn: (...args: any[]) => void, ms: number, ...args: any[]): any;
declare function clearTimeout(id: any): void;
declare function setInterval(fn: (...args: any[]) => void, ms: number, ...args: any[]): any;
declare function clearInterval(id: any): void;
declare var console: { log(...args: any[]): void };
declare function encodeURIComponent(str: string): string;
/** Espruino's String has endsWith and startsWith (ES2015), which lib es5 does not declare. */
interface String {
  endsWith(search: string): boolean;
  startsWith(search: string): boolean;
}
