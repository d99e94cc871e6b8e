/**
 * checkPattern(): the route patterns register() refuses, on Node and (ESPRUINO_BIN) with the
 * checker compiled for and run on the real interpreter, which must give the same messages.
 * With ESPRUINO_BIN the table's paths also check the rules against the interpreter itself:
 * every accepted pattern matches them as Node does, and every refused one differs on its path.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { checkPattern } from '../src/http/pattern';
import { register, Routes } from '../src/http/router';
import { interpreterProblem, requireOrSkip } from './e2e/environment';
import { ESPRUINO_BIN, ROOT } from './e2e/target';

/** [pattern, the construct the refusal names ('' when accepted), paths to try on the
 *  interpreter: all match as on Node when accepted; the first one differs when refused] */
const TABLE: [string, string, string[]][] = [
  ['^/page$', '', ['/page', '/page/x', '/pag']],
  ['^/api/(\\w+)/(\\d+)$', '', ['/api/led/12', '/api/led/x', '/api//1', '/api/l/']],
  ['^\\/api\\/(\\w+)\\/(\\d+)$', '', ['/api/led/12', '/api//1']],
  ['^/api/([^/]+)/(\\d+)$', '', ['/api//1', '/api/x/1', '/api/x/']],
  ['^/files/([^/][^/]*)$', '', ['/files/a.txt', '/files/', '/files/a/b']],
  ['^/a|^/b', '', ['/a', '/b', '/x/b', '/c']],
  ['^/led$|^/relay$', '', ['/led', '/relay', '/ledx']],
  ['/a|^/b', '', ['/x/a', '/b', '/x/b']],
  ['^/x/.*$', '', ['/x/', '/x/abc', '/x']],
  ['^/x/..*$', '', ['/x/', '/x/a']],
  ['^/static/[a-z0-9_.-]+$', '', ['/static/app.min.js', '/static/A', '/static/']],
  ['^/[a-z0-9-]+$', '', ['/a-b', '/A']],
  ['^/[\\w-.]$', '', ['/-', '/.', '/a', '/,']],
  ['^/[\\d-z]$', '', ['/-', '/5', '/z', '/x']],
  ['^/[\\x41-\\x43]$', '', ['/B', '/D']],
  ['^/(\\w+)[.](\\w+)$', '', ['/a.js', '/.js']],
  ['^/(\\w+)\\.(\\w+)$', '', ['/a.js', '/.js']],
  ['^/(\\w+)-(\\w+)$', '', ['/a-b', '/-b']],
  ['^/(\\d+)$', '', ['/', '/12']],
  ['^/echo', '', ['/echo', '/echo/x', '/x/echo']],
  ['^/a\\.b$', '', ['/a.b', '/axb']],
  ['^/\\{1\\}$', '', ['/{1}']],
  ['^/{id}$', '', ['/{id}']],
  ['^/((a)b)$', '', ['/ab']],
  ['^/(a)[bc]$', '', ['/ab', '/ad']],
  ['^/a|', '', ['/x']],
  ['', '', ['/x']],
  ['^/(led|relay)$', "'|' inside a group", ['/relay']],
  ['\\.(js|css)$', "'|' inside a group", ['/css']],
  ['^/x(?:yz)$', "'(?'", ['/xyz']],
  ['^/a(?=b)', "'(?'", ['/ab']],
  ['^/a(?!b)', "'(?'", ['/ac']],
  ['(?<=/)a$', "'(?'", ['/a']],
  ['^/(?<id>\\d+)$', "'(?'", ['/12']],
  ['^/\\d{3}$', "'{n}'", ['/123']],
  ['^/\\d{2,}$', "'{n}'", ['/12']],
  ['^/\\d{2,3}$', "'{n}'", ['/12']],
  ['^/(ab)+$', 'a quantified group', ['/abab']],
  ['^/(ab)*$', 'a quantified group', ['/']],
  ['^/x(\\d+)?$', 'a quantified group', ['/x']],
  ['^/colou?r$', "'?'", ['/color']],
  ['^/items/?$', "'?'", ['/items']],
  ['^/(.*?)/', "'?'", ['/a/b/']],
  ['^/(a)\\1$', "the escape '\\1'", ['/aa']],
  ['^/a\\b', "the escape '\\b'", ['/a']],
  ['^/a\\B', "the escape '\\B'", ['/ab']],
  ['^/\\u0041$', "the escape '\\u'", ['/A']],
  ['^/\\cA$', "the escape '\\c'", ['/cA']],
  ['^/\\xZZ$', "the escape '\\x'", ['/xZZ']],
  ['x[a|b]$', "'|' in a class", ['/b]']],
  ['^/[.-9]$', "'-' by '.', '\\' or a range in a class", ['/5']],
  ['^/[!-.]$', "'-' by '.', '\\' or a range in a class", ['/x']],
  ['^/[a-\\d]$', "'-' by '.', '\\' or a range in a class", ['/-']],
  ['^/[a-zA-Z0-9-_]+$', "'-' by '.', '\\' or a range in a class", ['/-']],
  ['^/files/([^/]+)$', "'[^/]+' before the end", ['/files/']],
  ['^/x/.+$', "'.+' before the end", ['/x/']],
  ['^/a\\W+$', "'\\W+' before the end", ['/a']],
  ['^/(.+)\\.html$', "'.+' before '\\.'", ['/.html']],
  ['^/(\\w+)_(\\d+)$', "'\\w+' before '_'", ['/_5']],
  ['^/\\w+\\d$', "'\\w+' before '\\d'", ['/1']],
  ['^/a|/b', "an alternative without '^'", ['/x/b']],
  ['^/a|^/b|/c', "an alternative without '^'", ['/x/c']],
  ['[^/]*$', "an alternative without '^'", ['/a/']],
  ['^/a|x*$', "an alternative without '^'", ['/b/']],
  ['^/(a$', 'not valid', []],
  ['^/a)$', 'not valid', []],
  ['^/[a$', 'not valid', []],
  ['*a', 'not valid', []],
  ['^/a**$', 'not valid', []],
  ['^/a|*', 'not valid', []],
  ['^/a\\', 'not valid', []],
  ['^/[z-a]$', 'not valid', []],
  ['^*', 'not valid', []],
  ['^/$*', 'not valid', []],
  ['(*)', 'not valid', []],
  // the edges of each rule (npm run mutate)
  ['/a|/b', '', ['/a', '/x/b', '/c']],
  ['/a$', '', ['/a', '/x/a', '/a/']],
  ['^/a+-b*$', '', ['/a-', '/aa-bb', '/-b', '/a']],
  ['^/x+\\x41$', '', ['/xA', '/xxA', '/A', '/xx']],
  ['^/[a-a]$', 'a range of one character', ['/a']],
  ['^/[0-0]$', 'a range of one character', ['/0']],
  ['^/[^-.]$', '', ['/a', '/-', '/.']],
  ['^/x{-}$', '', ['/x{-}', '/x']],
  ['^/a{0}$', "'{n}'", ['/']],
  ['^/a{9}$', "'{n}'", ['/aaaaaaaaa']],
  ['^/ab\\xZZ$', "the escape '\\x'", ['/abxZZ']],
  ['^/\\w+[\\d]$', "'\\w+' before '[\\d]'", ['/1']],
  ['^/a+.$', "'a+' before '.'", ['/a']],
  ['^/files/[^/]+', "'[^/]+' before the end", ['/files/']],
  ['/a|x*$', "an alternative without '^'", ['/b/']],
  ['^/a)|^/b', 'not valid', []],
  ['[a\\d-.]$', '', ['/5', '/-', '/.', '/x', '/a']],
  ['^/a+$a', '', ['/a', '/aa', '/a$a']],
  ['^/x/[^/]+/*$', "'[^/]+' before '/'", ['/x/']]
];

/** checkPattern's message for `src`, or '' when it accepts it. */
function refusal(src: string): string {
  try {
    checkPattern(src);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('checkPattern: route patterns Espruino runs as Node does, and no others', function () {
  for (const [src, construct] of TABLE) {
    it(`${JSON.stringify(src)}: ${construct ? 'refused, ' + construct : 'accepted'}`, function () {
      const message = refusal(src);
      if (!construct) return assert.equal(message, '');
      assert.ok(message.startsWith(`register: '${src}' `), message);
      if (construct == 'not valid') {
        assert.match(message, / is not a valid RegExp$/);
        assert.throws(() => new RegExp(src), SyntaxError);
      } else {
        assert.ok(message.includes(` uses ${construct}, which Espruino's RegExp cannot run: `), message);
        assert.match(message, /cannot run: \S/);
        new RegExp(src);
      }
    });
  }

  it('names the rewrite of an X+ that Espruino lets match nothing', function () {
    assert.match(refusal('^/files/([^/]+)$'), /write '\[\^\/\]\[\^\/\]\*'$/);
    assert.equal(refusal('^/files/([^/][^/]*)$'), '');
  });

  it('register() refuses such a pattern and registers nothing', function () {
    const t = { routes_: {} as Routes, register };
    assert.throws(() => t.register('GET', '^/(a|b)$', () => 1), /'\|' inside a group/);
    assert.deepEqual(t.routes_, {});
  });
});

describe('checkPattern on the real interpreter (ESPRUINO_BIN)', function () {
  this.timeout(60000);
  // the checker as the board runs it (ES5, minified), then the table through it and RegExp
  let out: { messages: string[]; tests: string[][] } | undefined;
  before(async function () {
    requireOrSkip(this, 'checkPattern cannot be tried on the real interpreter', interpreterProblem());
    const lib = (await esbuild.build({ entryPoints: [join(ROOT, 'src/http/pattern.ts')], bundle: true,
      write: false, format: 'iife', globalName: 'PAT', target: 'es5', minify: true, charset: 'utf8' })).outputFiles[0].text;
    const code = lib + `;var T=${JSON.stringify(TABLE)};
var out={messages:[],tests:[]};
for(var i=0;i<T.length;i++){var m='';try{PAT.checkPattern(T[i][0]);}catch(e){m=e.message;}out.messages.push(m);
var r=[];for(var j=0;j<T[i][2].length;j++){try{r.push(new RegExp(T[i][0]).test(T[i][2][j])?'1':'0');}catch(e){r.push('error');}}
out.tests.push(r);}
print('@@'+JSON.stringify(out));`;
    const file = join(mkdtempSync(join(tmpdir(), 'pattern-')), 'pattern.js');
    writeFileSync(file, code);
    const r = spawnSync(ESPRUINO_BIN, [file], { encoding: 'latin1', timeout: 30000, killSignal: 'SIGKILL' });
    const line = /@@(.*)/.exec(r.stdout || '');
    if (!line) throw new Error('the interpreter printed no result: ' + (r.stdout || '').slice(-500));
    out = JSON.parse(line[1]);
  });

  it('the compiled checker gives the same answer and message as on Node', function () {
    TABLE.forEach(([src], i) => assert.equal(out!.messages[i], refusal(src), JSON.stringify(src)));
  });

  it('what it accepts matches the paths as on Node; what it refuses differs on its path', function () {
    TABLE.forEach(([src, construct, paths], i) => {
      const node = paths.map((p) => new RegExp(src).test(p) ? '1' : '0');
      if (!construct) assert.deepEqual(out!.tests[i], node, `accepted ${JSON.stringify(src)} runs differently on Espruino`);
      else if (paths.length) {
        assert.notEqual(out!.tests[i][0], node[0],
          `refused ${JSON.stringify(src)} runs as on Node for ${JSON.stringify(paths[0])}: is the rule still needed?`);
      }
    });
  });
});
