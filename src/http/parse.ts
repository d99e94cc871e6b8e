/**
 * Incremental parser of a request head, fed the socket's data pieces as they arrive. It knows
 * HTTP/1.x framing only: nothing of routes, URLs or sockets.
 *
 * States (Head.state_; a Head starts as any object without them: LINE, nothing held):
 *   LINE    waiting for the end of the request line ("METHOD SP target SP HTTP/1.x"); the
 *           bytes held are bounded by limits.line (414)
 *   FIELDS  waiting for the empty line that ends the header fields; the bytes held are bounded
 *           by limits.head (431). The block is then checked (at most limits.fields fields, 431)
 *   DONE    the head is complete: method, target and version are set, the fields checked, and
 *           `rest_` holds the bytes that followed it (the start of the body). The target is any
 *           run of bytes without a space: the URL module checks it. The fields object is made
 *           when fields() first asks for it (a callback that declares no `headers` never does)
 *   FAILED  the input broke HTTP or a limit: `status_` is the answer, `reason_` says why
 * The quick path: a whole CRLF head in one piece of data that ends with it (a request without a
 * body, as browsers send them) is checked by one regex for its request line and one regex pass
 * over all its fields, and its framing fields found by literal searches; anything else, or
 * anything those do not accept, takes the per-line loop, which gives the exact answer. On
 * Espruino a per-line loop costs ~50 µs a line, the pass ~0.25 µs a byte.
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
  /** the request line ended with CRLF: every line of the head must (read while it is read) */
  crlf_?: boolean;
  method_?: string;
  target_?: string;
  version_?: string;
  /** header fields: lower-case names, values trimmed, repeated fields joined with ", ". Own
   *  entries: a name Espruino's objects already have ('on', 'constructor'...) is data here.
   *  Made by the per-line loop, or by fields() from `block_` */
  fields_?: { [name: string]: string };
  /** the whole head the quick path took (its field lines checked, each ending CRLF, then the
   *  empty line), until fields() splits them */
  block_?: string;
  /** the bytes after the head (the start of the body); absent when there were none */
  rest_?: string;
  status_?: number;
  reason_?: string;
}

/** Feeds one piece of received data; returns the new state. */
export function feed(h: Head, data: string, limits: Limits): State {
  // no copy of the data when nothing is held (a copy of a browser's head: ~5 µs, 17 JsVars)
  var buf = h.buf_ ? h.buf_ + data : data;
  // The quick path, for a whole CRLF head in the data that ends with it. The request line by one
  // anchored regex (its target split later: a regex splitting it goes quadratic on Espruino).
  // Each field line is `name:value` CRLF, the name a token, the value without control bytes
  // but tab: one global replace over the lines, each as LF name ':' value CR, turns each into
  // its name's first letter and an LF. A match starts only at an LF, so the pass is linear
  // whatever the bytes. Any byte it leaves (a line it refuses, or what follows a CR inside a
  // line) breaks the letter-LF pairs, which holds no LF of its own; the pairs are taken out to
  // see. Then the framing fields: only a name whose first letter is there is looked for.
  if (!h.state_ && buf.endsWith('\r\n\r\n')) {
    var first = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([^ \r\n]+) (HTTP\/1\.[01])\r\n/.exec(buf);
    if (first) {
      // the lines as LF ... CR, lower-cased; it ends with a CR, where Espruino cannot find a
      // needle starting with LF cut off (see below)
      var from = first[0].length, n = buf.length,
        lower = buf.substring(from - 1, n - 3).toLowerCase(),
        initials = lower.replace(/\n([!#$%&'*+.^_`|~0-9a-z-])[!#$%&'*+.^_`|~0-9a-z-]*:[^\x00-\x08\x0a-\x1f\x7f]*\r/g, '$1\n'),
        hostAt = lower.indexOf('\nhost:'),
        hostValue = lower.substring(hostAt + 6, lower.indexOf('\r', hostAt)).trim();
      if (from - 2 <= limits.line && n - 2 - from <= limits.head && initials.length <= 2 * limits.fields &&
          initials.replace(/[!#$%&'*+.^_`|~0-9a-z-]\n/g, '') === '' && hostAt >= 0 && hostValue &&
          hostValue.indexOf(',') < 0 && initials.indexOf('_') < 0 &&
          (initials.indexOf('h') == initials.lastIndexOf('h') || lower.indexOf('\nhost:', hostAt + 1) < 0) &&
          (initials.indexOf('c') < 0 || lower.indexOf('\ncontent-length:') < 0) &&
          (initials.indexOf('t') < 0 || lower.indexOf('\ntransfer-encoding:') < 0) &&
          (initials.indexOf('e') < 0 || lower.indexOf('\nexpect:') < 0)) {
        // nothing follows the head: no rest_ (fewer properties, fewer JsVars a connection)
        h.method_ = first[1];
        h.target_ = first[2];
        h.version_ = first[3];
        // the head itself, not a copy of its lines (~20 JsVars a connection until dispatched)
        h.block_ = buf;
        if (h.buf_) h.buf_ = '';
        return h.state_ = State.DONE;
      }
    }
  }
  return lines(h, buf, limits);
}

/** The per-line loop: the request line, then the header block once its empty line is there,
 *  each line checked; `buf` is all that is held. A function apart from feed(): Espruino lexes
 *  a function's whole text at each call, taken branches or not (~9 µs a KB), and the quick
 *  path's requests need none of this. */
function lines(h: Head, buf: string, limits: Limits): State {
  // anything but a token character (RFC 9110 5.6.2): methods and field names are tokens. Made
  // at each call, once for all its lines, not kept: a RegExp at the top level holds ~10 JsVars
  var end = 0, size: number, notToken = /[^A-Za-z0-9!#$%&'*+.^_`|~-]/;
  // made at each call, not kept: only this path fails a head (7 JsVars for good at the top level)
  function fail(status: number, reason: string): State {
    h.status_ = status;
    h.reason_ = reason;
    h.buf_ = '';
    return h.state_ = State.FAILED;
  }
  if (!h.state_) {
    end = buf.indexOf('\n');
    // the line's own bytes: not its line end, a CR included (or one last, its LF yet to come)
    size = end < 0 ? buf.length : end;
    if (size > limits.line + (buf.charAt(size - 1) == '\r' ? 1 : 0)) return fail(414, 'request line too long');
    if (end < 0) {
      h.buf_ = buf;
      return State.LINE;
    }
    var cr = buf.charAt(end - 1) == '\r', line = buf.substring(0, cr ? end - 1 : end);
    buf = buf.substring(end + 1);
    if (line == '') {
      // RFC 9112 2.2: a few empty lines before the request line are ignored
      h.blank_ = (h.blank_ || 0) + 1;
      if (h.blank_ > 4) return fail(400, 'bad request line');
      h.buf_ = '';
      return feed(h, buf, limits);
    }
    // the method is a token and the version is matched whole; the target is left to the
    // caller, which checks it as a URL (control bytes and CR included) before using it
    var sp1 = line.indexOf(' '), sp2 = line.indexOf(' ', sp1 + 1);
    var method = line.substring(0, sp1), version = line.substring(sp2 + 1);
    if (sp1 < 1 || sp2 < sp1 + 2 || version.indexOf(' ') >= 0 || notToken.test(method)) {
      return fail(400, 'bad request line');
    }
    if (version != 'HTTP/1.1' && version != 'HTTP/1.0') {
      return fail(/^HTTP\/\d\.\d$/.test(version) ? 505 : 400, 'bad HTTP version');
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
  if (size > limits.head + (buf.charAt(size - 1) == '\r' ? 1 : 0)) return fail(431, 'header fields too large');
  if (empty < 0) {
    h.buf_ = buf;
    return State.FIELDS;
  }
  // the empty line ends as the request line did (end > empty: it is CRLF)
  var crlf = !!h.crlf_;
  if (end > empty != crlf) return fail(400, 'mixed line ends');
  h.buf_ = '';
  h.rest_ = buf.substring(end + 1);
  // the block checked, and its fields object made, in one pass (each line ends with LF, with
  // CRLF in a CRLF head); here rather than in a function of its own: one fewer resident
  var block = buf.substring(0, empty);
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(block)) return fail(400, 'control byte in a header');
  var lower = block.toLowerCase(), fields: { [name: string]: string } = {}, count = 0, start = 0,
    colon: number, name: string, value: string, before: any, at: number;
  while ((end = block.indexOf('\n', start)) >= 0) {
    colon = block.indexOf(':', start);
    if (++count > limits.fields) return fail(431, 'too many header fields');
    name = lower.substring(start, colon);
    // the value before trim(), which would drop a CR: one only just before the LF, and only in
    // a CRLF head
    value = block.substring(colon + 1, end);
    at = value.indexOf('\r');
    // no colon, an empty or non-token name (obs-fold starts with white space), a stray CR
    if (colon <= start || colon > end || notToken.test(name) ||
        (crlf ? at < 0 || at < value.length - 1 : at >= 0)) return fail(400, 'malformed header field');
    before = fields[name];
    // '__proto__' cannot be a plain entry; other names objects carry ('on', 'constructor':
    // functions, on Espruino any object's) are data: only a string is an earlier field
    if (typeof before == 'object') return fail(400, 'reserved header name');
    value = value.trim();
    fields[name] = typeof before == 'string' ? before + ', ' + value : value;
    start = end + 1;
  }
  h.fields_ = fields;
  // the framing fields (RFC 9112 sections 3.2 and 6.3)
  var length = fields['content-length'], host = fields.host;
  if (length !== undefined && (fields['transfer-encoding'] !== undefined || !/^\d+$/.test(length))) {
    return fail(400, 'bad Content-Length');
  }
  if (host === undefined ? h.version_ == 'HTTP/1.1'
      : host.indexOf(',') >= 0 || host == '') return fail(400, 'missing or repeated Host');
  return h.state_ = State.DONE;
}

/** The header fields of a complete head: lower-case names, values trimmed, repeated fields
 *  joined with ", ". A head the quick path took is split now, the first time they are asked for. */
export function fields(h: Head): { [name: string]: string } {
  var block = h.block_, out: { [name: string]: string };
  if (block !== undefined) {
    // checked already: after the request line, each line is `name:value` CRLF (no CR in a
    // value), no name is __proto__. One replace with a callback makes the object: ~170 µs for
    // a browser's head on Espruino, where a loop of indexOf and substring took ~195
    out = h.fields_ = {};
    h.block_ = undefined;
    block.replace(/\n([^:\r\n]+):([^\r]*)\r/g, function (line: string, name: string, value: string) {
      name = name.toLowerCase();
      value = value.trim();
      var before: any = out[name];
      // as lines() joins them: a name objects carry ('on'...) is data
      out[name] = typeof before == 'string' ? before + ', ' + value : value;
      return '';
    });
  }
  return h.fields_!;
}
