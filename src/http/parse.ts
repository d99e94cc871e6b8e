/**
 * Incremental parser of a request head, fed the socket's data pieces as they arrive. It knows
 * HTTP/1.x framing only: nothing of routes, URLs or sockets.
 *
 * States (Head.state_; a Head starts as any object without them: LINE, nothing held):
 *   LINE    waiting for the end of the request line ("METHOD SP target SP HTTP/1.x"); the
 *           bytes held are bounded by limits.line (414)
 *   FIELDS  waiting for the empty line that ends the header fields; the bytes held are bounded
 *           by limits.head (431). The block is then checked in one pass of one RegExp (at most
 *           limits.fields fields, 431), and the framing fields looked for by name: on
 *           Espruino each string call costs 5-15 µs and a per-line loop ~40 µs a line, one
 *           pass over the block ~0.25 µs a byte
 *   DONE    the head is complete: method, target, version, the checked block and the body's
 *           length are set, and `rest_` holds the bytes that followed it (the start of the
 *           body). The fields object is made from the block only when asked for (fields()).
 *           The target is any run of bytes without a space: the URL module checks it
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
  /** the header fields as they came, each line with its line end (checked: fields() reads it) */
  block_?: string;
  /** the fields made from block_ by fields(), once asked for (block_ is then emptied) */
  fields_?: { [name: string]: string };
  /** the body's Content-Length; -1 when Transfer-Encoding is sent (a chunked body); absent
   *  without either */
  bodyLength_?: number;
  rest_?: string;
  status_?: number;
  reason_?: string;
}

/** The header fields of a block: each line a field ("name: value", the name a token (RFC 9110
 *  5.6.2), the value without control bytes but tab) replaced by one LF. Anything else is left
 *  over (an obs-fold, a line without colon, a bare CR or a line end of the other kind), so the
 *  block is well-formed when only LFs come out, one a field. (The RegExp is made here, not
 *  kept: a kept one holds JsVars for good; making it costs a few microseconds.) */
function lines(block: string, crlf: boolean): string {
  return crlf ? block.replace(/[A-Za-z0-9!#$%&'*+.^_\x60|~-]+:[\t\x20-\x7e\x80-\xff]*\r\n/g, '\n')
    : block.replace(/[A-Za-z0-9!#$%&'*+.^_\x60|~-]+:[\t\x20-\x7e\x80-\xff]*\n/g, '\n');
}

/** Where the field `needle` ("\nname:", lower-case) starts in the block whose lower-case copy,
 *  after an LF, is `lower`, at `from` or later; -1 if none. Espruino 2v29 reports a needle
 *  cut off by the end of the string found there: such a match is no match. */
function find(lower: string, needle: string, from: number): number {
  var at = lower.indexOf(needle, from);
  return at >= 0 && at + needle.length <= lower.length ? at : -1;
}

/** The value of the field whose value starts at `at` in the block, trimmed. */
function valueAt(block: string, at: number): string {
  return block.substring(at, block.indexOf('\n', at)).trim();
}

/** The header fields of a complete head: lower-case names, values trimmed, repeated fields
 *  joined with ", ". Made on the first call (the block was checked when the head was read),
 *  then kept. Own entries: a name Espruino's objects already have ('on', 'constructor'...) is
 *  data here. */
export function fields(h: Head): { [name: string]: string } {
  if (h.fields_) return h.fields_;
  var block = h.block_ || '', lower = block.toLowerCase(), out: { [name: string]: string } = {};
  var start = 0, end: number, colon: number, name: string, value: string, before: any;
  while ((end = block.indexOf('\n', start)) >= 0) {
    colon = block.indexOf(':', start);
    name = lower.substring(start, colon);
    value = block.substring(colon + 1, end).trim();
    before = out[name];
    // only a string is an earlier field: on Espruino 'on' or 'constructor' read a function
    out[name] = typeof before == 'string' ? before + ', ' + value : value;
    start = end + 1;
  }
  // the block is not needed again: its bytes (~20 JsVars for a browser's head) go now
  h.block_ = '';
  return h.fields_ = out;
}

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
    // the RegExp first: after '||' the espruino CLI reads '/' as a division, its "'" as a string
    if (/[^A-Za-z0-9!#$%&'*+.^_\x60|~-]/.test(method) || sp1 < 1 || sp2 < sp1 + 2 || version.indexOf(' ') >= 0) {
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
  // the block ends where an empty line starts: at the very start, or after a line's LF. A
  // CRLF head arrives whole and alone (a browser's, curl's): if it ends with an empty line
  // and every line before is a field, that one is the first (endsWith costs a quarter of an
  // indexOf); else the first empty line is searched for
  var empty = -1, n = buf.length, crlf = !!h.crlf_, block = '', marks = '';
  if (buf.charAt(0) == '\n') empty = end = 0;
  else if (buf.charAt(0) == '\r' && buf.charAt(1) == '\n') empty = 0, end = 1;
  else {
    if (crlf && buf.endsWith('\r\n\r\n')) {
      marks = lines(block = buf.substring(0, n - 2), crlf);
      // a bare-LF empty line inside would pass as a mark: such a head takes the search below
      if (!/[^\n]/.test(marks) && find(block, '\n\n', 0) < 0) empty = n - 2, end = n - 1;
    }
    if (empty < 0) {
      var lf = buf.indexOf('\n\n'), lfcrlf = buf.indexOf('\n\r\n');
      // Espruino 2v29 finds a needle whose first character is the string's last one there
      // ('ab\n'.indexOf('\n\n') == 2): such a match is no match
      if (lf > n - 2) lf = -1;
      if (lfcrlf > n - 3) lfcrlf = -1;
      if (lfcrlf >= 0 && (lf < 0 || lfcrlf < lf)) empty = lfcrlf + 1, end = lfcrlf + 2;
      else if (lf >= 0) empty = end = lf + 1;
      marks = '';
    }
  }
  // the fields with their line ends; a CR last may start the empty line, its LF yet to come
  size = empty < 0 ? n : empty;
  if (size > limits.head + (buf.charAt(size - 1) == '\r' ? 1 : 0)) return fail(h, 431, 'header fields too large');
  if (empty < 0) {
    h.buf_ = buf;
    return State.FIELDS;
  }
  // the empty line ends as the request line did (end > empty: it is CRLF)
  if (end > empty != crlf) return fail(h, 400, 'mixed line ends');
  h.buf_ = '';
  h.rest_ = buf.substring(end + 1);
  // The header block (each line ends as the request line did), checked in one pass: each
  // field becomes one mark, anything else is left over. Then the framing fields (RFC 9112
  // sections 3.2 and 6.3) are looked for by name; the fields object is made only when asked
  // for (fields()): a callback that does not take them costs none of it
  if (!marks && empty) marks = lines(block = buf.substring(0, empty), crlf);
  if (/[^\n]/.test(marks)) return fail(h, 400, 'malformed header field');
  if (marks.length > limits.fields) return fail(h, 431, 'too many header fields');
  h.block_ = block;
  // searched with an LF first, each name as it starts a line (the first one too)
  var lower = ('\n' + block).toLowerCase(), host = find(lower, '\nhost:', 0);
  var length = find(lower, '\ncontent-length:', 0);
  // '__proto__' cannot be a plain entry of the fields object; other names objects carry ('on',
  // 'constructor': functions, on Espruino any object's) are data
  if (find(lower, '\n__proto__:', 0) >= 0) return fail(h, 400, 'reserved header name');
  if (find(lower, '\ntransfer-encoding:', 0) >= 0) {
    if (length >= 0) return fail(h, 400, 'bad Content-Length');
    h.bodyLength_ = -1;
  } else if (length >= 0) {
    // one field, of digits only (a repeated one would read "1, 1")
    var digits = valueAt(block, length + 15);
    if (!/^\d+$/.test(digits) || find(lower, '\ncontent-length:', length + 1) >= 0) return fail(h, 400, 'bad Content-Length');
    h.bodyLength_ = parseInt(digits, 10);
  }
  if (host < 0 ? h.version_ == 'HTTP/1.1'
      : find(lower, '\nhost:', host + 1) >= 0 || !/^[^,]+$/.test(valueAt(block, host + 5))) {
    return fail(h, 400, 'missing or repeated Host');
  }
  return h.state_ = State.DONE;
}
