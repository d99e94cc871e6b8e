/** A stand-in for Espruino's net socket: handlers get the socket as `this`, and the test says
 *  when 'data', 'drain' or 'close' happen. Also what the port module needs of Espruino. */
export class FakeSocket {
  writes: string[] = [];
  handlers: { [event: string]: (this: FakeSocket, ...args: any[]) => void } = {};
  ended = false;
  [field: string]: any;
  on(event: string, fn: (this: FakeSocket, ...args: any[]) => void) { this.handlers[event] = fn; }
  write(data: string) { this.writes.push(data); }
  end() { this.ended = true; }
  emit(event: string, ...args: any[]) { this.handlers[event].apply(this, args); }
}

/** Gives Node what src/port/espruino.ts asks of Espruino (process.memory(), E.isUTF8) for
 *  the tests of a describe block, `free` JsVars free. */
export function espruinoGlobals(free = 10000): void {
  let memory: unknown;
  before(function () {
    memory = (process as any).memory;
    (process as any).memory = () => ({ free, usage: 0, total: free });
    (globalThis as any).E = { isUTF8: () => false };
  });
  after(function () {
    (process as any).memory = memory;
    delete (globalThis as any).E;
  });
}
