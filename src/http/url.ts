/** Request targets: percent-decoding (with the spec's symbol table) and query strings. */
import { URLInvalidError } from './errors';

/** Added with addSymbol(): percent-encoding (upper-case hex) → symbol. */
var symbols: { [percEnc: string]: string } = {};

/** Adds a symbol that unencode() decodes: addSymbol('%41', 'A'). */
export function addSymbol(percEnc: string, symbol: string): void {
  if (!/^%[0-9A-Fa-f][0-9A-Fa-f]$/.test(percEnc) || typeof symbol != 'string') {
    throw new Error('addSymbol: expected "%XX" and a string, got ' + percEnc);
  }
  symbols[percEnc.toUpperCase()] = symbol;
}

/** Decodes the known percent-encodings of `str`; others stay as they are. A '%' not
 *  followed by two hex digits throws URLInvalidError. */
export function unencode(str: string): string {
  var at = str.indexOf('%');
  if (at < 0) return str;
  var out = '', from = 0, raw: string, enc: string, ch: string;
  while (at >= 0) {
    raw = str.substring(at, at + 3);
    if (!/^%[0-9A-Fa-f][0-9A-Fa-f]$/.test(raw)) throw new URLInvalidError('bad percent-encoding at ' + at);
    enc = raw.toUpperCase();
    ch = String.fromCharCode(parseInt(enc.substring(1), 16));
    out += str.substring(from, at) + (symbols.hasOwnProperty(enc) ? symbols[enc]
      // decoded by default: the reserved characters, space and '%' itself (the spec's table
      // has '%25'), as a literal in the code (a variable held ~4 JsVars for good)
      : " !#$%&'()*+,/:;=?@[]".indexOf(ch) >= 0 ? ch : raw);
    from = at + 3;
    at = str.indexOf('%', from);
  }
  return out + str.substring(from);
}

export interface Target {
  /** the decoded path */
  loc: string;
  /** query parameters, decoded; a name without '=' maps to null. Own entries: a name
   *  Espruino's objects already have ('on', 'constructor'...) is data here */
  params: { [name: string]: string | null };
}

/** Splits and decodes an origin-form ("/p?q") or absolute-form ("http://h/p?q") target. */
export function parseTarget(target: string): Target {
  // anything but visible ASCII, or '#' (a fragment is never sent in a request target)
  if (/[^\x21-\x22\x24-\x7e]/.test(target)) throw new URLInvalidError('only visible ASCII is allowed in a URL');
  if (target.charAt(0) != '/' && target.substring(0, 7).toLowerCase() == 'http://') {
    var slash = target.indexOf('/', 7);
    target = slash < 0 ? '/' : target.substring(slash);
  }
  if (target.charAt(0) != '/') throw new URLInvalidError('the path must start with /');
  var q = target.indexOf('?'), params: { [name: string]: string | null } = {};
  if (q >= 0) {
    // unencode() only for a query with an escape (two calls a pair, ~6 µs each)
    var query = target.substring(q + 1), escaped = query.indexOf('%') >= 0, pairs = query.split('&'),
      pair: string, eq: number, name: string, value: string | null;
    for (var i = 0; i < pairs.length; i++) {
      pair = pairs[i];
      if (pair == '') continue;
      eq = pair.indexOf('=');
      name = eq < 0 ? pair : pair.substring(0, eq);
      value = eq < 0 ? null : pair.substring(eq + 1);
      if (escaped) {
        name = unencode(name);
        if (value) value = unencode(value);
      }
      // the one name that cannot be a plain entry; a repeated name keeps its last value
      if (name == '__proto__') throw new URLInvalidError('reserved name ' + name);
      params[name] = value;
    }
    target = target.substring(0, q);
  }
  // unencode() only for a path with an escape: a call lexes its whole text (~6 µs)
  return { loc: target.indexOf('%') < 0 ? target : unencode(target), params: params };
}
