// What code shape costs on the real interpreter, the facts the design leans on (README, "What
// costs JsVars and time"): time to call a function past code it does not run, to load code
// kept in Storage (eval), and the JsVars each kind of definition holds. Time on ESPRUINO_BIN
// (code in RAM, as npm run bench serves it; and from Storage, where the Linux build reads its
// flash file through a small buffer, unlike a board's mapped flash); JsVars on espruino-1700.
//   node scripts/interpreter-costs.mjs   (ESPRUINO_BIN)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, bin1700, printedMarks } from './small-board.mjs';

if (!bin || !bin1700) {
  console.error('interpreter-costs: set ESPRUINO_BIN (with espruino-1700 beside it, or ESPRUINO_1700)');
  process.exit(2);
}

// ~1.7 KB of statements, as minified code reads: never run, only lexed (or skipped)
let body = '';
for (let i = 0; body.length < 1700; i++) body += `a${i % 10}=b.indexOf("x${i}")>=0?c+"${i}":d(e,${i});`;
const MODULE = `(function(){function f(b,c,d,e){var a0,a1,a2,a3,a4,a5,a6,a7,a8,a9;${body}return a0}return{f:f}})()`;

const timing = `
function time(n, f) { var s = getTime(); for (var i = 0; i < n; i++) f(); return (getTime() - s) / n * 1e6; }
eval(${JSON.stringify(`function empty(e){return 1}
function afterReturn(e){return 1;${body}}
function untakenIf(e){if(e){${body}}return 1}
function nested(){function inner(b,c,d,e){${body}}return 1}`)});
var M = ${JSON.stringify(MODULE)} + '';
require('Storage').write('costs-module', M);
var S = require('Storage').read('costs-module');
var rows = [
  ['a call: an empty function', time(300, function () { empty(0); })],
  ['a call: 1.7 KB of code after its return', time(300, function () { afterReturn(0); })],
  ['a call: 1.7 KB in a branch not taken', time(300, function () { untakenIf(0); })],
  ['a call: a function declared inside, 1.7 KB', time(300, function () { nested(); })],
  ['eval of a 1.7 KB module held in RAM', time(100, function () { eval(M); })],
  ['require("Storage").read() of it', time(100, function () { require('Storage').read('costs-module'); })],
  ['eval of it from Storage (Linux: a flash file)', time(30, function () { eval(S); })]
];
rows.forEach(function (r) { print('@@T ' + r[1].toFixed(1) + ' ' + r[0]); });
`;
const dir = mkdtempSync(join(tmpdir(), 'interpreter-costs-'));
writeFileSync(join(dir, 'timing.js'), timing);
const run = spawnSync(bin, ['timing.js'], { cwd: dir, encoding: 'latin1', timeout: 60000, killSignal: 'SIGKILL', input: '' });
const times = [...run.stdout.matchAll(/@@T (\S+) (.*)/g)];
if (times.length < 7) throw new Error('the timing did not finish: ' + run.stdout.slice(-400));
console.log(`Time on ${bin} (µs, each the mean of 30-300 runs)`);
for (const [, us, what] of times) console.log(`  ${us.padStart(8)}  ${what}`);

// each definition followed by the JsVars then in use, from a base read before the first
const defs = [
  ['function f0(){return 1}', 'a function, no parameter'],
  ['function f1(a){return a}', 'a function, one parameter'],
  ['function f3(a,b,c){return a+b+c}', 'a function, three parameters'],
  [`function big(a){if(a){${body}}return 1}`, 'a function, one parameter, 1.7 KB of code'],
  ['var C=function(a){this.a=a};', 'a constructor'],
  ['C.prototype.m=function(a){return a};', 'its prototype (made on first use) and a method'],
  ['C.prototype.n=function(a){return a};', 'a second method'],
  ['var E1=function(m){this.message=m};E1.prototype=Object.create(Error.prototype);', 'an error type chained to Error (Error.prototype made on first use)'],
  ['var E2=function(m){this.message=m};E2.prototype=Object.create(E1.prototype);', 'an error type chained to another'],
  ['var o={a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8,i:9};', 'an object of 9 numbers'],
  ['var s="text/plain; charset=utf-8";', 'a 25-character string kept in a variable'],
  ['var g=f1.bind(null,1);', 'a bound function'],
  ['var t=setTimeout(f0,60000,o);', 'a timer with an argument'],
  ['var p=new Promise(function(r){o.r=r});', 'a Promise, its resolver kept (Promise made on first use)'],
  ['var q=new Promise(function(r){});', 'a second Promise'],
  ['p.then(f0,f1);', 'then() on it with two functions']
];
// the first print makes what every print uses; the base is read after it
let traced = 'print("@@warm "+process.memory().usage);\nprint("@@base "+process.memory().usage);\n';
defs.forEach(([code], i) => { traced += `${code}\nprint("@@${i} "+process.memory().usage);\n`; });
const file = join(dir, 'defs.js');
writeFileSync(file, traced);
const marks = Object.fromEntries(await printedMarks(file, 1500));
if (marks[defs.length - 1] === undefined) throw new Error('the definitions did not all run');
console.log(`\nJsVars each definition holds on ${bin1700}, code from Storage`);
let last = marks.base;
defs.forEach(([, what], i) => {
  console.log(`  ${String(marks[i] - last).padStart(4)}  ${what}`);
  last = marks[i];
});
