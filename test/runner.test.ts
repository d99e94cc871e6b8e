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

  it('stop() stops the tasks, calls cleanup without exception, and is stopped', function () {
    runner.createTask('t', () => new Promise(() => {}));
    runner.stop();
    assert.equal(runner.getState(), 'stopped');
    assert.equal(runner.getError(), null);
    assert.deepEqual(runner.getTasks(), []);
    assert.deepEqual(cleaned, [undefined]);
  });
});
