/**
 * Route patterns that Espruino's RegExp runs differently from Node's: exec() gives null, or a
 * match Node would not make, without an error. Each rule is a difference that
 * scripts/regex-probe.mjs shows on the real interpreter. Only what changes whether a path
 * matches is refused: routing uses test(), and no callback is given the captures.
 */

/** Throws an Error that names the construct in `src` that Espruino would run wrongly and what
 *  to write instead, or says that `src` is not a valid RegExp. One function, its texts in its
 *  code: on a board it costs a few JsVars, not a table's. */
export function checkPattern(src: string): void {
  // c, n: this character and the next (undefined past the end); a: the atom that ends here;
  // y: what a pending X+ must not overlap ('\\0': the end); prev: what a quantifier would
  // repeat (0 nothing, 1 an atom, 2 a group, 3 a quantifier); atom: the last atom; plus: an
  // atom just quantified with '+'; anchored/anch/dollar/req: an alternative so far has '^' /
  // this one has '^' / has '$' / has an atom that must match; cls: where the class being read
  // starts (-1: none); pt: the class's last item (0 none, 1 a character, 3 an escape); what,
  // how: the refusal ('0': not a valid RegExp)
  var i = 0, c: string, n: string, a: string, y: string, depth = 0, prev = 0, atom = '', plus = '',
    k: number, anchored = false, anch = false, dollar = false, req = false, cls = -1, pt = 0,
    what = '', how = '';
  for (; i <= src.length && !what; i++) {
    c = src[i];
    n = src[i + 1];
    a = y = '';
    if (c == '\\') {
      // Espruino reads \b \B \u \c as letters, \1-\9 throw, \x wants two hex digits (the
      // same rule in a class, where only \b \B would be safe: fewer bytes)
      if (!n) what = '0';
      else if ('123456789ucbB'.indexOf(n) >= 0 || n == 'x' && !/[\da-f][\da-f]/i.test(src.substr(i + 2, 2))) {
        what = "the escape '\\" + n + "'";
        how = 'write what it should match';
      } else if (cls < 0) a = src.substr(i, n == 'x' ? 4 : 2);
      else pt = 3;
      i += n == 'x' ? 3 : 1;
    } else if (cls >= 0) {
      if (!c) what = '0';
      else if (c == ']') {
        a = src.substring(cls, i + 1);
        cls = -1;
      } else if (c == '|') {
        // a failed match looks for an alternative past a '|' in a class too
        what = "'|' in a class";
        how = "write '\\|'";
      } else if (c == '-' && pt == 1 && n != ']') {
        // a range: Espruino mistakes '.' or an escape at its ends, and a '-' after a range
        if (n == '.' || n == '\\' || src[i - 1] == '.' || src[i - 2] == '-') {
          what = "'-' by '.', '\\' or a range in a class";
          how = "write '\\.' for a dot, and put '-' last";
        } else if (src[i - 1] > n) what = '0';
        else if (src[i - 1] == n) {
          // Espruino's '[a-a]' matches nothing
          what = 'a range of one character';
          how = 'write the character';
        }
      } else pt = 1;
    } else if (c == '[') {
      cls = i;
      pt = 0;
      if (n == '^') i++;
    } else if (c == '?' || prev == 2 && (c == '*' || c == '+') || c == '{' && n >= '0' && n <= '9') {
      // Espruino takes '?', '{' and a quantifier after ')' as characters
      what = c == '{' ? "'{n}'" : prev == 2 ? 'a quantified group' : src[i - 1] == '(' ? "'(?'" : "'?'";
      how = "use '*' or '+' after one character, class or '.', or one pattern per form";
    } else if (c == '*' || c == '+') {
      if (!prev || prev > 2) what = '0';
      if (c == '+') plus = atom;
      prev = 3;
    } else if (c == '(') {
      depth++;
      prev = 0;
    } else if (c == ')') {
      if (!depth--) what = '0';
      prev = 2;
    } else if (c == '^') {
      anchored = anch = true;
      prev = 0;
    } else if (c == '$') {
      dollar = true;
      y = '\\0';
      prev = 0;
    } else if (c == '|' || !c) {
      y = '\\0';
      prev = 0;
      if (depth && !c) what = '0';
      else if (depth) {
        // Espruino's '|' always splits the whole pattern
        what = "'|' inside a group";
        how = "use top-level alternation, '^/a$|^/b$'";
      } else if (!anch && dollar && !req || c && anchored && n && '^|*+'.indexOf(n) < 0) {
        // Espruino never tries the empty end of the input, nor anything after a failed '^'
        what = "an alternative without '^'";
        how = "start each with '^'";
      }
      anch = dollar = req = false;
    } else a = c;
    if (a) y = a;
    if (plus && y && !what) {
      // Espruino's X+ tries what follows from the character X matched (at the end, a NUL), so
      // X must match nothing that can come next: one test for a single (or escaped) character,
      // else each ASCII one; a '*' after it lets anything come next
      var px = new RegExp(plus), py = new RegExp(y),
        ch = y == '\\0' ? '\0' : y.length < 2 && y != '.' ? y : y.length == 2 && /\W/.test(y[1]) ? y[1] : '';
      for (k = 0; k < 127 && !what; k = ch ? 127 : k + 1) {
        if (px.test(n = ch || String.fromCharCode(k)) && py.test(n) || src[i + 1] == '*') {
          what = "'" + plus + "+' before " + (a ? "'" + a + "'" : 'the end');
          how = "write '" + plus + plus + "*'";
        }
      }
      plus = '';
    }
    if (a) {
      atom = a;
      prev = 1;
      if (src[i + 1] != '*') req = true;
    }
  }
  if (what) {
    throw new Error("register: '" + src + "' " + (what == '0' ? 'is not a valid RegExp'
      : 'uses ' + what + ", which Espruino's RegExp cannot run: " + how));
  }
}
