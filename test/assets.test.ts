/**
 * The asset pipeline (scripts/assets.mjs): what a www/ folder becomes in Storage (minified,
 * gzipped when smaller, ETags, short Storage names, the manifest), what it refuses, and what a
 * set costs in a board's Storage.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildAssets, cacheControl, contentType, fitStorage, hostFileName, MANIFEST, minifyHtml,
  readAssets, storageCapacity, storageCost } from '../scripts/assets.mjs';

/** A www/ folder of these files (text or bytes). */
function folder(files: { [path: string]: string | Buffer }): string {
  const dir = mkdtempSync(join(tmpdir(), 'assets-www-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
const outFolder = () => join(mkdtempSync(join(tmpdir(), 'assets-out-')), 'www');
const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

describe('assets: the pipeline', function () {
  describe('minifyHtml', function () {
    it('drops comments and makes each run of white space one character', async function () {
      assert.equal(await minifyHtml('<!DOCTYPE html>\n<!-- a\ncomment -->\n<html>   <body>\n\n  <p>a   b\tc</p>  </body>  </html>\n'),
        '<!DOCTYPE html>\n<html> <body>\n<p>a b c</p> </body> </html>');
    });

    it('keeps conditional comments, <pre>, <textarea> and attribute values as they are', async function () {
      const kept = '<!--[if IE]><p>old</p><![endif]--><pre>  a\n   b </pre><textarea>  x  </textarea><p title="a   b">t</p>';
      assert.equal(await minifyHtml(kept), kept);
    });

    it('minifies inline scripts and styles, leaves data blocks alone', async function () {
      assert.equal(await minifyHtml('<style>\n  p { color : #ff0000 ; }\n</style><script>\n  var answer = 40 + 2;\n</script>' +
        '<script type="application/json">{ "a":  1 }</script><script type="module">\n  export const x = 1;\n</script>'),
      '<style>p{color:red}</style><script>var answer=42;</script><script type="application/json">{ "a":  1 }</script>' +
        '<script type="module">export const x=1;</script>');
    });

    it('keeps a script that closes its tag in a string working', async function () {
      assert.equal(await minifyHtml('<script>var s = "</scr" + "ipt>";</script>'), '<script>var s="<\\/script>";</script>');
    });
  });

  describe('buildAssets', function () {
    const big = 'a line of text that compresses well\n'.repeat(40);
    const bytes = Buffer.from([...Array(256).keys(), ...Array(64).fill(255)]);
    let built: Awaited<ReturnType<typeof buildAssets>>, out: string;
    before(async function () {
      out = outFolder();
      built = await buildAssets(folder({ 'index.html': '<html>\n  <body>  hi  </body>\n</html>\n', 'big.txt': big,
        'app.js': 'var answer = 40 + 2;\n', 'css/site.css': 'p {\n  color: #ff0000;\n}\n', 'img/dot.png': bytes,
        'app.0123abcd.js': 'x()', '.DS_Store': 'junk', 'data/.hidden': 'junk' }), out, { maxAge: 600 });
    });

    it('lists each URL path with its Storage names, sizes, ETag, type and cache policy', function () {
      assert.deepEqual(Object.keys(built.manifest).sort(),
        ['/app.0123abcd.js', '/app.js', '/big.txt', '/css/site.css', '/img/dot.png', '/index.html']);
      const e = built.manifest['/big.txt'];
      assert.deepEqual(e, { s: 'w/big.txt', n: big.length, z: 'z/big.txt', g: e.g, e: sha(big),
        t: 'text/plain; charset=utf-8', c: 'max-age=600' });
      assert.ok(e.g! < big.length / 4);
      assert.equal(built.manifest['/css/site.css'].t, 'text/css; charset=utf-8');
      assert.equal(built.manifest['/index.html'].c, 'no-cache');
      assert.equal(built.manifest['/app.0123abcd.js'].c, 'max-age=31536000, immutable');
    });

    it('writes each Storage file and the manifest, as listed', function () {
      assert.deepEqual(built.files.map((f: { name: string }) => f.name).sort(), ['w/app.0123abcd.js', 'w/app.js', 'w/big.txt',
        'w/css/site.css', 'w/img/dot.png', 'w/index.html', MANIFEST, 'z/big.txt', 'z/img/dot.png'].sort());
      for (const f of built.files) {
        assert.ok(f.name.length <= 28, f.name);
        assert.equal(readFileSync(join(out, hostFileName(f.name))).length, f.size);
      }
      assert.deepEqual(JSON.parse(readFileSync(join(out, MANIFEST), 'utf8')), built.manifest);
      assert.deepEqual(readAssets(out), built);
    });

    it('minifies HTML, CSS and JS; other files go as they are, byte for byte', function () {
      const file = (name: string) => readFileSync(join(out, hostFileName(name)));
      assert.equal(file('w/index.html').toString(), '<html>\n<body> hi </body>\n</html>');
      assert.equal(file('w/css/site.css').toString(), 'p{color:red}');
      assert.equal(file('w/app.js').toString(), 'var answer=42;');
      assert.deepEqual(file('w/img/dot.png'), bytes);
      assert.equal(built.manifest['/app.js'].e, sha('var answer=42;'), 'the ETag is the served content\'s hash');
    });

    it('keeps a gzip only when it is smaller, and it decompresses to the file', function () {
      assert.equal(built.manifest['/app.js'].z, undefined);
      assert.equal(gunzipSync(readFileSync(join(out, hostFileName('z/big.txt')))).toString(), big);
      assert.deepEqual(gunzipSync(readFileSync(join(out, hostFileName('z/img/dot.png')))), bytes);
    });

    it('leaves dot-files out', function () {
      assert.ok(!Object.keys(built.manifest).some((p) => p.includes('/.')));
    });

    it('gzipOnly drops the plain copy where a gzip is kept (for every file, or those a function picks)', async function () {
      const www = folder({ 'a.txt': big, 'b.txt': big, 'c.txt': 'x' });
      const all = (await buildAssets(www, outFolder(), { gzipOnly: true })).manifest;
      assert.deepEqual([all['/a.txt'].s, all['/b.txt'].s, all['/c.txt'].s], [undefined, undefined, 'w/c.txt']);
      const some = (await buildAssets(www, outFolder(), { gzipOnly: (path: string) => path == '/a.txt' })).manifest;
      assert.deepEqual([some['/a.txt'].s, some['/b.txt'].s], [undefined, 'w/b.txt']);
    });

    it('refuses names a Storage name cannot hold, and empty files', async function () {
      // '/' and 27 characters, then 'w' or 'z' before it: 29
      await assert.rejects(buildAssets(folder({ ['a'.repeat(27)]: 'x' }), outFolder()), /28/);
      await buildAssets(folder({ ['a'.repeat(26)]: 'x' }), outFolder());
      await assert.rejects(buildAssets(folder({ 'my file.txt': 'x' }), outFolder()), /only letters/);
      await assert.rejects(buildAssets(folder({ 'empty.js': '// nothing\n' }), outFolder()), /empty/);
    });

    it('refuses to empty a folder it did not write', async function () {
      const mine = folder({ 'keep.txt': 'x' });
      await assert.rejects(buildAssets(folder({ 'a.txt': 'x' }), mine), /other files/);
      assert.ok(existsSync(join(mine, 'keep.txt')));
    });
  });

  describe('types and cache policy', function () {
    it('Content-Type by extension', function () {
      assert.equal(contentType('/a/b.HTML'), 'text/html; charset=utf-8');
      assert.equal(contentType('/x.svg'), 'image/svg+xml');
      assert.equal(contentType('/favicon.ico'), 'image/x-icon');
      assert.equal(contentType('/x.woff2'), 'font/woff2');
      assert.equal(contentType('/README'), 'application/octet-stream');
    });

    it('Cache-Control: pages revalidated, hashed names a year, others as maxAge says', function () {
      assert.equal(cacheControl('/index.html', 600), 'no-cache');
      assert.equal(cacheControl('/app.3f2a9c1b.js'), 'max-age=31536000, immutable');
      assert.equal(cacheControl('/app-3f2a9c1b7d.css'), 'max-age=31536000, immutable');
      assert.equal(cacheControl('/app.js'), 'no-cache');
      assert.equal(cacheControl('/app.js', 3600), 'max-age=3600');
    });
  });

  describe('what fits a board', function () {
    it('a file costs its 32-byte header and its data padded to 4 bytes', function () {
      assert.deepEqual([1, 4, 5, 1000].map(storageCost), [36, 36, 40, 1032]);
    });

    it("knows the boards' Storage sizes", function () {
      assert.equal(storageCapacity('esp8266-512k'), 16384);
      assert.equal(storageCapacity('ESP8266'), 196608);
      assert.equal(storageCapacity('esp32'), 917504);
      assert.equal(storageCapacity(5000), 5000);
      assert.throws(() => storageCapacity('nrf52'), /no Storage size known/);
    });

    it('says whether a set fits, and by how much it does not', function () {
      const fit = fitStorage([10000, 4000, 2256], 'esp8266-512k');
      assert.deepEqual({ fits: fit.fits, need: fit.need, over: fit.over }, { fits: true, need: 10032 + 4032 + 2288, over: 0 });
      assert.match(fit.text, /^16,352 of 16,384 bytes \(esp8266-512k's Storage\), 32 left$/);
      const over = fitStorage([10000, 4000, 2400], 'esp8266-512k');
      assert.equal(over.fits, false);
      assert.equal(over.over, 10032 + 4032 + 2432 - 16384);
      assert.match(over.text, /16,496 bytes needed, esp8266-512k's Storage holds 16,384: 112 too many/);
    });
  });
});
