// What each optional module costs the spec's example, and that leaving it out costs nothing:
// the bytes it adds to the bundle, the JsVars it adds on espruino-1700 (code from Storage, read
// inside a request as issue 11 reads them), and whether build/bundle.js (which does not import it)
// carries any of it. For npm run bench; static-cost.mjs and sysapi-cost.mjs measure each further.
//   node scripts/module-cost.mjs   (after npm run build; ESPRUINO_BIN for the JsVars)
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { example, measuringBundle, varsInRequest } from './request-vars.mjs';
import { bin, bin1700 } from './small-board.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);

/** Each module as an app uses it, and text only its code holds (to see it is not in a build). */
export const MODULES = [
  { name: 'static files (src/static.ts)', head: "import { serveStatic } from './static';",
    body: "server.register('GET', '^/', serveStatic());", mark: /Not Acceptable|www\.json/ },
  { name: 'live events (src/sse.ts)', head: "import * as sse from './sse';",
    body: "server.register('GET', '^/events$', function (m, l, p, h, conn) { sse.openEvents(conn); });",
    mark: /text\/event-stream/ },
  { name: 'system API (src/sysapi.ts)', head: "import * as sysapi from './sysapi'; sysapi.listen(3300);", body: '',
    mark: /\.systoken/ }
];

/** Boots the example with `head` and `body` and reads its JsVars inside a request. */
async function measure(head, body) {
  const file = await measuringBundle(undefined, example(head, body));
  const bytes = statSync(file).size;
  if (!bin || !bin1700) return { bytes };
  const { last } = await varsInRequest(file, { files: { '.systoken': 'cost-token-0123456789abcdef' } });
  return { bytes, vars: last };
}

/** [{ name, bytes, vars, inApp }] for each module (vars absent without the interpreters), and
 *  the example alone as `base`. */
export async function moduleCosts() {
  const base = await measure('', '');
  const app = readFileSync(join(root, 'build/bundle.js'), 'utf8');
  const rows = [];
  for (const m of MODULES) rows.push({ name: m.name, ...(await measure(m.head, m.body)), inApp: m.mark.test(app) });
  return { base, rows };
}

/** The lines npm run bench prints. */
export function costLines({ base, rows }) {
  const vars = (n) => (n === undefined ? '' : `, ${n} JsVars listening (+${n - base.vars})`);
  return rows.map((r) => `  ${r.name.padEnd(30)} +${r.bytes - base.bytes} bytes${base.vars === undefined ? '' : vars(r.vars)}; ` +
    `not imported: ${r.inApp ? 'build/bundle.js CARRIES some of it' : 'none of it in build/bundle.js, nothing paid'}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const costs = await moduleCosts();
  console.log(`The spec's example alone: ${costs.base.bytes} bytes` +
    (costs.base.vars === undefined ? ' (set ESPRUINO_BIN for JsVars)' : `, ${costs.base.vars} JsVars listening`));
  for (const line of costLines(costs)) console.log(line);
}
