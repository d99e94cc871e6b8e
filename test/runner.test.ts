import { strict as assert } from 'node:assert';
import * as runner from '../src/runner';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('runner: tasks and the error state', function () {
  let cleaned: unknown[];
  beforeEach(function () {
    cleaned = [];
    runner.start({ main() {}, cleanup(e?: unknown) { cleaned.push(e); } });
  });
  afterEach(() => runner.stop());

  it('runs a task and lists it while its Promise is pending', async function () {
    let finish!: () => void;
    assert.equal(runner.createTask('t', (x: number) => { assert.equal(x, 7); return new Promise<void>((r) => { finish = r; }); }, 7), true);
    assert.deepEqual(runner.getTasks(), ['t']);
    assert.equal(runner.getState(), 'running');
    finish();
    await tick();
    assert.deepEqual(runner.getTasks(), []);
  });

  it('refuses a second task of the same name', function () {
    runner.createTask('t', () => new Promise(() => {}));
    assert.equal(runner.createTask('t', () => undefined), false);
  });

  it('destroyTask cancels a task that can be cancelled', function () {
    let cancelled = 0;
    const p: any = new Promise(() => {});
    p.cancel = () => cancelled++;
    runner.createTask('t', () => p);
    assert.equal(runner.destroyTask('t'), true);
    assert.equal(cancelled, 1);
    assert.equal(runner.destroyTask('t'), false);
  });

  it('a task that throws stops the others, enters the error state and calls cleanup', function () {
    let cancelled = 0;
    const p: any = new Promise(() => {});
    p.cancel = () => cancelled++;
    runner.createTask('other', () => p);
    const boom = new Error('boom');
    runner.createTask('bad', () => { throw boom; });
    assert.equal(runner.getState(), 'error');
    assert.deepEqual(runner.getError(), { name: 'Error', detail: 'boom' });
    assert.equal(cancelled, 1);
    assert.deepEqual(runner.getTasks(), []);
    assert.deepEqual(cleaned, [boom]);
  });

  it('a task whose Promise rejects does the same', async function () {
    runner.createTask('bad', () => Promise.reject(new TypeError('late')));
    await tick();
    assert.equal(runner.getState(), 'error');
    assert.deepEqual(runner.getError(), { name: 'TypeError', detail: 'late' });
    assert.equal(cleaned.length, 1);
  });

  it('an error in main() enters the error state', function () {
    runner.start({ main() { throw new Error('no main'); }, cleanup(e?: unknown) { cleaned.push(e); } });
    assert.equal(runner.getState(), 'error');
    assert.equal(runner.getError()!.detail, 'no main');
  });

  /** A pending task whose cancel() counts its calls. */
  function cancellable(): { task: () => Promise<never>; cancels: () => number } {
    let count = 0;
    const p: any = new Promise<never>(() => {});
    p.cancel = () => count++;
    return { task: () => p, cancels: () => count };
  }

  it('a task whose Promise rejects cancels the others and calls cleanup with its error', async function () {
    const other = cancellable();
    runner.createTask('other', other.task);
    const late = new TypeError('late');
    runner.createTask('bad', () => Promise.reject(late));
    await tick();
    assert.equal(other.cancels(), 1);
    assert.deepEqual(cleaned, [late]);
    assert.deepEqual(runner.getError(), { name: 'TypeError', detail: 'late' });
    assert.deepEqual(runner.getTasks(), []);
  });

  it('an error in main() reaches cleanup with the exception', function () {
    const calls: unknown[] = [];
    const boom = new Error('no main');
    runner.start({ main() { throw boom; }, cleanup(e?: unknown) { calls.push(e); } });
    assert.deepEqual(calls, [boom]);
  });

  it("main()'s rejected Promise is an error: the error state, cleanup with the exception", async function () {
    const calls: unknown[] = [];
    const boom = new RangeError('async main');
    runner.start({ main: () => Promise.reject(boom), cleanup(e?: unknown) { calls.push(e); } });
    await tick();
    assert.equal(runner.getState(), 'error');
    assert.deepEqual(runner.getError(), { name: 'RangeError', detail: 'async main' });
    assert.deepEqual(calls, [boom]);
  });

  it('a second error is not reported again: cleanup once, with the first, and getError() keeps it', async function () {
    let fail2!: (e: Error) => void;
    runner.createTask('two', () => new Promise((_, reject) => { fail2 = reject; }));
    const first = new Error('first');
    runner.createTask('one', () => { throw first; });
    // a task made after the error, failing too
    runner.createTask('three', () => { throw new Error('third'); });
    fail2(new Error('second'));
    await tick();
    assert.deepEqual(cleaned, [first]);
    assert.deepEqual(runner.getError(), { name: 'Error', detail: 'first' });
  });

  it('a cleanup that throws escapes neither createTask() nor a rejection: the error state holds', async function () {
    runner.start({ main() {}, cleanup() { throw new Error('cleanup broke'); } });
    assert.doesNotThrow(() => runner.createTask('bad', () => { throw new Error('boom'); }));
    assert.equal(runner.getState(), 'error');
    assert.deepEqual(runner.getError(), { name: 'Error', detail: 'boom' });
    // nor through a rejection: no unhandled rejection reaches the process
    runner.start({ main() {}, cleanup() { throw new Error('cleanup broke'); } });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      runner.createTask('late', () => Promise.reject(new Error('late')));
      await tick();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unhandled, []);
    assert.deepEqual(runner.getError(), { name: 'Error', detail: 'late' });
    assert.doesNotThrow(() => runner.stop());
  });

  it('a task created after an error leaves the error state and its error as they are', function () {
    runner.createTask('bad', () => { throw new Error('boom'); });
    assert.equal(runner.createTask('after', () => new Promise(() => {})), true);
    assert.equal(runner.getState(), 'error');
    assert.deepEqual(runner.getError(), { name: 'Error', detail: 'boom' });
  });

  /** What the runner prints (a board's console) while `fn` runs. */
  async function printed(fn: () => unknown): Promise<string[]> {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => { lines.push(args.join(' ')); };
    try {
      await fn();
    } finally {
      console.log = log;
    }
    return lines;
  }

  it('prints the error once, and why a cleanup failed; a plain stop() prints nothing', async function () {
    assert.deepEqual(await printed(() => runner.stop()), []);
    runner.start({ main() {}, cleanup() { throw new Error('cleanup broke'); } });
    assert.deepEqual(await printed(() => runner.createTask('bad', () => { throw new TypeError('boom'); })),
      ['runner: error: TypeError: boom', 'runner: cleanup failed: Error: cleanup broke']);
  });

  it('stop() after an error leaves the error state and calls cleanup without exception', function () {
    runner.createTask('bad', () => { throw new Error('boom'); });
    runner.stop();
    assert.equal(runner.getState(), 'stopped');
    assert.equal(runner.getError(), null);
    assert.deepEqual(cleaned.slice(1), [undefined]);
  });

  it('a main() that returns a value that is not a Promise runs as usual', function () {
    for (const value of [42, 'text', {}]) {
      runner.start({ main: () => value, cleanup(e?: unknown) { cleaned.push(e); } });
      assert.equal(runner.getState(), 'running');
    }
    assert.deepEqual(cleaned, []);
  });

  it('createTask refuses what is not a function, and says true for a task that threw (it ran)', function () {
    assert.throws(() => runner.createTask('x', 42 as any), /createTask: task is not a function/);
    assert.equal(runner.createTask('bad', () => { throw new Error('boom'); }), true);
  });

  it('a destroyed task that settles later touches nothing: neither the new task of its name nor the state', async function () {
    let finishOld!: () => void, failOld!: (e: Error) => void;
    runner.createTask('t', () => new Promise<void>((r) => { finishOld = r; }));
    runner.destroyTask('t');
    runner.createTask('t', () => new Promise(() => {}));
    finishOld();
    await tick();
    assert.deepEqual(runner.getTasks(), ['t']);
    runner.createTask('u', () => new Promise((_, reject) => { failOld = reject; }));
    runner.destroyTask('u');
    failOld(new Error('too late'));
    await tick();
    assert.equal(runner.getState(), 'running');
    assert.deepEqual(cleaned, []);
  });

  it('destroyTask stops a task that cannot be cancelled', function () {
    runner.createTask('plain', () => new Promise(() => {}));
    assert.equal(runner.destroyTask('plain'), true);
    assert.deepEqual(runner.getTasks(), []);
  });

  it('stop() stops the tasks, calls cleanup without exception, and is stopped', function () {
    runner.createTask('t', () => new Promise(() => {}));
    runner.stop();
    assert.equal(runner.getState(), 'stopped');
    assert.equal(runner.getError(), null);
    assert.deepEqual(runner.getTasks(), []);
    assert.deepEqual(cleaned, [undefined]);
  });
});
