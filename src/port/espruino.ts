/** The Espruino platform: the only module that touches the interpreter's globals. */
import { Listener, Socket } from './port';

/** Listens on `port`, calling `onSocket` with each accepted connection. */
export function listen(port: number, onSocket: (socket: Socket) => void): Listener {
  var server = require('net').createServer(onSocket);
  server.listen(port);
  return server;
}
