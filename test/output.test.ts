/** The e2e harness's reading of the interpreter's output (test/e2e/output.ts), on text as the
 *  Linux builds of Espruino printed it. */
import { strict as assert } from 'node:assert';
import { interpreterErrors, SETTLE_MS, withoutInterpreterErrors } from './e2e/output';

const BANNER = ' ____                 _ \r\n|  __|___ ___ ___ _ _|_|___ ___ \r\n' +
  ' 2v29 (c) 2026 G.Williams\r\n\r\nEspruino is Open Source. Our work is supported\r\n' +
  'only by sales of official boards and donations:\r\nhttp://espruino.com/Donate\r\n\r\n>';

describe('interpreterErrors: what the interpreter printed that means something went wrong', function () {
  it('finds nothing in a normal start and run', function () {
    assert.deepEqual(interpreterErrors(BANNER + '\r\x1b[J-> Telnet\r\n<- Telnet\r\n>Serving on http://192.168.1.5/\r\n' +
      '=undefined\r\n>'), []);
    assert.deepEqual(interpreterErrors(''), []);
  });

  it('finds an exception nothing caught (a timer that threw), without the cursor escape', function () {
    assert.deepEqual(interpreterErrors(BANNER + '\r\x1b[JUncaught Error: boom\r\n    at :1:23\r\n\r\n   ^\r\n>'),
      ['Uncaught Error: boom']);
  });

  it('finds running out of JsVars: OUT OF MEMORY, the interruption and LOW_MEMORY', function () {
    assert.deepEqual(interpreterErrors('>OUT OF MEMORY    at [raw] (:1:47)\r\n\r\n   ^\r\n' +
      'Execution Interrupted.\r\nNew interpreter error: LOW_MEMORY,MEMORY\r\n>'),
    ['>OUT OF MEMORY    at [raw] (:1:47)', 'Execution Interrupted.', 'New interpreter error: LOW_MEMORY,MEMORY']);
  });

  it('finds lost console input (FIFO_FULL) and any other interpreter error flag', function () {
    assert.deepEqual(interpreterErrors('--] >\x1b[JNew interpreter error: FIFO_FULL\r\n'),
      ['--] >New interpreter error: FIFO_FULL']);
    assert.deepEqual(interpreterErrors('New interpreter error: BUFFER_FULL\n'), ['New interpreter error: BUFFER_FULL']);
  });

  it('finds a syntax error in uploaded code', function () {
    assert.deepEqual(interpreterErrors("Uncaught SyntaxError: Got EOF expected '}'\r\n at line 1 col 9\r\n"),
      ["Uncaught SyntaxError: Got EOF expected '}'"]);
  });
});

describe('withoutInterpreterErrors: a case fails when the interpreter printed an error during it', function () {
  /** a stand-in interpreter whose output the test writes */
  const fake = (watched = true) => {
    const t = { watched, text: BANNER, output: () => t.text };
    return t;
  };

  it('passes a case during which nothing bad was printed', async function () {
    const t = fake();
    await withoutInterpreterErrors(t, async () => { t.text += '\r\n>'; });
  });

  it('fails a case during which an error was printed, quoting the lines', async function () {
    const t = fake();
    await assert.rejects(withoutInterpreterErrors(t, async () => {
      t.text += '\r\nUncaught Error: late\r\n    at :1:23\r\nNew interpreter error: LOW_MEMORY\r\n';
    }), (e: Error) => /2 error line\(s\)/.test(e.message) && /Uncaught Error: late/.test(e.message) &&
      /New interpreter error: LOW_MEMORY/.test(e.message) && /at :1:23/.test(e.message));
  });

  it('sees what is printed shortly after the case (within the settle time)', async function () {
    const t = fake();
    await assert.rejects(withoutInterpreterErrors(t, async () => {
      setTimeout(() => { t.text += 'Uncaught Error: from a timer\r\n'; }, SETTLE_MS / 4);
    }), /Uncaught Error: from a timer/);
  });

  it('does not blame a case for what was printed before it', async function () {
    const t = fake();
    t.text += 'Uncaught Error: earlier\r\n';
    await withoutInterpreterErrors(t, async () => { t.text += '>'; });
  });

  it('names both the interpreter error and the failed reply when both happen', async function () {
    const t = fake();
    await assert.rejects(withoutInterpreterErrors(t, async () => {
      t.text += 'Uncaught Error: boom\r\n';
      throw new Error('expected 200, got 500');
    }), (e: Error) => /Uncaught Error: boom/.test(e.message) && /expected 200, got 500/.test(e.message));
  });

  it('fails a failed reply with its own message alone', async function () {
    await assert.rejects(withoutInterpreterErrors(fake(), async () => { throw new Error('expected 200'); }),
      /^Error: expected 200$/);
  });

  it('does not read the output of what is not an interpreter (the host, a board)', async function () {
    const t = fake(false);
    await withoutInterpreterErrors(t, async () => { t.text += 'Uncaught Error: node prints this too\r\n'; });
  });
});
