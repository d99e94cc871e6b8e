/** The spec's example with the system API on port 3300 beside its page: build it with
 *  `npm run build -- examples/sysapi`, manage the board with `npm run ctl -- <board IP> ...`. */
import * as httpsrv from '../../src/httpsrv';
import * as runner from '../../src/runner';
import * as sysapi from '../../src/sysapi';

// at the top level, before main() runs: the API is up even if main() throws
sysapi.listen(3300);

function renderPage(): httpsrv.Response {
  return httpsrv.response(200, 'Hello from Kyanit!');
}

export function main(): void {
  var server = new httpsrv.HTTPServer(80);
  server.register('GET', '^/page$', renderPage);
  runner.createTask('httpsrv', server.catchRequests);
}

export function cleanup(exception?: any): void {
  if (exception) console.log('app stopped by', String(exception));
}
