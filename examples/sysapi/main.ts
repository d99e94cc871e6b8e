/** The spec's example (src/main.ts) with the system API on port 3300 beside its page: flash it
 *  with `./flash.sh PORT --app examples/sysapi --save`, manage the board with
 *  `npm run ctl -- <board IP> ...`. */
import * as sysapi from '../../src/sysapi';

// at the top level, before main() runs: the API is up even if main() throws
sysapi.listen(3300);

export { cleanup, main } from '../../src/main';
