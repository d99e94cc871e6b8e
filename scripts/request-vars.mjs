// The JsVars the spec's example holds once listening, as issue 11 reads them: on espruino-1700
// (1,700 JsVars, like an ESP8266), the code booted from Storage, `process.memory().usage` read
// inside the callback of a request (that request's connection included).
// The app measured is build/tsc/src/main.js as built, its page's text followed by that figure:
// the one change is in the callback's body. For npm run bench and the cost scripts.
//   node scripts/request-vars.mjs [BUNDLE_ENTRY]   (after npm run build; ESPRUINO_BIN)
import * as http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { bin, bin1700, bootFromStorage } from './small-board.mjs';
import { esbuildOptions, joinStrings } from './build.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The example's page, as src/main.ts answers it. */
const PAGE = "'Hello from Kyanit!'";

/** Bundles `entry` (under build/tsc) as build.mjs bundles an app, its page callback answering
 *  the JsVars in use after the page text; returns the file. `contents` replaces the entry
 *  (an app made up by a script, importing from build/tsc/src; its page answers the same way). */
export async function measuringBundle(entry = 'build/tsc/src/boot.js', contents) {
  let patched = 0;
  const patch = (text) => text.split(PAGE).join(PAGE + " + ' ' + process.memory().usage");
  if (contents && contents.includes(PAGE)) {
    contents = patch(contents);
    patched++;
  }
  const inRequest = { name: 'vars-in-request', setup(build) {
    build.onLoad({ filter: /[\\/]main\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(PAGE)) return undefined;
      patched++;
      return { contents: patch(text), loader: 'js' };
    });
  } };
  const outfile = join(mkdtempSync(join(tmpdir(), 'request-vars-')), 'app.js');
  await esbuild.build({
    ...esbuildOptions,
    ...(contents ? { stdin: { contents, resolveDir: join(root, 'build/tsc/src') } } : { entryPoints: [join(root, entry)] }),
    outfile, plugins: [inRequest], define: { WIFI_CONFIG: '{}' }, logLevel: 'warning'
  });
  writeFileSync(outfile, joinStrings(readFileSync(outfile, 'utf8')));
  if (!patched) throw new Error(`no main.js answering ${PAGE} under ${entry}`);
  return outfile;
}

/** The spec's example (src/main.ts, as a script): `head` goes before it (imports, code run at
 *  load), `body` into main() after its route (`server` is its HTTPServer). */
export function example(head = '', body = '') {
  return `import * as httpsrv from './httpsrv'; import * as runner from './runner'; ${head}
runner.start({ main: function () {
  var server = new httpsrv.HTTPServer(80);
  server.register('GET', '^/page$', function () { return httpsrv.response(200, ${PAGE}); });
  ${body}
  runner.createTask('httpsrv', server.catchRequests);
}, cleanup: function () {} });`;
}

function get(port, path) {
  return new Promise((res, rej) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (r) => {
      let body = '';
      r.setEncoding('latin1').on('data', (d) => { body += d; }).on('end', () => res({ status: r.statusCode, body }));
    }).on('error', rej);
  });
}

/** Boots `bundle` (a measuringBundle) on espruino-1700 from Storage and asks GET /page on
 *  `port` `times` times; returns { first, last, total }: the JsVars read inside the first
 *  request and the last. Storage `files` go beside the code (a token...). */
export async function varsInRequest(bundle, { port = 80, times = 3, files, assets, during } = {}) {
  const board = bootFromStorage(bundle, { meter: false, files, assets });
  try {
    const until = Date.now() + 15000;
    let page;
    for (;;) {
      // the first answer once the code runs; a refused connection costs the board nothing
      page = await get(port, '/page').catch(() => null);
      if (page || Date.now() > until) break;
      await sleep(100);
    }
    if (!page) throw new Error('GET /page was not answered: ' + board.output().slice(-300));
    const read = (p) => {
      const m = /Hello from Kyanit! (\d+)$/.exec(p.body);
      if (p.status != 200 || !m) throw new Error(`GET /page: ${p.status} ${p.body.slice(0, 200)}`);
      return Number(m[1]);
    };
    const first = read(page);
    let last = first;
    for (let i = 1; i < times; i++) {
      // the last sockets close a moment after their answers
      await sleep(300);
      last = read(await get(port, '/page'));
    }
    const extra = during ? await during({ get: () => get(port, '/page').then(read), board }) : undefined;
    return { first, last, extra };
  } finally {
    board.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!bin || !bin1700) {
    console.error('request-vars: set ESPRUINO_BIN (with espruino-1700 beside it, or ESPRUINO_1700)');
    process.exit(2);
  }
  const { first, last } = await varsInRequest(await measuringBundle(process.argv[2]));
  console.log(`JsVars in use read inside a request on ${bin1700} (code from Storage): first ${first}, third ${last}`);
}
