// Where the spec's example holds its JsVars once booted: each top-level statement of the bundle
// as built (build/tsc/src/boot.js), run from Storage on espruino-1700 (1,700 JsVars, like an
// ESP8266), with the JsVars in use printed after it; then idle. Each row is labelled with the
// statement as the unminified bundle writes it, so a row names its source (function
// checkPattern..., var DEFAULT_LIMITS...). What a request adds is request-vars.mjs's figure.
//   node scripts/vars-by-statement.mjs   (after npm run build; ESPRUINO_BIN)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as acorn from 'acorn';
import * as esbuild from 'esbuild';
import { esbuildOptions, joinStrings } from './build.mjs';
import { bin, bin1700, printedMarks } from './small-board.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);

/** The bundle as build.mjs makes it; with `names`, its identifiers kept (the same statements,
 *  in the same order: only names differ). */
async function bundle(names) {
  const out = await esbuild.build({
    ...esbuildOptions, ...(names ? { minify: false, minifyWhitespace: true, minifySyntax: true } : {}),
    entryPoints: [join(root, 'build/tsc/src/boot.js')], write: false, define: { WIFI_CONFIG: '{}' }, logLevel: 'warning'
  });
  return joinStrings(out.outputFiles[0].text);
}

if (!bin || !bin1700) {
  console.error('vars-by-statement: set ESPRUINO_BIN (with espruino-1700 beside it, or ESPRUINO_1700)');
  process.exit(2);
}
const code = await bundle(false), named = await bundle(true);
const statements = acorn.parse(code, { ecmaVersion: 5 }).body;
const labels = acorn.parse(named, { ecmaVersion: 5 }).body
  .map((s) => named.slice(s.start, s.end).replace(/\s+/g, ' ').slice(0, 72));
if (labels.length != statements.length) throw new Error('the two bundles differ in their statements');
// a mark after each statement; a print costs nothing that stays
let traced = 'print("@@start "+process.memory().usage);\n';
statements.forEach((s, i) => {
  traced += code.slice(s.start, s.end) + `\nprint("@@${i} "+process.memory().usage);\n`;
});
traced += 'setTimeout(function(){print("@@idle "+process.memory().usage)},500);\n';
const file = join(mkdtempSync(join(tmpdir(), 'vars-by-statement-')), 'traced.js');
writeFileSync(file, traced);
const marks = await printedMarks(file, 2000);
if (marks[marks.length - 1][0] != 'idle') throw new Error('the trace did not finish: it stopped after statement ' + marks[marks.length - 1][0]);
console.log(`JsVars held after each top-level statement of the spec's example, on ${bin1700}, code from Storage`);
console.log('  added  in use  statement');
let last = marks[0][1];
console.log(`      -  ${String(last).padStart(6)}  (the interpreter, before the code)`);
for (const [at, usage] of marks.slice(1)) {
  const label = at == 'idle' ? '(idle: the listening server, 0.5 s later; a timer of this script included)' : labels[Number(at)];
  console.log(`  ${String(usage - last).padStart(5)}  ${String(usage).padStart(6)}  ${label}`);
  last = usage;
}
