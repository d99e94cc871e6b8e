/**
 * Incremental parser of a request head, fed the socket's data pieces as they arrive. It knows
 * HTTP/1.x framing only: nothing of routes, URLs or sockets.
 *
 * States (Head.state):
 *   LINE    waiting for the end of the request line ("METHOD SP target SP HTTP/1.x"); the
 *           bytes held are bounded by limits.line (414)
 *   FIELDS  reading header fields one line at a time until the empty line; bounded by
 *           limits.head bytes (431) and limits.fields fields (431)
 *   DONE    the head is complete: method, target, version and fields are set, and `rest`
 *           holds the bytes that followed it (the start of the body)
 *   FAILED  the input broke HTTP or a limit: `status` is the answer, `reason` says why
 * A line ends at LF; a CR just before it is dropped, a CR anywhere else is an error.
 * Only the unfinished line is kept between pieces, so a head never costs more than its limits.
 */
import { Limits } from './limits';

export var LINE = 0, FIELDS = 1, DONE = 2, FAILED = 3;

export interface Head {
  state: number;
  /** the unfinished line carried over to the next piece */
  buf: string;
  /** header bytes taken so far, counted against limits.head */
  used: number;
  count: number;
  method: string;
  target: string;
  version: string;
  /** header fields: lower-case names, values trimmed, repeated fields joined with ", " */
  fields: { [name: string]: string };
  rest: string;
  status: number;
  reason: string;
}

export function newHead(): Head {
  return { state: LINE, buf: '', used: 0, count: 0, method: '', target: '', version: '',
    fields: {}, rest: '', status: 0, reason: '' };
}

/** Control bytes that may appear nowhere in a head line (tab is allowed in field values). */
var CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Anything but a token character (RFC 9110 5.6.2): methods and field names are tokens. */
var NOT_TOKEN = /[^A-Za-z0-9!#$%&'*+.^_`|~-]/;

function fail(h: Head, status: number, reason: string): number {
  h.state = FAILED;
  h.status = status;
  h.reason = reason;
  h.buf = h.rest = '';
  return FAILED;
}

function requestLine(h: Head, line: string): number {
  var sp1 = line.indexOf(' '), sp2 = line.indexOf(' ', sp1 + 1);
  if (sp1 < 1 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || sp2 == sp1 + 1 ||
      CONTROL.test(line)) return fail(h, 400, 'malformed request line');
  var method = line.substring(0, sp1), version = line.substring(sp2 + 1);
  if (NOT_TOKEN.test(method)) return fail(h, 400, 'malformed method');
  if (version != 'HTTP/1.1' && version != 'HTTP/1.0') {
    return /^HTTP\/\d\.\d$/.test(version) ? fail(h, 505, 'unsupported HTTP version ' + version)
      : fail(h, 400, 'malformed HTTP version');
  }
  h.method = method;
  h.target = line.substring(sp1 + 1, sp2);
  h.version = version;
  h.used = 0;
  h.state = FIELDS;
  return FIELDS;
}

function field(h: Head, line: string, limits: Limits): number {
  if (line == '') return finish(h);
  if (++h.count > limits.fields) return fail(h, 431, 'too many header fields');
  var colon = line.indexOf(':'), name = line.substring(0, colon);
  // obs-fold (a line starting with white space) is rejected, as RFC 9112 allows
  if (colon < 1 || NOT_TOKEN.test(name) || CONTROL.test(line)) {
    return fail(h, 400, 'malformed header field');
  }
  name = name.toLowerCase();
  var value = line.substring(colon + 1).trim(), fields = h.fields;
  fields[name] = fields[name] === undefined ? value : fields[name] + ', ' + value;
  return FIELDS;
}

/** Checks the framing of the complete head (RFC 9112 sections 3.2 and 6.3). */
function finish(h: Head): number {
  var fields = h.fields, length = fields['content-length'];
  if (length !== undefined) {
    if (fields['transfer-encoding'] !== undefined) {
      return fail(h, 400, 'both Content-Length and Transfer-Encoding');
    }
    if (!/^\d+$/.test(length)) return fail(h, 400, 'invalid Content-Length');
  }
  var host = fields.host;
  if (host === undefined ? h.version == 'HTTP/1.1' : host.indexOf(',') >= 0 || host == '') {
    return fail(h, 400, 'missing or repeated Host');
  }
  h.state = DONE;
  return DONE;
}

/** Feeds one piece of received data; returns the new state. */
export function feed(h: Head, data: string, limits: Limits): number {
  var buf = h.buf + data, start = 0, end: number, line: string, max: number;
  while (h.state < DONE) {
    max = h.state == LINE ? limits.line : limits.head - h.used;
    end = buf.indexOf('\n', start);
    if ((end < 0 ? buf.length : end) - start > max) {
      return h.state == LINE ? fail(h, 414, 'request line too long')
        : fail(h, 431, 'header fields too large');
    }
    if (end < 0) {
      h.buf = start ? buf.substring(start) : buf;
      return h.state;
    }
    line = buf.substring(start, buf.charAt(end - 1) == '\r' && end > start ? end - 1 : end);
    if (h.state == LINE) {
      // RFC 9112 2.2: a few empty lines before the request line are ignored
      if (line != '') requestLine(h, line);
      else if (++h.used > 4) return fail(h, 400, 'malformed request line');
    } else {
      h.used += end - start + 1;
      field(h, line, limits);
    }
    start = end + 1;
  }
  if (h.state == DONE) h.rest = buf.substring(start);
  h.buf = '';
  return h.state;
}
