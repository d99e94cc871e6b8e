/** Every stand-in socket made and not yet closed. */
const open = new Set<FakeSocket>();

/** A stand-in for Espruino's net socket: handlers get the socket as `this`, and the test says
 *  when 'data', 'drain' or 'close' happen. Also what the port module needs of Espruino. */
export class FakeSocket {
  writes: string[] = [];
  handlers: { [event: string]: (this: FakeSocket, ...args: any[]) => void } = {};
  ended = false;
  /** how many times end() was called */
  ends = 0;
  [field: string]: any;
  constructor() { open.add(this); }
  on(event: string, fn: (this: FakeSocket, ...args: any[]) => void) { this.handlers[event] = fn; }
  write(data: string) { this.writes.push(data); }
  end() { this.ended = true; this.ends++; }
  emit(event: string, ...args: any[]) {
    if (event == 'close') open.delete(this);
    this.handlers[event].apply(this, args);
  }
}

/** JsVars the stand-in process.memory() reports free: `quick` without a collection
 *  (memory(false)), `collected` after one. */
export const free = { quick: 10000, collected: 10000 };

/** For the tests of a describe block: what src/port/espruino.ts asks of Espruino
 *  (process.memory() with `count` JsVars free, E.isUTF8; Node has neither), and every stand-in
 *  socket closed after each test, so that none leaves a timer running. The stand-ins stay
 *  after the block: a timer left all the same (by a mutant, npm run mutate) must not meet a
 *  missing global in a later test. */
export function espruinoGlobals(count = 10000): void {
  before(function () {
    free.quick = free.collected = count;
    (process as any).memory = (gc?: boolean) => {
      const n = gc === false ? free.quick : free.collected;
      return { free: n, usage: 10000 - n, total: 10000 };
    };
    (globalThis as any).E = { isUTF8: () => false };
  });
  afterEach(function () {
    for (const socket of open) if ('close' in socket.handlers) socket.emit('close');
    open.clear();
    free.quick = free.collected = count;
  });
}
