// What the system API (src/sysapi.ts) costs a board: the bytes it adds to the build, and the
// JsVars it holds on espruino-1700 (the code in Storage, as flash.sh --save leaves an ESP8266)
// beside the spec's example, once listening and after requests to it.
//   ESPRUINO_BIN=../shared/espruino/espruino node scripts/sysapi-cost.mjs
// The applications listen on ports 80 and 3300: run it under flock /tmp/httpsrv-realinterp.lock.
import * as http from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, compile, root } from './build.mjs';
import { bin, bin1700, bootFromStorage, WIFI } from './small-board.mjs';

if (!bin || !bin1700) {
  console.error('sysapi-cost: set ESPRUINO_BIN (with espruino-1700 beside it, or ESPRUINO_1700)');
  process.exit(2);
}
const TOKEN = 'cost-token-0123456789abcdef';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function state() {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: 3300, path: '/sys/state', agent: false,
      headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

compile();
await bundle('build/tsc/src/boot.js', 'build/cost-example.js');
await bundle('build/tsc/src/boot.js', 'build/cost-sysapi.js', 'examples/sysapi');
const example = join(root, 'build/cost-example.js'), withApi = join(root, 'build/cost-sysapi.js');
const bytes = (f) => statSync(f).size;

async function measure(file, api) {
  const board = bootFromStorage(file, { files: { Wifi: WIFI, '.systoken': TOKEN } });
  try {
    await board.vars();
    const listening = (await board.vars()).usage;
    if (!api) return { listening };
    const after = [];
    for (let done = 0; done < 200; done++) {
      if ((await state()) != 200) throw new Error('GET /sys/state was not answered 200');
      if (done + 1 == 50 || done + 1 == 200) {
        // the last sockets close a moment after their answers
        await sleep(1000);
        after.push((await board.vars()).usage);
      }
    }
    return { listening, after };
  } finally {
    board.stop();
  }
}

const plain = await measure(example, false);
const sys = await measure(withApi, true);
console.log('The system API beside the spec example');
console.log(`  bytes    ${bytes(example)} -> ${bytes(withApi)} (+${bytes(withApi) - bytes(example)})`);
console.log(`  JsVars once listening on espruino-1700 (code from Storage, of 1,700; a 6-JsVar meter included)`);
console.log(`           ${plain.listening} -> ${sys.listening} (+${sys.listening - plain.listening})`);
console.log(`  after 50 / 200 GET /sys/state: ${sys.after[0]} / ${sys.after[1]} (growth ${sys.after[0] - sys.listening} / ${sys.after[1] - sys.listening})`);
