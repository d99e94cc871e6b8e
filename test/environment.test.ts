/**
 * The real interpreter is part of the suite, not an extra: under CI=true a run without it, without
 * its 1,700-JsVar build, without root, or with any test left pending fails, saying what to
 * install or set. Locally those tests are skipped, and the run ends with a loud list of them.
 */
import { CI, interpreterProblem, requireOrSkip, rootProblem, smallInterpreterProblem } from './e2e/environment';

describe('what the real-interpreter tests need', function () {
  it('ESPRUINO_BIN names a runnable Linux build of Espruino', function () {
    requireOrSkip(this, 'the end-to-end and flash.sh tests cannot run on the real interpreter', interpreterProblem());
  });

  it('espruino-1700 (1,700 JsVars, like an ESP8266) is beside it or named by ESPRUINO_1700', function () {
    requireOrSkip(this, 'build/app.js cannot be tried on an ESP8266-sized interpreter',
      interpreterProblem() || smallInterpreterProblem());
  });

  it('the tests run as root (port 80)', function () {
    requireOrSkip(this, 'build/app.js and flash.sh cannot be tried as on a board', rootProblem());
  });
});

function pendingTests(suite: Mocha.Suite): string[] {
  return [...suite.tests.filter((t) => t.isPending()).map((t) => t.fullTitle()),
    ...suite.suites.flatMap(pendingTests)];
}

// a root-level hook: it runs once, after every file's tests
after(function () {
  const pending = pendingTests(this.test!.parent!);
  if (!pending.length) return;
  const list = pending.map((t) => `\n      - ${t}`).join('');
  if (CI) throw new Error(`CI=true, but ${pending.length} test(s) were skipped, not run:${list}`);
  console.log(`\n  *** ${pending.length} test(s) were SKIPPED here, NOT run (CI=true would fail them):${list}\n`);
});
