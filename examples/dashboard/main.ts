/**
 * A device's web app: its page, stylesheet, script and icon served from flash (www/, built by
 * the asset pipeline and written to Storage by flash.sh), a JSON API that reads the board's
 * state and toggles its LED, and a live counter over Server-Sent Events. Port 80; the system
 * API (src/sysapi.ts: kyanitctl's) on port 3300 beside it.
 *   npm start -- examples/dashboard                      (this machine: http://localhost:8080/)
 *   ./flash.sh PORT --app examples/dashboard --save      (a board; prints its API token once)
 */
import * as httpsrv from '../../src/httpsrv';
import * as runner from '../../src/runner';
import * as sse from '../../src/sse';
import { serveStatic } from '../../src/static';
import * as sysapi from '../../src/sysapi';

// Espruino's pin functions; the host records the writes
declare function digitalWrite(pin: any, value: number | boolean): void;
declare var process: { memory(): { free: number; total: number } };
declare function getTime(): number;
/** the LED's pin: GPIO2, the blue LED of ESP8266 modules and of many ESP32 boards */
declare var D2: any;

// at the top level, before main() runs: the board can be managed even if main() throws
sysapi.listen(3300);

var led = false;
var started = getTime();
var streams: sse.EventStream[] = [];
var count = 0;
var ticker: any = 0;

function state(): httpsrv.Response {
  var memory = process.memory();
  return httpsrv.response(200, { free: memory.free, total: memory.total, uptime: getTime() - started, led: led,
    live: streams.length }, httpsrv.CT_JSON, { 'Cache-Control': 'no-store' });
}

function toggle(): httpsrv.Response {
  led = !led;
  digitalWrite(D2, led);
  return state();
}

function events(method: string, loc: string, params: any, headers: any, conn: httpsrv.Connection): void {
  // a few live pages at most: each holds a socket (an ESP8266 has 10 in all)
  if (streams.length >= 2) throw new httpsrv.HTTPError(503, 'too many live pages open');
  var stream = sse.openEvents(conn);
  stream.send(String(count), 'count');
  streams.push(stream);
  stream.onclose = function () { streams.splice(streams.indexOf(stream), 1); };
}

export function main(): void {
  var server = new httpsrv.HTTPServer(80);
  server.register('GET', '^/api/state$', state);
  server.register('POST', '^/api/led$', toggle);
  server.register('GET', '^/events$', events);
  ticker = setInterval(function () {
    count++;
    streams.forEach(function (stream) { stream.send(String(count), 'count'); });
  }, 1000);
  // last: the API's routes are tried first, then the page and its assets from flash
  server.register('GET', '^/', serveStatic());
  runner.createTask('httpsrv', server.catchRequests);
}

export function cleanup(): void {
  clearInterval(ticker);
  streams.forEach(function (stream) { stream.close(); });
}
