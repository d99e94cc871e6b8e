// Which route patterns Espruino's RegExp runs as Node does: a table of patterns × inputs run
// with exec() on the real interpreter (ESPRUINO_BIN, all cases in one `espruino -e`) and on
// Node, printing every case where the two differ (null vs a match, match[0], captures, or an
// error). src/http/pattern.ts refuses what this shows to change whether a path matches, except
// on paths a request cannot give (non-ASCII or control characters); rerun it after changing
// either (test/pattern.test.ts checks the checker's rules on the interpreter too).
//   ESPRUINO_BIN=../shared/espruino/espruino node scripts/regex-probe.mjs [--all] [--json]
// --all prints the cases that agree too; --json prints the results as JSON instead of tables.
// Exits 0 whatever it finds; non-zero only when the interpreter could not be run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

/** An input given as a byte string (each char < 256: what the server builds from socket data). */
const bytes = (s) => ({ s, kind: 'bytes' });
/** An input given as a UTF-8 (unicode) string, as Espruino makes one from '\u00e9' or 'é' in code. */
const utf8 = (s) => ({ s, kind: 'utf8' });

// [construct, pattern, inputs]; plain string inputs are ASCII (a route's loc is ASCII: see
// src/http/url.ts), so byte string and unicode string are the same thing for them.
const TABLE = [
  ['common routes', '^/api/(\\w+)/(\\d+)$', ['/api/led/12', '/api/led/x', '/api//1']],
  ['common routes', '^/page$', ['/page', '/page/x', '/x/page', '/pag']],
  ['common routes', '^/files/([^/]+)$', ['/files/a.txt', '/files/a/b', '/files/']],
  ['common routes', '^/x/.*$', ['/x/', '/x/abc/d', '/x']],
  ['common routes', '^/static/[a-z0-9_.-]+$', ['/static/app.min.js', '/static/x-y_1', '/static/A', '/static/a/b']],
  ['common routes', '^/api/(\\w+)$', ['/api/led', '/api/led/1']],
  ['common routes', '^/echo', ['/echo', '/echo/x', '/x/echo']],
  ['alternation inside a group', '^/(a|b)c$', ['/ac', '/bc', '/a', '/c']],
  ['alternation inside a group', '^/(led|relay)/(on|off)$', ['/relay/off', '/led/on', '/led', '/relay']],
  ['alternation inside a group', '\\.(js|css)$', ['/x.css', '/x.js', '/js', '/css']],
  ['alternation inside a group', '^/x(a|)$', ['/x', '/xa']],
  ['top-level alternation', '^/a|^/b', ['/a', '/b', '/c', '/ab', '/x/b']],
  ['top-level alternation', '^/led$|^/relay$', ['/led', '/relay', '/ledx', '/x']],
  ['top-level alternation', 'a|b', ['/xb', '/y', '/a']],
  ['top-level alternation', '^/(a)$|^/(b)$', ['/a', '/b']],
  ['top-level alternation', '^/a|/b', ['/a', '/b', '/x/b']],
  ['top-level alternation', '^/a|^/b|/c', ['/b', '/x/c']],
  ['top-level alternation', '/a|^/b', ['/x/a', '/b', '/x/b']],
  ['top-level alternation', '/a|/b', ['/x/a', '/x/b', '/x']],
  ['empty alternatives', '^/a|', ['/a', '/x']],
  ['empty alternatives', '|^/a', ['/x']],
  ['empty alternatives', '^/a||^/b', ['/b', '/c']],
  ['(?:...)', '^/x(?:yz)$', ['/xyz', '/x']],
  ['(?:...)', '^/x(?:yz)?$', ['/x', '/xyz']],
  ['(?:...)', '^/(?:a|b)$', ['/a', '/b']],
  ['{n}', '^/\\d{3}$', ['/123', '/12', '/1234']],
  ['{n}', '^/a{2}$', ['/aa', '/a{2}']],
  ['{n,}', '^/\\d{2,}$', ['/12', '/123', '/1']],
  ['{n,m}', '^/\\d{2,3}$', ['/12', '/123', '/1']],
  ['literal braces', '^/{id}$', ['/{id}', '/id']],
  ['literal braces', '^/a{x}$', ['/a{x}']],
  ['literal braces', '^/a{$', ['/a{']],
  ['literal braces', '^/a{1$', ['/a{1']],
  ['literal braces', '^/a}$', ['/a}']],
  ['quantified group', '^/(ab)+$', ['/ab', '/abab', '/ab+']],
  ['quantified group', '^/(ab)*$', ['/', '/abab', '/ab*']],
  ['quantified group', '^/(ab)?$', ['/', '/ab']],
  ['quantified group', '^/x(\\d+)?$', ['/x', '/x12']],
  ['quantified group', '^/(\\d+)?$', ['/', '/5']],
  ['? after an atom', '^/colou?r$', ['/color', '/colour', '/colou?r']],
  ['? after an atom', '^/items/?$', ['/items', '/items/']],
  ['? after an atom', '^/a\\d?$', ['/a', '/a1']],
  ['? after an atom', '^/[ab]?$', ['/', '/a']],
  ['? after an atom', '^/.?$', ['/', '/x']],
  ['lookahead (?=)', '^/a(?=b)', ['/ab', '/ac']],
  ['lookahead (?!)', '^/a(?!b)', ['/ab', '/ac']],
  ['lookbehind (?<=)', '(?<=/)a$', ['/a', '/b']],
  ['lookbehind (?<!)', '(?<!x)a$', ['/a', '/xa']],
  ['backreference', '^/(a)\\1$', ['/aa', '/a']],
  ['backreference', '^/(\\w)x\\1$', ['/axa', '/axb']],
  ['backreference', '^/\\8$', ['/8']],
  ['named group', '^/(?<id>\\d+)$', ['/12', '/x']],
  ['named group', '^/(?<c>a)\\k<c>$', ['/aa']],
  ['. on non-ASCII', '^/.$', ['/x', utf8('/\u00e9'), bytes('/\u00e9'), utf8('/\u20ac')]],
  ['. on non-ASCII', '^/.+$', ['/xy', utf8('/\u00e9'), bytes('/\u00e9'), utf8('/\u20ac')]],
  ['. on non-ASCII', '^/.*$', [utf8('/\u00e9'), bytes('/\u00e9')]],
  ['. on non-ASCII', '^/a.b$', ['/axb', utf8('/a\u00e9b'), bytes('/a\u00e9b')]],
  ['. on non-ASCII', '^/(.)(.)$', [utf8('/\u00e9x'), bytes('/\u00e9x')]],
  ['. on a control character', '^/a.b$', ['/a\nb', '/a\rb']],
  ['[^/] on non-ASCII', '^/[^/]$', [utf8('/\u00e9'), bytes('/\u00e9')]],
  ['[^/] on non-ASCII', '^/([^/]+)$', [utf8('/\u00e9'), bytes('/\u00e9')]],
  ['\\s \\w on non-ASCII', '^/a\\sb$', [bytes('/a\u00a0b'), utf8('/a\u00a0b')]],
  ['\\s \\w on non-ASCII', '^/\\w$', [bytes('/\u00e9'), utf8('/\u00e9')]],
  ['non-greedy', '^/(.*?)/', ['/a/b/']],
  ['non-greedy', '^/(a+?)', ['/aaa']],
  ['non-greedy', '^/(\\w+?)(\\d*)$', ['/ab12']],
  ['classes with escapes', '^/[\\d]+$', ['/12', '/a']],
  ['classes with escapes', '^/[\\w.-]+$', ['/a.b-c', '/a b']],
  ['classes with escapes', '^/[\\-a]$', ['/-', '/a', '/b']],
  ['classes with escapes', '^/[\\]]$', ['/]']],
  ['classes with escapes', '^/[\\x41-\\x43]$', ['/B', '/D']],
  ['classes with escapes', '^/[\\b]$', ['/b', '/\b']],
  ['classes with escapes', '^/[\\d-z]$', ['/-', '/5', '/z', '/x']],
  ['classes with escapes', '^/[a\\-z]$', ['/-', '/m']],
  ['negated classes', '^/[^a-z]$', ['/A', '/a']],
  ['negated classes', '^/[^\\d]+$', ['/ab', '/a1']],
  ['negated classes', '^/[^]$', ['/x']],
  ['class ranges', '^/[a-z0-9_-]+$', ['/a-b_9', '/A']],
  ['class ranges', '^/[-a]$', ['/-', '/a']],
  ['class ranges', '^/[a-]$', ['/-', '/a']],
  ['class ranges', '^/[.-9]$', ['/5', '/-', '/.', '/0']],
  ['class ranges', '^/[!-.]$', ['/#', '/.', '/x']],
  ['class ranges', '^/[\\.-9]$', ['/5', '/-']],
  ['class ranges', '^/[a-\\d]$', ['/-', '/5', '/b']],
  ['class ranges', '^/[--/]$', ['/.', '/a']],
  ['class ranges', '^/[a-zA-Z0-9-_]+$', ['/a-b', '/a_b', '/-', '/_']],
  ['class ranges', '^/[a-z0-9-]+$', ['/a-b', '/A']],
  ['| inside a class', '^/x[a|b]$', ['/xa', '/x|', '/xc']],
  ['| inside a class', 'x[a|b]$', ['/b]', '/xb']],
  ['| inside a class', '^/[|]$', ['/|', '/a']],
  ['| inside a class', 'x[a\\|b]$', ['/b]', '/x|']],
  ['\\b \\B', '^/a\\b', ['/a', '/ab', '/a-']],
  ['\\b \\B', '\\bb', ['/b', '/ab']],
  ['\\b \\B', '^/a\\B', ['/ab', '/a-', '/aB']],
  ['\\s\\S\\w\\W\\d\\D', '^/\\w+$', ['/abc_1', '/a-b']],
  ['\\s\\S\\w\\W\\d\\D', '^/\\W$', ['/-', '/a']],
  ['\\s\\S\\w\\W\\d\\D', '^/\\d\\D$', ['/1a', '/11']],
  ['\\s\\S\\w\\W\\d\\D', '^/a\\sb$', ['/a b', '/a\tb', '/ab']],
  ['\\s\\S\\w\\W\\d\\D', '^/\\S+$', ['/ab', '/a b']],
  ['anchors', '/page$', ['/page', '/x/page', '/pages']],
  ['anchors', '^/page', ['/pages', '/x/page']],
  ['anchors', 'page', ['/x/page/y', '/pag']],
  ['anchors', '^$', ['', '/']],
  ['anchors', '$', ['/a', '']],
  ['anchors', '^', ['/a']],
  ['$ mid-pattern', '^/a$/b', ['/a/b', '/a']],
  ['$ mid-pattern', '^/a$$', ['/a']],
  ['^ mid-pattern', '^/a^', ['/a']],
  ['^ mid-pattern', '/a(^)', ['/a']],
  ['unanchored, empty at the end', '[^/]*$', ['/a', '/a/']],
  ['unanchored, empty at the end', 'x*$', ['/a', '/ax']],
  ['unanchored, empty at the end', '(x*)$', ['/a']],
  ['unanchored, empty at the end', '^/a|x*$', ['/b/']],
  ['unanchored, empty at the end', 'x*', ['/a']],
  ['escaped metachars', '^/a\\.b$', ['/a.b', '/axb']],
  ['escaped metachars', '^\\/a\\/b$', ['/a/b']],
  ['escaped metachars', '^/a\\-b$', ['/a-b']],
  ['escaped metachars', '^/\\(x\\)$', ['/(x)']],
  ['escaped metachars', '^/a\\+\\*\\?$', ['/a+*?']],
  ['escaped metachars', '^/\\$\\^$', ['/$^']],
  ['escaped metachars', '^/\\[x\\]\\{1\\}$', ['/[x]{1}']],
  ['escaped metachars', '^/a\\|b$', ['/a|b', '/a']],
  ['escaped metachars', '\\.js$', ['/x.js', '/xjs']],
  ['escaped metachars', '^/a\\\\$', ['/a\\']],
  ['escaped metachars', '^/a\\.*$', ['/a..', '/ab']],
  ['escaped letters', '^/\\e\\k\\p\\q$', ['/ekpq']],
  ['unicode and hex escapes', '^/\\u0041$', ['/A', '/u0041']],
  ['unicode and hex escapes', '^/\\u{41}$', ['/A', '/u{41}']],
  ['unicode and hex escapes', '^/\\x41$', ['/A', '/x41']],
  ['unicode and hex escapes', '^/\\x4$', ['/x4', '/\x04']],
  ['unicode and hex escapes', '^/\\xZZ$', ['/xZZ']],
  ['unicode and hex escapes', '^/\\cA$', ['/cA', '/\x01']],
  ['unicode and hex escapes', '^/\\0$', ['/\0']],
  ['unicode and hex escapes', '^/\\01$', ['/\x01', '/\x001']],
  ['nested groups', '^/((a)b)$', ['/ab']],
  ['nested groups', '^/(a(b))$', ['/ab']],
  ['nested groups', '^/((\\w+))$', ['/xyz']],
  ['group then a class', '^/(a)[bc]$', ['/ab', '/ad']],
  ['group then a class', '^/(\\w+)[.](\\w+)$', ['/a.b', '/ab']],
  ['quantified atoms', '^/a*$', ['/', '/aaa', '/ab']],
  ['quantified atoms', '^/a+$', ['/', '/aaa']],
  ['quantified atoms', '^/.*/b$', ['/a/b', '/a/c/b', '/a/c']],
  ['quantified atoms', '^/(.*)/(.*)$', ['/a/b/c']],
  ['quantified atoms', '^/(\\w+)-(\\w*)$', ['/ab-', '/ab-cd']],
  ['quantified atoms', '^/a.*b', ['/a1b2b3']],
  ['+ (one or more)', '^/x/.+$', ['/x/', '/x/a']],
  ['+ (one or more)', '^/x/(.+)', ['/x/', '/x/a']],
  ['+ (one or more)', '^/(\\D+)$', ['/', '/a']],
  ['+ (one or more)', '^/a\\W+$', ['/a', '/a-']],
  ['+ (one or more)', '^/a\\S+$', ['/a', '/ab']],
  ['+ (one or more)', '^/a[^b]+c*$', ['/a', '/ax']],
  ['+ (one or more)', '^/([^/]+)/*$', ['/', '/a/']],
  ['+ (one or more)', '^/(.+)/b$', ['//b', '/a/b']],
  ['+ (one or more)', '^/a+a$', ['/a', '/aa']],
  ['+ (one or more)', '^/\\w+\\d$', ['/1', '/a1']],
  ['+ (one or more)', '^/(\\w+)_(\\d+)$', ['/_5', '/a_5']],
  ['+ (one or more)', '^/api/([^/]+)/(\\d+)$', ['/api//1', '/api/x/1']],
  ['+ (one or more)', '^/(\\d+)[a-z]$', ['/a', '/1a']],
  ['+ (one or more)', '^/([a-z]+)\\.(\\w+)$', ['/.js', '/a.js']],
  ['+ (one or more)', '^\\/api\\/(\\w+)\\/(\\d+)$', ['/api//1', '/api/a/1']],
  ['+ (one or more)', '^/a+b*$', ['/', '/a']],
  ['+ (one or more)', '^/(\\w+)-(\\w+)$', ['/-x', '/a-x']],
  ['+ (one or more)', '^/(\\d+)$', ['/', '/12']],
  ['+ (one or more)', '^/\\d+', ['/', '/1']],
  ['+ (one or more)', '^/a/.+|^/b$', ['/a/', '/b']],
  ['+ (one or more)', '^/[^/][^/]*$', ['/', '/a']],
  ['+ (one or more)', '^/x/..*$', ['/x/', '/x/a']],
  ['unanchored, empty at the end', '.*$', ['/a/', '']],
  ['unanchored, empty at the end', '^/a|.*$', ['/b/']],
  ['top-level alternation', '(^/a)|(^/b)', ['/b']],
  ['top-level alternation', '^/a|', ['/x']],
  ['+ (one or more)', '^/(\\w+)[.](\\w+)$', ['/.js', '/a.js']],
  ['+ (one or more)', '^/(\\w+)(/\\d+)$', ['/a/1', '//1']],
  ['+ (one or more)', '^/(\\w+)\\.(\\w+)$', ['/.js', '/a.js']],
  ['+ (one or more)', '^/(.+)\\.html$', ['/.html', '/a.html']],
  ['class ranges', '^/[\\w-.]$', ['/-', '/.', '/a', '/,']],
  ['class ranges', '^/[\\--/]$', ['/.', '/-', '/a']],
  ['class ranges', '^/[a-z-0]$', ['/-', '/0', '/m', '/1']],
  ['class ranges', '^/[^-a]$', ['/-', '/b']],
  ['more than 9 groups', '^/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)$', ['/abcdefghij']],
  ['literal ]', '^/a]$', ['/a]']],
  ['case', '^/Page$', ['/page', '/Page']],
  ['Node cannot compile it', '^/(a$', ['/a', '/(a']],
  ['Node cannot compile it', '^/a)$', ['/a)', '/a']],
  ['Node cannot compile it', '^/[a$', ['/a', '/[a']],
  ['Node cannot compile it', '*a', ['/a']],
  ['Node cannot compile it', '^/a**$', ['/aa']],
  ['Node cannot compile it', '^/a|*', ['/a']],
  ['Node cannot compile it', '^/a\\', ['/a']],
  ['Node cannot compile it', '^/[z-a]$', ['/b']],
  ['Node cannot compile it', '^*', ['/']],
  ['Node cannot compile it', '^/$*', ['/']],
];

/** One case per pattern × input: { construct, pattern, input, kind }. */
const CASES = TABLE.flatMap(([construct, pattern, inputs]) => inputs.map((input) =>
  typeof input == 'string' ? { construct, pattern, input, kind: 'ascii' }
    : { construct, pattern, input: input.s, kind: input.kind }));

/** A JS string literal Espruino reads as a byte string (\xNN) or a unicode string (\uNNNN). */
function literal(s, kind) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (c >= 0x20 && c < 0x7f && ch != '"' && ch != '\\') out += ch;
    else if (c < 0x100 && kind != 'utf8') out += '\\x' + c.toString(16).padStart(2, '0');
    else out += '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + '"';
}

/** exec() as data: null, [index, match[0], captures...] (undefined → null), or { error }. */
function run(pattern, input) {
  try {
    const m = new RegExp(pattern).exec(input);
    return m === null ? null : [m.index, ...Array.from(m, (x) => x === undefined ? null : x)];
  } catch (e) {
    return { error: String(e && e.message || e) };
  }
}

/** Runs CASES[from..] in one interpreter; returns the results it printed (it may stop early). */
function runEspruino(bin, from) {
  const cases = CASES.slice(from).map((c) => `[${literal(c.pattern, 'bytes')},${literal(c.input, c.kind)}]`);
  // same shape as run() above, in ES5 for the interpreter (no hoisting: R before its use)
  const code = `var C=[${cases.join(',')}];
function R(p,s){try{var m=new RegExp(p).exec(s);if(m===null)return null;var o=[m.index];
for(var k=0;k<m.length;k++)o.push(m[k]===undefined?null:m[k]);return o;}
catch(e){return {error:String(e&&e.message||e)};}}
for(var i=0;i<C.length;i++)print('@@'+(i+${from})+' '+JSON.stringify(R(C[i][0],C[i][1])));
print('@@end');`;
  const r = spawnSync(bin, ['-e', code], { encoding: 'latin1', timeout: 30000, killSignal: 'SIGKILL',
    cwd: tmpdir(), maxBuffer: 64 << 20 });
  if (r.error && r.error.code != 'ETIMEDOUT') throw r.error;
  const results = new Map();
  let ended = false;
  for (const line of r.stdout.split(/\r?\n/)) {
    const m = /^@@(\d+) (.*)$/.exec(line);
    if (m) results.set(Number(m[1]), JSON.parse(m[2]));
    else if (line.startsWith('@@end')) ended = true;
  }
  return { results, ended, status: r.signal || r.status };
}

// resolved here: the interpreter runs in a scratch directory (its Storage file goes there)
const bin = process.env.ESPRUINO_BIN && resolve(process.env.ESPRUINO_BIN);
if (!bin || !existsSync(bin)) {
  console.error('Set ESPRUINO_BIN to a Linux build of Espruino, e.g.\n' +
    '  ESPRUINO_BIN=../shared/espruino/espruino node scripts/regex-probe.mjs');
  process.exit(2);
}

// one run for all cases; a case that hangs or crashes the interpreter is recorded and the
// rest run in a fresh one
const esp = new Array(CASES.length).fill(undefined);
let from = 0, runs = 0;
while (from < CASES.length) {
  const { results, ended, status } = runEspruino(bin, from);
  runs++;
  for (const [i, v] of results) esp[i] = v;
  if (ended) break;
  let next = from;
  while (results.has(next)) next++;
  if (next >= CASES.length) break;
  esp[next] = { error: `interpreter stopped (${status}) on this case` };
  from = next + 1;
  if (runs > 20) { console.error('the interpreter keeps stopping: giving up'); process.exit(3); }
}
if (esp.some((v) => v === undefined) && CASES.length) {
  console.error('the interpreter printed no result for some cases'); process.exit(3);
}

const rows = CASES.map((c, i) => {
  const node = run(c.pattern, c.input), e = esp[i];
  const same = JSON.stringify(node) == JSON.stringify(e);
  let what = '';
  if (!same) {
    if (node && !Array.isArray(node)) what = 'Node cannot compile it';
    else if (e && !Array.isArray(e)) what = 'error on Espruino';
    else if ((node === null) != (e === null)) what = 'test() differs';
    else if (node[1] != e[1]) what = 'match[0] differs';
    else if (node[0] != e[0]) what = 'index differs';
    else what = 'captures differ';
  }
  return { ...c, espruino: e, node, same, what };
});

// no process.exit() after printing: a piped stdout would be cut short
if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 1));
else printTables();

/** An input for the table: JSON-escaped, with its kind when not plain ASCII. */
function showInput(r) {
  return JSON.stringify(r.input) + (r.kind == 'ascii' ? '' : r.kind == 'utf8' ? ' (unicode str)' : ' (byte str)');
}
function show(v) {
  if (v === null) return 'null';
  if (!Array.isArray(v)) return 'ERROR ' + v.error;
  return JSON.stringify(v.slice(1)) + (v[0] ? ' @' + v[0] : '');
}
function table(header, lines) {
  const all = [header, ...lines].map((l) => l.map((x) => x.length > 60 ? x.slice(0, 57) + '...' : x));
  const w = header.map((_, k) => Math.max(...all.map((l) => l[k].length)));
  const fmt = (l) => l.map((x, k) => x.padEnd(w[k])).join(' | ').trimEnd();
  console.log(fmt(all[0]) + '\n' + w.map((n) => '-'.repeat(n)).join('-|-'));
  for (const l of all.slice(1)) console.log(fmt(l));
}

function printTables() {
  const all = process.argv.includes('--all');
  console.log(`${CASES.length} cases, ${TABLE.length} patterns; Espruino: ${bin} (${runs} run${runs > 1 ? 's' : ''})\n`);
  console.log(all ? 'Every case (match as [match[0], captures...] @index):\n' : 'Where Espruino and Node differ (match as [match[0], captures...] @index):\n');
  table(['construct', 'pattern', 'input', 'Espruino', 'Node', 'what differs'],
    rows.filter((r) => all || !r.same).map((r) => [r.construct, r.pattern, showInput(r), show(r.espruino),
      show(r.node), r.same ? '' : r.what]));

  console.log('\nBy construct (cases that differ / cases):\n');
  const by = new Map();
  for (const r of rows) {
    const b = by.get(r.construct) || { n: 0, d: 0, test: 0, bad: new Set() };
    b.n++;
    if (!r.same) { b.d++; b.bad.add(r.pattern); if (r.what == 'test() differs' || r.what == 'error on Espruino') b.test++; }
    by.set(r.construct, b);
  }
  table(['construct', 'differ', 'of which null/match or error', 'patterns that differ'],
    [...by].map(([k, b]) => [k, `${b.d}/${b.n}`, String(b.test), [...b.bad].join('  ') || '-']));
}
