/**
 * What the real-interpreter tests need, and what happens when it is missing: under CI
 * (CI=true, as .ci/run sets) a failure that says what to install or set; locally a skip,
 * announced loudly.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { ESPRUINO_1700, ESPRUINO_BIN } from './target';

export const CI = !!process.env.CI && !/^(false|0)$/i.test(process.env.CI);

const BUILD = 'a Linux build of Espruino (github.com/espruino/Espruino: BOARD=LINUX make; ' +
  'see ../shared/espruino/README.md)';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Why ESPRUINO_BIN cannot run, with what to do; '' when it can. */
export function interpreterProblem(): string {
  if (!process.env.ESPRUINO_BIN) {
    return `ESPRUINO_BIN is not set: set it to ${BUILD}, e.g. ESPRUINO_BIN=../shared/espruino/espruino npm test`;
  }
  if (!executable(ESPRUINO_BIN)) return `ESPRUINO_BIN=${ESPRUINO_BIN} is not an executable file: set it to ${BUILD}`;
  return '';
}

/** Why the 1,700-JsVar build cannot run, with what to do; '' when it can. */
export function smallInterpreterProblem(): string {
  const fix = 'build LINUX.py with variables: 1700 (../shared/espruino/README.md) and put it beside ' +
    'ESPRUINO_BIN as espruino-1700, or set ESPRUINO_1700 to it';
  if (!ESPRUINO_1700) return `no espruino-1700 beside ESPRUINO_BIN and ESPRUINO_1700 is not set: ${fix}`;
  if (!executable(ESPRUINO_1700)) return `${ESPRUINO_1700} is not an executable file: ${fix}`;
  return '';
}

/** Why port 80 cannot be served here, with what to do; '' when it can. */
export function rootProblem(): string {
  return process.getuid?.() === 0 ? '' :
    'not running as root: build/app.js listens on port 80 (as on a board), which needs root here; run the tests as root';
}

/**
 * Stops the current test or hook when `problem` is not empty: under CI by throwing (a failure
 * naming the fix), locally by skipping it, loudly.
 */
export function requireOrSkip(ctx: Mocha.Context, what: string, problem: string): void {
  if (!problem) return;
  if (CI) throw new Error(`CI=true, but ${what}: ${problem}`);
  console.log(`\n    *** SKIPPED: ${what}: ${problem}\n`);
  ctx.skip();
}

/** For suites that run the interpreter from ESPRUINO_BIN; `port80` when they listen there. */
export function requireRealInterpreter(ctx: Mocha.Context, what: string, port80 = true): void {
  requireOrSkip(ctx, what, interpreterProblem() || (port80 ? rootProblem() : ''));
}
