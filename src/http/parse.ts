/**
 * Incremental parser of a request head, fed the socket's data pieces as they arrive. It knows
 * HTTP/1.x framing only: nothing of routes, URLs or sockets.
 *
 * States (Head.state_; a Head starts as any object without them: LINE, nothing held):
 *   LINE    waiting for the end of the request line ("METHOD SP target SP HTTP/1.x"); the
 *           bytes held are bounded by limits.line (414)
 *   FIELDS  waiting for the empty line that ends the header fields; the bytes held are bounded
 *           by limits.head (431). The block is then checked and split in one pass (at most
 *           limits.fields fields, 431): scanning it once costs far less on Espruino than
 *           handling each line as it comes
 *   DONE    the head is complete: method, target, version and fields are set, and `rest_`
 *           holds the bytes that followed it (the start of the body). The target is any run
 *           of bytes without a space: the URL module checks it
 *   FAILED  the input broke HTTP or a limit: `status_` is the answer, `reason_` says why
 * Line ends are the request line's throughout: CRLF, or bare LF (accepted, as curl's and
 * netcat's users send it); a head mixing the two, or a CR anywhere but before a line's LF, is
 * 400 (a request-smuggling shape: a value '\rTransfer-Encoding: chunked' hides a header). A CR
 * in the target is the URL check's.
 * Only the unfinished part of the head is kept between pieces, never more than its limits.
 */
import { Limits } from './limits';

export const enum State { LINE, FIELDS, DONE, FAILED }

/** A head being read: the parser's fields on any object (the server's Connection is one), so
 *  reading a head costs no object of its own. Absent fields are the start: LINE, nothing held. */
export interface Head {
  state_?: State;
  /** bytes of the head not yet parsed */
  buf_?: string;
  /** empty lines seen before the request line */
  blank_?: number;
  /** the request line ended with CRLF: every line of the head must */
  crlf_?: boolean;
  method_?: string;
  target_?: string;
  version_?: string;
  /** header fields: lower-case names, values trimmed, repeated fields joined with ", ". Own
   *  entries: a name Espruino's objects already have ('on', 'constructor'...) is data here */
  fields_?: { [name: string]: string };
  rest_?: string;
  status_?: number;
  reason_?: string;
}

/** Control bytes that may not appear in a head (tab, CR and LF are checked apart). */
var CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
/** Anything but a token character (RFC 9110 5.6.2): methods and field names are tokens. */
var NOT_TOKEN = /[^A-Za-z0-9!#$%&'*+.^_`|~-]/;

function fail(h: Head, status: number, reason: string): State {
  h.status_ = status;
  h.reason_ = reason;
  h.buf_ = '';
  return h.state_ = State.FAILED;
}

/** Feeds one piece of received data; returns the new state. */
export function feed(h: Head, data: string, limits: Limits): State {
  var buf = (h.buf_ || '') + data, end = 0, size: number;
  if (!h.state_) {
    end = buf.indexOf('\n');
    // the line's own bytes: not its line end, a CR included (or one last, its LF yet to come)
    size = end < 0 ? buf.length : end;
    if (size > limits.line + (buf.charAt(size - 1) == '\r' ? 1 : 0)) return fail(h, 414, 'request line too long');
    if (end < 0) {
      h.buf_ = buf;
      return State.LINE;
    }
    var cr = buf.charAt(end - 1) == '\r', line = buf.substring(0, cr ? end - 1 : end);
    buf = buf.substring(end + 1);
    if (line == '') {
      // RFC 9112 2.2: a few empty lines before the request line are ignored
      h.blank_ = (h.blank_ || 0) + 1;
      if (h.blank_ > 4) return fail(h, 400, 'bad request line');
      h.buf_ = '';
      return feed(h, buf, limits);
    }
    // the method is a token and the version is matched whole; the target is left to the
    // caller, which checks it as a URL (control bytes and CR included) before using it
    var sp1 = line.indexOf(' '), sp2 = line.indexOf(' ', sp1 + 1);
    var method = line.substring(0, sp1), version = line.substring(sp2 + 1);
    if (sp1 < 1 || sp2 < sp1 + 2 || version.indexOf(' ') >= 0 || NOT_TOKEN.test(method)) {
      return fail(h, 400, 'bad request line');
    }
    if (version != 'HTTP/1.1' && version != 'HTTP/1.0') {
      return fail(h, /^HTTP\/\d\.\d$/.test(version) ? 505 : 400, 'bad HTTP version');
    }
    h.method_ = method;
    h.target_ = line.substring(sp1 + 1, sp2);
    h.version_ = version;
    if (cr) h.crlf_ = true;
    h.state_ = State.FIELDS;
  }
  // the block ends where an empty line starts: at the very start, or after a line's LF
  var empty = -1;
  if (buf.charAt(0) == '\n') empty = end = 0;
  else if (buf.charAt(0) == '\r' && buf.charAt(1) == '\n') empty = 0, end = 1;
  else {
    var lf = buf.indexOf('\n\n'), lfcrlf = buf.indexOf('\n\r\n'), n = buf.length;
    // Espruino 2v29 finds a needle whose first character is the string's last one there
    // ('ab\n'.indexOf('\n\n') == 2): such a match is no match
    if (lf > n - 2) lf = -1;
    if (lfcrlf > n - 3) lfcrlf = -1;
    if (lfcrlf >= 0 && (lf < 0 || lfcrlf < lf)) empty = lfcrlf + 1, end = lfcrlf + 2;
    else if (lf >= 0) empty = end = lf + 1;
  }
  // the fields with their line ends; a CR last may start the empty line, its LF yet to come
  size = empty < 0 ? buf.length : empty;
  if (size > limits.head + (buf.charAt(size - 1) == '\r' ? 1 : 0)) return fail(h, 431, 'header fields too large');
  if (empty < 0) {
    h.buf_ = buf;
    return State.FIELDS;
  }
  // the empty line ends as the request line did (end > empty: it is CRLF)
  var crlf = !!h.crlf_;
  if (end > empty != crlf) return fail(h, 400, 'mixed line ends');
  h.buf_ = '';
  h.rest_ = buf.substring(end + 1);
  // The header block (each line ends with LF), split and checked in one pass; then the
  // framing fields (RFC 9112 sections 3.2 and 6.3)
  var block = buf.substring(0, empty);
  if (CONTROL.test(block)) return fail(h, 400, 'control byte in a header');
  var lower = block.toLowerCase(), fields: { [name: string]: string } = {}, count = 0;
  var start = 0, colon: number, name: string, value: string, before: any, at: number;
  while ((end = block.indexOf('\n', start)) >= 0) {
    colon = block.indexOf(':', start);
    if (++count > limits.fields) return fail(h, 431, 'too many header fields');
    name = lower.substring(start, colon);
    // the value before trim(), which would drop a CR: one only just before the LF, and only in
    // a CRLF head
    value = block.substring(colon + 1, end);
    at = value.indexOf('\r');
    // no colon, an empty or non-token name (obs-fold starts with white space), a stray CR
    if (colon <= start || colon > end || NOT_TOKEN.test(name) ||
        (crlf ? at < 0 || at < value.length - 1 : at >= 0)) return fail(h, 400, 'malformed header field');
    before = fields[name];
    // '__proto__' cannot be a plain entry; other names objects carry ('on', 'constructor':
    // functions, on Espruino any object's) are data: only a string is an earlier field
    if (typeof before == 'object') return fail(h, 400, 'reserved header name');
    value = value.trim();
    fields[name] = typeof before == 'string' ? before + ', ' + value : value;
    start = end + 1;
  }
  h.fields_ = fields;
  var length = fields['content-length'], host = fields.host;
  if (length !== undefined && (fields['transfer-encoding'] !== undefined || !/^\d+$/.test(length))) {
    return fail(h, 400, 'bad Content-Length');
  }
  if (host === undefined ? h.version_ == 'HTTP/1.1'
      : host.indexOf(',') >= 0 || host == '') return fail(h, 400, 'missing or repeated Host');
  return h.state_ = State.DONE;
}
