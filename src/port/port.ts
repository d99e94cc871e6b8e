/** What the server core needs of a platform: one implementation per platform (port/*.ts). */

/** A connected TCP socket as Espruino's `net` gives it: data arrives as byte strings. */
export interface Socket {
  on(event: 'data', fn: (this: Socket, data: string) => void): void;
  on(event: 'close' | 'drain', fn: (this: Socket) => void): void;
  on(event: 'error', fn: (this: Socket, err: { code: number; message: string }) => void): void;
  write(data: string): any;
  end(): void;
  /** Espruino's: set once the socket is closed, or closing after end(); a socket closed before
   *  the server's callback saw it has it set there, and never calls a 'close' handler */
  cls?: boolean;
  [field: string]: any;
}

/** A listening server socket. */
export interface Listener {
  close(): void;
}
