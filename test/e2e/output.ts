/**
 * Reading what the interpreter printed: Espruino reports an exception nothing caught, running out
 * of JsVars and lost input on its console, while the replies may still look right
 * (src/jsinteractive.c jsiCheckErrors, src/jsvar.c).
 */
import { strict as assert } from 'node:assert';

/** `Uncaught <error>`, `OUT OF MEMORY`, `New interpreter error: [LOW_MEMORY,MEMORY]`,
 *  `FIFO_FULL`, and `Execution Interrupted` (what it prints when it stops code on its own). */
const BAD = /\bUncaught\b|OUT OF MEMORY|LOW_MEMORY|FIFO_FULL|New interpreter error|Execution Interrupted/;

/** The lines of `text` that report an interpreter error, without the console's cursor escapes
 *  and trimmed; [] when there are none. */
export function interpreterErrors(text: string): string[] {
  return text.split(/\r\n|\r|\n/).map((line) => line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim())
    .filter((line) => BAD.test(line));
}

/** How long after a case the interpreter may still print about it (a timer, a closed socket). */
export const SETTLE_MS = 100;

/**
 * Runs `fn` (a case against `target`); then, for an interpreter, fails when it printed an error
 * during `fn` or within SETTLE_MS after, quoting what it printed.
 */
export async function withoutInterpreterErrors(target: { watched: boolean; output(): string },
                                               fn: () => Promise<void>): Promise<void> {
  const from = target.output().length;
  let failure: unknown;
  try {
    await fn();
  } catch (e) {
    failure = e;
  }
  if (target.watched) {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const printed = target.output().slice(from);
    const bad = interpreterErrors(printed);
    assert.deepEqual(bad, [], `the interpreter printed ${bad.length} error line(s) during this case:\n  ` +
      `${bad.join('\n  ')}\n  all it printed then:\n${printed.slice(-2000)}` +
      (failure ? `\n  and the case failed: ${(failure as Error).message}` : ''));
  }
  if (failure) throw failure;
}
