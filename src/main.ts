/** The application: the spec's example. Replace this file to replace the application. */
import * as httpsrv from './httpsrv';
import * as runner from './runner';

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
