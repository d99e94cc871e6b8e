/**
 * The dashboard (examples/dashboard) with the system API on port 3300 beside its pages, for a
 * board with room for both: an ESP32, or an ESP8266 build with more than 1,700 JsVars (on
 * espruino-1700 the pair runs out of memory in a browser's burst; README, "Managing a board").
 *   ./flash.sh PORT --app examples/dashboard-sysapi --board esp32 --save   (prints its token)
 *   npm run ctl -- <board IP> status
 */
import * as sysapi from '../../src/sysapi';

// at the top level, before main() runs: the board can be managed even if main() throws
sysapi.listen(3300);

export { cleanup, main } from '../dashboard/main';
