/** Responses: the status table, response objects, the head of a response, the error view. */
import { describeError } from './errors';

// Espruino sends text beyond Latin-1 as UTF-8: say so, or browsers read it as Windows-1252
export var CT_PLAIN = 'text/plain; charset=utf-8';
export var CT_HTML = 'text/html; charset=utf-8';
export var CT_JSON = 'application/json';

export type Headers = { [name: string]: string };

export interface Response {
  status: number;
  body: string;
  contentType: string;
  headers: Headers;
}

/** Statuses added with addStatus(). */
var added: { [status: number]: string } = {};

/** The text of a status: the spec's three, those the server itself sends, and those added.
 *  A switch keeps the texts in the function's code (in flash when saved), not in JsVars. */
function statusText(status: number): string | undefined {
  switch (status) {
    case 200: return 'OK';
    case 400: return 'Bad Request';
    case 404: return 'Not Found';
    case 408: return 'Request Timeout';
    case 411: return 'Length Required';
    case 413: return 'Content Too Large';
    case 414: return 'URI Too Long';
    case 431: return 'Request Header Fields Too Large';
    case 500: return 'Internal Server Error';
    case 501: return 'Not Implemented';
    case 503: return 'Service Unavailable';
    case 505: return 'HTTP Version Not Supported';
  }
  // own entries only: an error's `status` may be anything, 'constructor' included
  return added.hasOwnProperty(status) ? added[status] : undefined;
}

/** Makes `status` usable in responses: addStatus(204, 'No Content'). */
export function addStatus(num: number, statusStr: string): void {
  if (!(num >= 100 && num <= 999 && num % 1 == 0) || typeof statusStr != 'string' ||
      /[\r\n]/.test(statusStr)) {
    throw new Error('addStatus: expected a status 100-999 and a one-line text');
  }
  added[num] = statusStr;
}

/** Builds a response object; a body that is not a string is sent as JSON text. */
export function response(status: number, body?: any, contentType?: string,
                         headers?: Headers): Response {
  // 200 tested first: a call to statusText() lexes its whole switch on Espruino (~10 µs)
  if (status != 200 && !statusText(status)) throw new Error('unknown status ' + status + ': addStatus() it first');
  return {
    status: status,
    body: body === undefined ? '' : typeof body == 'string' ? body : JSON.stringify(body),
    contentType: contentType || CT_PLAIN,
    headers: headers || {}
  };
}

/** The status line and header fields of a response, with the empty line that ends them.
 *  An empty body's length is announced only when `complete`: otherwise the caller may go on
 *  writing the body itself, and the end of the connection ends it. `length` measures the
 *  body in bytes as the platform sends it. */
export function formatHead(r: Response, complete?: boolean,
                           length?: (body: string) => number): string {
  var head = 'HTTP/1.1 ' + r.status + ' ' + (r.status == 200 ? 'OK' : statusText(r.status)) + '\r\nContent-Type: ' +
    r.contentType + (r.body || complete ? '\r\nContent-Length: ' + (length ? length(r.body) : r.body.length) : '') +
    '\r\nConnection: close\r\n', headers = r.headers;
  for (var name in headers) {
    if (/[\r\n]/.test(name + headers[name])) throw new Error('header with a line break: ' + name);
    head += name + ': ' + headers[name] + '\r\n';
  }
  return head + '\r\n';
}

/** The default error response: the error's status (500 when it has none) and a JSON body
 *  with its name and detail. Replace it with HTTPServer's setErrorView(). */
export function errorView(exc: any): Response {
  var status = exc && statusText(exc.status) ? exc.status : 500;
  var what = describeError(exc);
  return response(status, { error: what.name, detail: what.detail }, CT_JSON);
}
